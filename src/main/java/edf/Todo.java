package edf;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.time.Instant;

/** One item of the shared todo list, as the read side and the socket messages show it. */
public record Todo(
    String id,
    String text,
    boolean completed,
    long version,
    String updatedBy,
    @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = Json.TIMESTAMP_PATTERN, timezone = "UTC")
        Instant updatedAt)
    implements CborSerializable {}
