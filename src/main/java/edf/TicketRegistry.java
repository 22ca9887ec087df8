package edf;

import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Remembers the nonces of WebSocket tickets already used, each until its ticket expires, so a
 * ticket opens at most one socket, on whichever node. A sharded entity per bucket of nonces (the
 * nonce's first character: 64 buckets), so every node asks the same place about the same ticket.
 * Memory is bounded by the tickets used within one ticket TTL.
 */
public final class TicketRegistry extends AbstractBehavior<TicketRegistry.Command> {

  public static final org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey<Command> ENTITY_TYPE_KEY =
      org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey.create(Command.class, "TicketRegistry");

  public sealed interface Command extends CborSerializable {}

  /** Answers true the first time a nonce is redeemed before its expiry, false after that. */
  public record Redeem(String nonce, Instant expiresAt, ActorRef<Boolean> replyTo) implements Command {}

  public static void init(org.apache.pekko.actor.typed.ActorSystem<?> system, Clock clock) {
    org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(system)
        .init(org.apache.pekko.cluster.sharding.typed.javadsl.Entity.of(ENTITY_TYPE_KEY, ctx -> create(clock)));
  }

  /** The bucket (entity id) a ticket's nonce belongs to. */
  public static String bucket(String nonce) {
    return nonce.isEmpty() ? "_" : nonce.substring(0, 1);
  }

  // insertion order is expiry order: every ticket lives for the same TTL
  private final Map<String, Instant> used = new LinkedHashMap<>();
  private final Clock clock;

  public static Behavior<Command> create(Clock clock) {
    return Behaviors.setup(ctx -> new TicketRegistry(ctx, clock));
  }

  private TicketRegistry(ActorContext<Command> context, Clock clock) {
    super(context);
    this.clock = clock;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder().onMessage(Redeem.class, this::onRedeem).build();
  }

  private Behavior<Command> onRedeem(Redeem redeem) {
    Instant now = clock.instant();
    Iterator<Instant> oldest = used.values().iterator();
    while (oldest.hasNext() && !oldest.next().isAfter(now)) oldest.remove();
    boolean fresh = redeem.expiresAt().isAfter(now) && used.putIfAbsent(redeem.nonce(), redeem.expiresAt()) == null;
    redeem.replyTo().tell(fresh);
    return this;
  }
}
