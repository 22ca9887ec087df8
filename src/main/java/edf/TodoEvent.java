package edf;

import java.time.Instant;

/** What everyone watching the list learns; published on the cluster-wide todo-events topic. */
public sealed interface TodoEvent extends CborSerializable {
  String TOPIC = "todo-events";

  String entityId();

  String commandId();

  /** A command was accepted and waits in the todo's queue. */
  record Pending(String entityId, String commandId, String by, Instant at) implements TodoEvent {}

  /** A command was applied; data is null when the todo was deleted. */
  record Changed(
      String entityId, String commandId, String changedBy, TodoCommand.Type action, Todo data, Instant at)
      implements TodoEvent {}

  /** A command failed: its pending mark can be cleared. */
  record Failed(String entityId, String commandId, String by, String code, Instant at)
      implements TodoEvent {}
}
