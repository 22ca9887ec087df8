package edf;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/** The one JSON configuration of the server, and the wire format of timestamps. */
public final class Json {
  /** ISO-8601 UTC, always three fraction digits, e.g. 2026-11-26T14:00:00.000Z. */
  public static final String TIMESTAMP_PATTERN = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'";

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern(TIMESTAMP_PATTERN).withZone(ZoneOffset.UTC);

  private Json() {}

  /** The shared mapper that Pekko's Jackson support configures from `pekko.serialization.jackson`. */
  public static ObjectMapper mapper(ActorSystem<?> system) {
    return JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
  }

  public static String timestamp(Instant instant) {
    return TIMESTAMP.format(instant);
  }
}
