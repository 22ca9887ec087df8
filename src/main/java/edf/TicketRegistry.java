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
 * ticket opens at most one socket. Memory is bounded by the tickets issued within one ticket TTL.
 */
public final class TicketRegistry extends AbstractBehavior<TicketRegistry.Command> {

  public sealed interface Command {}

  /** Answers true the first time a nonce is redeemed before its expiry, false after that. */
  public record Redeem(String nonce, Instant expiresAt, ActorRef<Boolean> replyTo) implements Command {}

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
