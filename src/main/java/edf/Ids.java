package edf;

import java.security.SecureRandom;
import java.util.Base64;

/** Short random ids (epochs, window ids): 12 URL-safe characters, 72 random bits. */
final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  static String random() {
    byte[] bytes = new byte[9];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
