package edf;

import java.util.Random;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Owns the simulation settings and the random numbers behind them. A route asks for one {@link
 * Dice} per request and gets every decision at once, so a seeded run is repeatable and no random
 * generator is shared between threads.
 */
public final class Chaos extends AbstractBehavior<Chaos.Command> {

  /** Where a node's accepted change goes, so that every node's Chaos takes it. */
  public static final String TOPIC = "chaos";

  public sealed interface Command {}

  public record Get(ActorRef<ChaosSettings> replyTo) implements Command {}

  /**
   * Applies a change to the current settings, validates the result, and on success tells the
   * registry, which pushes `chaos`. Merging here, in the actor, keeps concurrent changes whole.
   */
  public record Update(ChaosSettings.Patch patch, ActorRef<Updated> replyTo) implements Command {}

  /** The settings now in force, or the field that made the change invalid (nothing changed then). */
  public record Updated(ChaosSettings settings, FieldError error) {}

  public record Roll(ActorRef<Dice> replyTo) implements Command {}

  /** The fate of one request: HTTP delay and failures, and its command's queue delay and failure. */
  public record Dice(
      long httpDelayMs,
      boolean httpFailure,
      boolean lostResponse,
      long processingDelayMs,
      boolean processingFailure) {}

  private final ActorRef<ConnectionRegistry.Command> registry;
  private final ActorRef<Topic.Command<ChaosSettings>> topic;
  private final Random random;
  private ChaosSettings settings;

  private record Changed(ChaosSettings settings) implements Command {}

  public static Behavior<Command> create(
      ChaosSettings initial,
      long seed,
      ActorRef<ConnectionRegistry.Command> registry,
      ActorRef<Topic.Command<ChaosSettings>> topic) {
    return Behaviors.setup(
        ctx -> {
          topic.tell(Topic.subscribe(ctx.messageAdapter(ChaosSettings.class, Changed::new)));
          return new Chaos(ctx, initial, seed, registry, topic);
        });
  }

  private Chaos(
      ActorContext<Command> context,
      ChaosSettings initial,
      long seed,
      ActorRef<ConnectionRegistry.Command> registry,
      ActorRef<Topic.Command<ChaosSettings>> topic) {
    super(context);
    this.settings = initial;
    this.random = seed == 0 ? new Random() : new Random(seed);
    this.registry = registry;
    this.topic = topic;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Get.class, this::onGet)
        .onMessage(Update.class, this::onUpdate)
        .onMessage(Roll.class, this::onRoll)
        .onMessage(Changed.class, this::onChanged)
        .build();
  }

  private Behavior<Command> onGet(Get get) {
    get.replyTo().tell(settings);
    return this;
  }

  private Behavior<Command> onUpdate(Update update) {
    ChaosSettings next = settings.with(update.patch());
    var error = next.validate();
    if (error.isPresent()) {
      update.replyTo().tell(new Updated(settings, error.get()));
      return this;
    }
    settings = next;
    topic.tell(Topic.publish(next));
    update.replyTo().tell(new Updated(settings, null));
    return this;
  }

  /** A change accepted on any node (this one included): in force here too, and pushed. */
  private Behavior<Command> onChanged(Changed changed) {
    settings = changed.settings();
    getContext().getLog().info("Chaos settings changed to {}", settings);
    registry.tell(new ConnectionRegistry.ChaosChanged(settings));
    return this;
  }

  private Behavior<Command> onRoll(Roll roll) {
    roll.replyTo()
        .tell(
            new Dice(
                between(settings.minHttpDelayMs(), settings.maxHttpDelayMs()),
                chance(settings.httpFailureRate()),
                chance(settings.lostResponseRate()),
                between(settings.minDelayMs(), settings.maxDelayMs()),
                chance(settings.processingFailureRate())));
    return this;
  }

  private long between(long min, long max) {
    return max <= min ? min : min + (long) (random.nextDouble() * (max - min + 1));
  }

  private boolean chance(double rate) {
    return rate > 0 && random.nextDouble() < rate;
  }
}
