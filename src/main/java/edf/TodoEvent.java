package edf;

import java.time.Instant;

/**
 * What everyone watching the list learns; published on the cluster-wide todo-events topic by the
 * todo's {@link CommandProcessor} once the event is stored, and read again from the journal by the
 * read side. `seqNr` is the stored event's sequence number within its todo: whoever sees an event
 * twice (from the topic and from the journal) keeps the newest.
 */
public sealed interface TodoEvent extends CborSerializable {
  String TOPIC = "todo-events";

  String entityId();

  String commandId();

  long seqNr();

  /** A command was accepted and waits in the todo's queue. */
  record Pending(String entityId, String commandId, String by, Instant at, long seqNr) implements TodoEvent {}

  /** A command was applied; data is null when the todo was deleted. */
  record Changed(
      String entityId, String commandId, String changedBy, TodoCommand.Type action, Todo data, Instant at, long seqNr)
      implements TodoEvent {}

  /** A command failed: its pending mark can be cleared. */
  record Failed(String entityId, String commandId, String by, String code, Instant at, long seqNr)
      implements TodoEvent {}
}
