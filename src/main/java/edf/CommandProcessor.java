package edf;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The write side of one todo: a sharded entity (one per todo id) that holds the todo and a FIFO
 * queue of accepted commands. Each command waits its rolled delay, then is applied or fails; every
 * outcome goes to the issuing user's {@link UserLedger} and, as a {@link TodoEvent}, to everyone.
 */
public final class CommandProcessor extends AbstractBehavior<CommandProcessor.Command> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "CommandProcessor");

  public sealed interface Command extends CborSerializable {}

  public record Enqueue(TodoCommand command) implements Command {}

  /** How many commands wait in this todo's queue (the one in its delay included). */
  public record GetQueued(ActorRef<Integer> replyTo) implements Command {}

  private enum ProcessNext implements Command {
    INSTANCE
  }

  /**
   * What sharding sends once this entity asked to be passivated. Commands that reached the mailbox
   * before the shard started buffering are still queued: they are processed (with their delays)
   * before the entity stops, so none is lost; what arrives later waits in the shard for the next
   * incarnation.
   */
  public enum Stop implements Command {
    INSTANCE
  }

  /** Where outcomes go: the issuing user's ledger and the topic everyone's read side listens to. */
  public interface Outlet {
    void outcome(CommandOutcome outcome);

    void event(TodoEvent event);
  }

  public static void init(ActorSystem<?> system, ActorRef<Topic.Command<TodoEvent>> events) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Outlet outlet =
        new Outlet() {
          @Override
          public void outcome(CommandOutcome outcome) {
            sharding
                .entityRefFor(UserLedger.ENTITY_TYPE_KEY, outcome.userId())
                .tell(new UserLedger.Completed(outcome));
          }

          @Override
          public void event(TodoEvent event) {
            events.tell(Topic.publish(event));
          }
        };
    sharding.init(
        Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), outlet, Clock.systemUTC(), ctx.getShard()))
            .withStopMessage(Stop.INSTANCE));
  }

  /** @param shard asked to passivate this entity when it holds nothing; null in tests */
  public static Behavior<Command> create(
      String entityId, Outlet outlet, Clock clock, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new CommandProcessor(ctx, timers, entityId, outlet, clock, shard)));
  }

  private final TimerScheduler<Command> timers;
  private final String entityId;
  private final Outlet outlet;
  private final Clock clock;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final Deque<TodoCommand> queue = new ArrayDeque<>();
  private Todo todo;
  private boolean busy;
  /** Passivation was asked for: this incarnation is going to stop. */
  private boolean leaving;
  /** Sharding's stop message came: stop once the queue is empty. */
  private boolean stopping;

  private CommandProcessor(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String entityId,
      Outlet outlet,
      Clock clock,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    super(context);
    this.timers = timers;
    this.entityId = entityId;
    this.outlet = outlet;
    this.clock = clock;
    this.shard = shard;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Enqueue.class, this::onEnqueue)
        .onMessageEquals(ProcessNext.INSTANCE, this::onProcessNext)
        .onMessage(GetQueued.class, this::onGetQueued)
        .onMessageEquals(Stop.INSTANCE, this::onStop)
        .build();
  }

  private Behavior<Command> onEnqueue(Enqueue enqueue) {
    queue.addLast(enqueue.command());
    if (!busy) scheduleHead();
    return this;
  }

  private Behavior<Command> onStop() {
    leaving = true;
    stopping = true;
    return busy ? this : Behaviors.stopped();
  }

  private Behavior<Command> onGetQueued(GetQueued get) {
    get.replyTo().tell(queue.size());
    return this;
  }

  private void scheduleHead() {
    TodoCommand head = queue.peekFirst();
    busy = head != null;
    if (!busy) return;
    if (head.delayMs() <= 0) getContext().getSelf().tell(ProcessNext.INSTANCE);
    else timers.startSingleTimer(ProcessNext.INSTANCE, Duration.ofMillis(head.delayMs()));
  }

  private Behavior<Command> onProcessNext() {
    TodoCommand command = queue.pollFirst();
    if (command != null) {
      CommandOutcome outcome = apply(command);
      outlet.event(toEvent(outcome));
      outlet.outcome(outcome);
    }
    scheduleHead();
    if (stopping) return busy ? this : Behaviors.stopped();
    // nothing to keep (no todo, nothing queued): free the memory; a new incarnation is the same
    if (todo == null && queue.isEmpty() && shard != null && !leaving) {
      leaving = true;
      shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
    }
    return this;
  }

  private CommandOutcome apply(TodoCommand c) {
    if (c.fail()) return failure(c, "processing-failed", "Processing failed (simulated)", null);
    return switch (c.type()) {
      case CREATE -> {
        if (todo != null) yield failure(c, "already-exists", "A todo with this id already exists", todo);
        // a todo created now would be lost when this incarnation stops
        if (leaving) yield failure(c, "unloading", "This id was just freed and is being unloaded: create it again", null);
        todo = new Todo(entityId, c.text(), false, 1, c.userId(), clock.instant());
        yield success(c, todo);
      }
      case UPDATE -> {
        if (todo == null) yield failure(c, "not-found", "The todo does not exist", null);
        if (stale(c)) yield conflict(c);
        todo =
            new Todo(
                entityId,
                Objects.requireNonNullElse(c.text(), todo.text()),
                Objects.requireNonNullElse(c.completed(), todo.completed()),
                todo.version() + 1,
                c.userId(),
                clock.instant());
        yield success(c, todo);
      }
      case DELETE -> {
        if (todo == null) yield failure(c, "not-found", "The todo does not exist", null);
        if (stale(c)) yield conflict(c);
        todo = null;
        yield success(c, null);
      }
    };
  }

  private boolean stale(TodoCommand c) {
    return c.expectedVersion() != null && c.expectedVersion() != todo.version();
  }

  private CommandOutcome conflict(TodoCommand c) {
    return failure(
        c,
        "conflict",
        "Expected version " + c.expectedVersion() + " but the todo is at version " + todo.version(),
        todo);
  }

  private CommandOutcome success(TodoCommand c, Todo data) {
    return new CommandOutcome(
        c.commandId(), entityId, c.userId(), c.type(), true, data, null, clock.instant());
  }

  private CommandOutcome failure(TodoCommand c, String code, String message, Todo current) {
    return new CommandOutcome(
        c.commandId(),
        entityId,
        c.userId(),
        c.type(),
        false,
        current,
        new CommandOutcome.ErrorInfo(code, message),
        clock.instant());
  }

  private static TodoEvent toEvent(CommandOutcome o) {
    return o.success()
        ? new TodoEvent.Changed(o.entityId(), o.commandId(), o.userId(), o.type(), o.data(), o.completedAt())
        : new TodoEvent.Failed(o.entityId(), o.commandId(), o.userId(), o.error().code(), o.completedAt());
  }
}
