package edf;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

/** Settings that would make the server unsafe refuse the start, saying what to do. */
class StartupChecksTest {
  static Settings settings(String overrides) {
    return Settings.fromConfig(ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load()).resolve());
  }

  @Test
  void anIngestKeyShorterThan32BytesRefusesTheStart() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> settings("edf.auth.ingest-key = \"0123456789abcdef0123456789abcde\""));
    assertTrue(e.getMessage().contains("EDF_INGEST_KEY"), e.getMessage());
    assertTrue(e.getMessage().contains("at least 32 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("openssl rand"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> settings("edf.auth.ingest-key = k"));
    assertThrows(IllegalArgumentException.class, () -> TestServer.start("edf.auth.ingest-key = k"), "the server does not start");
    assertDoesNotThrow(() -> settings("edf.auth.ingest-key = \"0123456789abcdef0123456789abcdef\""));
    assertDoesNotThrow(() -> settings("edf.auth.ingest-key = \"\""), "empty: ingest is off");
  }

  @Test
  void publicOriginsMustBeOrigins() {
    for (String bad : new String[] {"todo.example.com", "ftp://todo.example.com", "https://todo.example.com/app", "https://", "http://a b"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> settings("edf.http.public-origins = \"" + bad + "\""), bad);
      assertTrue(e.getMessage().contains("EDF_PUBLIC_ORIGINS"), e.getMessage());
    }
    assertDoesNotThrow(() -> settings("edf.http.public-origins = \"https://todo.example.com, http://[::1]:8080\""));
  }
}
