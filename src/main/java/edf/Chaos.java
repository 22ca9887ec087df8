package edf;

import java.util.Random;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Owns the simulation settings and the random numbers behind them. A route asks for one {@link
 * Dice} per request and gets every decision at once, so a seeded run is repeatable and no random
 * generator is shared between threads.
 */
public final class Chaos extends AbstractBehavior<Chaos.Command> {

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
  private final Random random;
  private ChaosSettings settings;

  public static Behavior<Command> create(
      ChaosSettings initial, long seed, ActorRef<ConnectionRegistry.Command> registry) {
    return Behaviors.setup(ctx -> new Chaos(ctx, initial, seed, registry));
  }

  private Chaos(
      ActorContext<Command> context,
      ChaosSettings initial,
      long seed,
      ActorRef<ConnectionRegistry.Command> registry) {
    super(context);
    this.settings = initial;
    this.random = seed == 0 ? new Random() : new Random(seed);
    this.registry = registry;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Get.class, this::onGet)
        .onMessage(Update.class, this::onUpdate)
        .onMessage(Roll.class, this::onRoll)
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
    getContext().getLog().info("Chaos settings changed to {}", settings);
    registry.tell(new ConnectionRegistry.ChaosChanged(settings));
    update.replyTo().tell(new Updated(settings, null));
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
