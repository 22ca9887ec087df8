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

  /** The settings in force and the user who changed them last (null: as configured at start). */
  public record Current(ChaosSettings settings, String changedBy) implements CborSerializable {}

  public record Get(ActorRef<Current> replyTo) implements Command {}

  /**
   * Applies a change to the current settings, validates the result, and on success tells the
   * registry, which pushes `chaos`. Merging here, in the actor, keeps concurrent changes whole.
   */
  public record Update(ChaosSettings.Patch patch, String changedBy, ActorRef<Updated> replyTo) implements Command {}

  /** The settings now in force, or the field that made the change invalid (nothing changed then). */
  public record Updated(Current current, FieldError error) {}

  public record Roll(ActorRef<Dice> replyTo) implements Command {}

  /** The fate of one request: HTTP delay and failures, and its command's queue delay and failure. */
  public record Dice(
      long httpDelayMs,
      boolean httpFailure,
      boolean lostResponse,
      long processingDelayMs,
      boolean processingFailure) {}

  private final ActorRef<ConnectionRegistry.Command> registry;
  private final ActorRef<Topic.Command<Current>> topic;
  private final Random random;
  private ChaosSettings settings;
  private String changedBy;

  private record Changed(Current current) implements Command {}

  public static Behavior<Command> create(
      ChaosSettings initial,
      long seed,
      ActorRef<ConnectionRegistry.Command> registry,
      ActorRef<Topic.Command<Current>> topic) {
    return Behaviors.setup(
        ctx -> {
          topic.tell(Topic.subscribe(ctx.messageAdapter(Current.class, Changed::new)));
          return new Chaos(ctx, initial, seed, registry, topic);
        });
  }

  private Chaos(
      ActorContext<Command> context,
      ChaosSettings initial,
      long seed,
      ActorRef<ConnectionRegistry.Command> registry,
      ActorRef<Topic.Command<Current>> topic) {
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
    get.replyTo().tell(new Current(settings, changedBy));
    return this;
  }

  private Behavior<Command> onUpdate(Update update) {
    ChaosSettings next = settings.with(update.patch());
    var error = next.validate();
    if (error.isPresent()) {
      update.replyTo().tell(new Updated(new Current(settings, changedBy), error.get()));
      return this;
    }
    settings = next;
    changedBy = update.changedBy();
    getContext().getLog().info("Chaos settings changed by {} to {}", changedBy, settings);
    topic.tell(Topic.publish(new Current(next, changedBy)));
    update.replyTo().tell(new Updated(new Current(settings, changedBy), null));
    return this;
  }

  /** A change accepted on any node (this one included): in force here too, and pushed with who made it. */
  private Behavior<Command> onChanged(Changed changed) {
    settings = changed.current().settings();
    changedBy = changed.current().changedBy();
    registry.tell(new ConnectionRegistry.ChaosChanged(settings, changedBy));
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
