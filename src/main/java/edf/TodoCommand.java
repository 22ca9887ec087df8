package edf;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;

/**
 * An accepted command on one todo, as it waits in that todo's queue. The chaos it will meet (its
 * queue delay and whether it fails) was rolled when it was accepted.
 */
public record TodoCommand(
    String commandId,
    Type type,
    String entityId,
    String userId,
    String text,
    Boolean completed,
    Long expectedVersion,
    long delayMs,
    boolean fail,
    Instant acceptedAt)
    implements CborSerializable {

  public enum Type {
    CREATE,
    UPDATE,
    DELETE;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
