package edf;

/**
 * A message for every socket of one user, already rendered as JSON; published on the cluster-wide
 * user-deliveries topic so the registry of whichever node holds the user's sockets pushes it.
 */
public record Delivery(String userId, String json) implements CborSerializable {
  public static final String TOPIC = "user-deliveries";
}
