package edf;

import java.time.Instant;

/**
 * What became of one command: the todo after it (null after a delete; the current todo on a
 * conflict) or an error with a code such as processing-failed, not-found, conflict, already-exists.
 */
public record CommandOutcome(
    String commandId,
    String entityId,
    String userId,
    TodoCommand.Type type,
    boolean success,
    Todo data,
    ErrorInfo error,
    Instant completedAt)
    implements CborSerializable {

  public record ErrorInfo(String code, String message) implements CborSerializable {}
}
