package edf;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The write side of one todo: an event-sourced, sharded entity (one per todo id) that owns the todo
 * and the FIFO queue of its accepted commands. A command is queued durably ({@link Queued}) before
 * its user's ledger answers 202, waits its rolled delay at the head of the queue, and its outcome is
 * stored ({@link Processed}) before it goes to the user's {@link UserLedger} and, as a {@link
 * TodoEvent}, to everyone. After a restart, a passivation or a move to another node the queue is
 * recovered from the journal and processing goes on where it stopped.
 *
 * <p>Enqueue is idempotent per command id: a command already queued is acknowledged again, and one
 * already processed (among the newest {@value #RECENT} of this todo) has its outcome sent again, so a
 * ledger may repeat an Enqueue whenever it is unsure it arrived.
 */
public final class CommandProcessor
    extends EventSourcedBehavior<CommandProcessor.Command, CommandProcessor.Event, CommandProcessor.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "CommandProcessor");

  /** Every event of every todo carries this tag: the read side follows it in the journal. */
  public static final String TAG = "todo";

  /** How many processed command ids (with their outcomes) a todo remembers, for repeated Enqueues. */
  static final int RECENT = 256;

  public sealed interface Command extends CborSerializable {}

  /**
   * Queue a command; answered with {@link Enqueued} once it is stored (or was already), or with
   * {@link QueueFull} when `max-queued` commands wait already (then, and for every repeat of it, it
   * is never queued: the refusal is stored).
   */
  public record Enqueue(TodoCommand command, ActorRef<EnqueueReply> replyTo) implements Command {}

  public sealed interface EnqueueReply extends CborSerializable {
    String commandId();
  }

  public record Enqueued(String commandId) implements EnqueueReply {}

  public record QueueFull(String commandId) implements EnqueueReply {}

  /** How many commands wait in this todo's queue (the one in its delay included). */
  public record GetQueued(ActorRef<Integer> replyTo) implements Command {}

  /** Starts the entity so that it goes on with its stored queue; nothing else. */
  public enum Wake implements Command {
    INSTANCE
  }

  /**
   * What sharding sends when it stops this entity (passivation, or handing its shard to another
   * node). Whatever is queued is in the journal; if anything is, the entity wakes itself again
   * through sharding so that the next incarnation, here or elsewhere, goes on with it.
   */
  public enum Stop implements Command {
    INSTANCE
  }

  private enum ProcessNext implements Command {
    INSTANCE
  }

  public sealed interface Event extends Stored {}

  public record Queued(TodoCommand command) implements Event {}

  /** The head of the queue was processed; `outcome.data()` is the todo after it when it succeeded. */
  public record Processed(CommandOutcome outcome) implements Event {}

  /**
   * A command was refused because the queue was full: a repeat of its Enqueue (one still on its
   * way, or after the ledger's restart) is refused again, never queued. Not tagged: the read side
   * has nothing to learn from it.
   */
  public record Refused(String commandId) implements Event {}

  /** The stored form of {@link State}; `refused` is null in snapshots stored before it existed. */
  public record Snapshot(Todo todo, List<TodoCommand> queue, List<CommandOutcome> recent, List<String> refused)
      implements Stored {}

  /** Changed only by the event handler; copied into a {@link Snapshot} when one is stored. */
  public static final class State {
    Todo todo;
    final ArrayDeque<TodoCommand> queue = new ArrayDeque<>();
    final Map<String, CommandOutcome> recent = Bounded.map(RECENT);
    /** The newest refused command ids (the values mean nothing). */
    final Map<String, Boolean> refused = Bounded.map(RECENT);

    boolean isQueued(String commandId) {
      for (TodoCommand c : queue) if (c.commandId().equals(commandId)) return true;
      return false;
    }
  }

  /** Where outcomes go: the issuing user's ledger, the topic everyone listens to, and sharding. */
  public interface Outlet {
    void outcome(CommandOutcome outcome);

    void event(TodoEvent event);

    /** Sends {@link Wake} to this todo's entity through sharding. */
    void wake(String entityId);
  }

  public static void init(ActorSystem<?> system, ActorRef<Topic.Command<TodoEvent>> events, int maxQueued) {
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

          @Override
          public void wake(String entityId) {
            sharding.entityRefFor(ENTITY_TYPE_KEY, entityId).tell(Wake.INSTANCE);
          }
        };
    sharding.init(
        Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), maxQueued, outlet, Clock.systemUTC(), ctx.getShard()))
            .withStopMessage(Stop.INSTANCE));
  }

  /**
   * @param maxQueued the most commands that may wait in the queue (edf.limits.queued-per-todo)
   * @param shard asked to passivate this entity once its todo is deleted and nothing waits; null in tests
   */
  public static Behavior<Command> create(
      String entityId, int maxQueued, Outlet outlet, Clock clock, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new CommandProcessor(ctx, timers, entityId, maxQueued, outlet, clock, shard)));
  }

  public static PersistenceId persistenceId(String entityId) {
    return PersistenceId.of(ENTITY_TYPE_KEY.name(), entityId);
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final String entityId;
  private final int maxQueued;
  private final Outlet outlet;
  private final Clock clock;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  /** A ProcessNext is on its way for the head of the queue. */
  private boolean headScheduled;
  private boolean passivating;

  private CommandProcessor(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String entityId,
      int maxQueued,
      Outlet outlet,
      Clock clock,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    super(
        persistenceId(entityId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.context = context;
    this.timers = timers;
    this.entityId = entityId;
    this.maxQueued = maxQueued;
    this.outlet = outlet;
    this.clock = clock;
    this.shard = shard;
  }

  @Override
  public State emptyState() {
    return new State();
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Enqueue.class, this::onEnqueue)
        .onCommand(ProcessNext.class, (state, next) -> onProcessNext(state))
        .onCommand(GetQueued.class, (state, get) -> Effect().none().thenRun(s -> get.replyTo().tell(s.queue.size())))
        .onCommand(Wake.class, (state, wake) -> Effect().none())
        .onCommand(Stop.class, (state, stop) -> onStop(state))
        .build();
  }

  private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onEnqueue(State state, Enqueue enqueue) {
    String commandId = enqueue.command().commandId();
    if (state.isQueued(commandId)) {
      return Effect().none().thenRun(s -> enqueue.replyTo().tell(new Enqueued(commandId)));
    }
    CommandOutcome done = state.recent.get(commandId);
    if (done != null) {
      return Effect().none().thenRun(s -> {
        enqueue.replyTo().tell(new Enqueued(commandId));
        outlet.outcome(done);
      });
    }
    if (state.refused.containsKey(commandId) || state.queue.size() >= maxQueued) {
      QueueFull full = new QueueFull(commandId);
      if (state.refused.containsKey(commandId)) return Effect().none().thenRun(s -> enqueue.replyTo().tell(full));
      return Effect().persist(new Refused(commandId)).thenRun(s -> enqueue.replyTo().tell(full));
    }
    return Effect()
        .persist(new Queued(enqueue.command()))
        .thenRun(s -> {
          enqueue.replyTo().tell(new Enqueued(commandId));
          TodoCommand c = enqueue.command();
          outlet.event(new TodoEvent.Pending(entityId, commandId, c.userId(), c.acceptedAt(), lastSequenceNumber(context)));
          scheduleHead(s);
        });
  }

  private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onProcessNext(State state) {
    headScheduled = false;
    TodoCommand head = state.queue.peekFirst();
    if (head == null) return Effect().none();
    CommandOutcome outcome = apply(state.todo, head);
    return Effect()
        .persist(new Processed(outcome))
        .thenRun(s -> {
          outlet.event(toEvent(outcome, lastSequenceNumber(context)));
          outlet.outcome(outcome);
          scheduleHead(s);
          // nothing to keep in memory (no todo, nothing queued): the journal has it all
          if (s.todo == null && s.queue.isEmpty() && shard != null && !passivating) {
            passivating = true;
            shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
          }
        });
  }

  private org.apache.pekko.persistence.typed.javadsl.Effect<Event, State> onStop(State state) {
    boolean pending = !state.queue.isEmpty();
    return Effect().none().thenRun(s -> { if (pending) outlet.wake(entityId); }).thenStop();
  }

  private void scheduleHead(State state) {
    TodoCommand head = state.queue.peekFirst();
    if (head == null || headScheduled) return;
    headScheduled = true;
    if (head.delayMs() <= 0) context.getSelf().tell(ProcessNext.INSTANCE);
    else timers.startSingleTimer(ProcessNext.INSTANCE, Duration.ofMillis(head.delayMs()));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Queued.class, (state, queued) -> {
          state.queue.addLast(queued.command());
          return state;
        })
        .onEvent(Processed.class, (state, processed) -> {
          CommandOutcome outcome = processed.outcome();
          state.queue.pollFirst();
          if (outcome.success()) state.todo = outcome.data();
          state.recent.put(outcome.commandId(), outcome);
          return state;
        })
        .onEvent(Refused.class, (state, refused) -> {
          state.refused.put(refused.commandId(), Boolean.TRUE);
          return state;
        })
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::scheduleHead)
        .build();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return event instanceof Refused ? Set.of() : Set.of(TAG);
  }

  /** Snapshots keep recovery short; the events stay: the read side replays them. */
  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        return new Snapshot(
            state.todo, List.copyOf(state.queue), List.copyOf(state.recent.values()), List.copyOf(state.refused.keySet()));
      }

      @Override
      public State fromJournal(Object from) {
        Snapshot snapshot = (Snapshot) from;
        State state = new State();
        state.todo = snapshot.todo();
        state.queue.addAll(snapshot.queue());
        snapshot.recent().forEach(o -> state.recent.put(o.commandId(), o));
        if (snapshot.refused() != null) snapshot.refused().forEach(id -> state.refused.put(id, Boolean.TRUE));
        return state;
      }
    };
  }

  private CommandOutcome apply(Todo todo, TodoCommand c) {
    if (c.fail()) return failure(c, "processing-failed", "Processing failed (simulated)", null);
    return switch (c.type()) {
      case CREATE -> todo != null
          ? failure(c, "already-exists", "A todo with this id already exists", todo)
          : success(c, new Todo(entityId, c.text(), false, 1, c.userId(), clock.instant()));
      case UPDATE -> {
        if (todo == null) yield failure(c, "not-found", "The todo does not exist", null);
        if (stale(todo, c)) yield conflict(todo, c);
        yield success(
            c,
            new Todo(
                entityId,
                Objects.requireNonNullElse(c.text(), todo.text()),
                Objects.requireNonNullElse(c.completed(), todo.completed()),
                todo.version() + 1,
                c.userId(),
                clock.instant()));
      }
      case DELETE -> {
        if (todo == null) yield failure(c, "not-found", "The todo does not exist", null);
        if (stale(todo, c)) yield conflict(todo, c);
        yield success(c, null);
      }
    };
  }

  private static boolean stale(Todo todo, TodoCommand c) {
    return c.expectedVersion() != null && c.expectedVersion() != todo.version();
  }

  private CommandOutcome conflict(Todo todo, TodoCommand c) {
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

  /** What everyone learns of an outcome stored with this sequence number. */
  static TodoEvent toEvent(CommandOutcome o, long seqNr) {
    return o.success()
        ? new TodoEvent.Changed(o.entityId(), o.commandId(), o.userId(), o.type(), o.data(), o.completedAt(), seqNr)
        : new TodoEvent.Failed(o.entityId(), o.commandId(), o.userId(), o.error().code(), o.completedAt(), seqNr);
  }

  /** What everyone learns of a stored event of a todo: the read side's view of the journal. */
  static TodoEvent toEvent(Event event, long seqNr) {
    if (event instanceof Processed processed) return toEvent(processed.outcome(), seqNr);
    TodoCommand c = ((Queued) event).command();
    return new TodoEvent.Pending(c.entityId(), c.commandId(), c.userId(), c.acceptedAt(), seqNr);
  }
}
