package edf;

/**
 * A message for every socket of one user, already rendered as JSON with its `epoch` and `seq`;
 * published on the cluster-wide user-deliveries topic so the registry of whichever node holds the
 * user's sockets pushes it. `seq` grows by one per message of the user within one `epoch`;
 * `commandId` is set when the message is a command's outcome.
 */
public record Delivery(String userId, String epoch, long seq, String commandId, String json)
    implements CborSerializable {
  public static final String TOPIC = "user-deliveries";
}
