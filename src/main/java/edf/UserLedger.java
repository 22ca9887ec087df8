package edf;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
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
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * Everything personal to one user: an event-sourced, sharded entity (one per user id) that accepts
 * the user's commands exactly once per Idempotency-Key, remembers their statuses for GET
 * /api/commands/{id}, and numbers every message addressed to the user (command outcomes,
 * /internal/events) with the next `seq` of its `epoch` before it goes to all of the user's sockets.
 * It keeps a bounded history of those messages (count and age) so a socket that reconnects can
 * resume where it left off. All of it is stored: the epoch, the numbering, the keys and the history
 * survive restarts, passivation and moves to another node.
 *
 * <p>A command's way: {@link Accepted} is stored, then the todo's {@link CommandProcessor} is asked
 * to queue it, and the 202 goes out once the processor has stored it in its queue. Until then (and
 * after every recovery, for every command still open) the ledger repeats the Enqueue; the processor
 * ignores repeats and sends the outcome again for a command it already processed. {@link Sent} is
 * stored before a message goes to the sockets, and an outcome that comes twice is sent once. A
 * command the processor refuses (its queue is full: {@link CommandProcessor.QueueFull}) is stored
 * as {@link Refused} before anyone hears of it: forgotten with its key, never enqueued again, and
 * whoever waits for its 202 gets {@link #QUEUE_FULL}.
 * Bounded: at most `max-remembered-per-user` statuses and keys, `history-size` messages.
 */
public final class UserLedger
    extends EventSourcedBehavior<UserLedger.Command, UserLedger.Event, UserLedger.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "UserLedger");

  /** The reason in a StatusReply error when a key is reused with another request. */
  public static final String KEY_REUSED = "idempotency-key-reused";

  public static final String UNKNOWN_COMMAND = "unknown-command";

  /** The reason in a StatusReply error when the todo's queue is full: nothing was accepted. */
  public static final String QUEUE_FULL = "queue-full";

  /** The largest replay sent to a resuming socket (in characters, well under Artery's frame size). */
  private static final long MAX_REPLAY_CHARS = 1_000_000;

  /** How often an Enqueue that the processor has not acknowledged yet is sent again. */
  private static final Duration ENQUEUE_RETRY = Duration.ofSeconds(2);

  public sealed interface Command extends CborSerializable {}

  /**
   * Accept a command unless this key already accepted one: then answer with that first receipt,
   * or with an error when the request (its fingerprint) differs. `refusal` (null when none) is
   * the limit a new command would break (a todo limit the route found): a new command is then
   * answered with it as the error, while a retry of an accepted one still gets its receipt.
   */
  public record Accept(
      TodoCommand command,
      String idempotencyKey,
      String fingerprint,
      String refusal,
      ActorRef<StatusReply<Receipt>> replyTo)
      implements Command {

    public Accept(TodoCommand command, String idempotencyKey, String fingerprint, ActorRef<StatusReply<Receipt>> replyTo) {
      this(command, idempotencyKey, fingerprint, null, replyTo);
    }
  }

  public record Completed(CommandOutcome outcome) implements Command {}

  public record GetStatus(String commandId, ActorRef<StatusReply<CommandStatus>> replyTo)
      implements Command {}

  /**
   * A message from another service (POST /internal/events): a JSON object with `type`. `stored`
   * hears once it is numbered and stored in the user's history (the 202 waits for it).
   */
  public record Notify(String json, ActorRef<Done> stored) implements Command {}

  /**
   * A socket (re)connects: with the epoch and last seq it saw (both null for a fresh connection),
   * answered with what it missed, or with the current position when it cannot resume. The asking
   * `registry` (null when no one pushes) gets this user's next messages straight from here as
   * well, until it says {@link PubSubReached}: the cluster's pub-sub learns about a new node's
   * subscribers only within seconds, and a message it misses with none after it would leave a gap
   * nobody sees.
   */
  public record Sync(
      String epoch, Long lastSeq, ActorRef<SyncResult> replyTo, ActorRef<ConnectionRegistry.Command> registry)
      implements Command {}

  /** From a registry: pub-sub now brings it this user's messages; the direct copies can stop. */
  public record PubSubReached(ActorRef<ConnectionRegistry.Command> registry) implements Command {}

  private record RegistryGone(ActorRef<ConnectionRegistry.Command> registry) implements Command {}

  /** Sharding's stop message (passivation, or a move to another node). */
  public enum Stop implements Command {
    INSTANCE
  }

  /** Starts the entity (and with it the repeat of its open Enqueues); nothing else. */
  public enum Wake implements Command {
    INSTANCE
  }

  private record WrappedEnqueued(CommandProcessor.EnqueueReply reply) implements Command {}

  private enum RetryEnqueue implements Command {
    INSTANCE
  }

  /** How a connection starts: fresh (from `seq`), resumed (after `replay`), or told to resync. */
  public enum SyncMode {
    FRESH,
    RESUMED,
    RESYNC
  }

  public record SyncResult(SyncMode mode, String epoch, long seq, List<Delivery> replay)
      implements CborSerializable {}

  /** The 202 body; `userSeq` is the user's last issued seq at acceptance: the outcome comes later. */
  public record Receipt(String commandId, String entityId, String status, long userSeq)
      implements CborSerializable {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CommandStatus(
      String commandId,
      String entityId,
      TodoCommand.Type type,
      String status,
      CommandOutcome.ErrorInfo error,
      @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = Json.TIMESTAMP_PATTERN, timezone = "UTC")
          Instant acceptedAt,
      @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = Json.TIMESTAMP_PATTERN, timezone = "UTC")
          Instant completedAt)
      implements CborSerializable {

    CommandStatus complete(CommandOutcome o) {
      return new CommandStatus(
          commandId, entityId, type, o.success() ? "succeeded" : "failed", o.error(), acceptedAt, o.completedAt());
    }

    boolean open() {
      return "accepted".equals(status);
    }
  }

  public sealed interface Event extends Stored {}

  /** The user's numbering starts (once, ever: the epoch survives restarts). */
  public record EpochStarted(String epoch) implements Event {}

  public record Accepted(TodoCommand command, String idempotencyKey, String fingerprint, long userSeq)
      implements Event {}

  /** A personal message numbered `seq + 1`: a command's outcome (with `outcome`) or an ingested event. */
  public record Sent(CommandOutcome outcome, String json, Instant at) implements Event {}

  /**
   * The todo's processor refused an accepted command (its queue was full): it is forgotten, with its
   * key, so a retry with that key is a new request; never enqueued again, not even after a restart.
   */
  public record Refused(String commandId, String idempotencyKey) implements Event {}

  /** The stored form of {@link State}. */
  public record Snapshot(
      String epoch,
      long seq,
      List<Remembered> keys,
      List<CommandStatus> statuses,
      List<TodoCommand> open,
      List<Delivery> history,
      List<Instant> historyAt)
      implements Stored {}

  public record Remembered(String key, String fingerprint, Receipt receipt) {}

  /** Changed only by the event handler; copied into a {@link Snapshot} when one is stored. */
  public static final class State {
    String epoch;
    long seq;
    final Map<String, Remembered> keys;
    final Map<String, CommandStatus> statuses;
    /** Accepted and without an outcome yet, in order of acceptance. */
    final Map<String, TodoCommand> open = new LinkedHashMap<>();
    final ArrayDeque<Delivery> history = new ArrayDeque<>();
    final ArrayDeque<Instant> historyAt = new ArrayDeque<>();

    State(int maxRemembered) {
      keys = Bounded.map(maxRemembered);
      statuses = Bounded.map(maxRemembered);
    }
  }

  /** Where the ledger's work goes: the todo's processor and the user's sockets. */
  public interface Outlet {
    void enqueue(TodoCommand command, ActorRef<CommandProcessor.EnqueueReply> replyTo);

    void deliver(Delivery delivery);

    /** Sends {@link Wake} to this user's entity through sharding. */
    void wake(String userId);
  }

  public static void init(ActorSystem<?> system, Settings settings, ActorRef<Topic.Command<Delivery>> deliveries) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Wire wire = new Wire(Json.mapper(system));
    Outlet outlet =
        new Outlet() {
          @Override
          public void enqueue(TodoCommand command, ActorRef<CommandProcessor.EnqueueReply> replyTo) {
            sharding
                .entityRefFor(CommandProcessor.ENTITY_TYPE_KEY, command.entityId())
                .tell(new CommandProcessor.Enqueue(command, replyTo));
          }

          @Override
          public void deliver(Delivery delivery) {
            deliveries.tell(Topic.publish(delivery));
          }

          @Override
          public void wake(String userId) {
            sharding.entityRefFor(ENTITY_TYPE_KEY, userId).tell(Wake.INSTANCE);
          }
        };
    sharding.init(
        Entity.of(
                ENTITY_TYPE_KEY,
                ctx -> create(ctx.getEntityId(), settings.maxRememberedPerUser(), settings.history(), outlet, wire, Clock.systemUTC()))
            .withStopMessage(Stop.INSTANCE));
  }

  public static Behavior<Command> create(
      String userId, int maxRemembered, Settings.History history, Outlet outlet, Wire wire, Clock clock) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new UserLedger(ctx, timers, userId, maxRemembered, history, outlet, wire, clock)));
  }

  public static PersistenceId persistenceId(String userId) {
    return PersistenceId.of(ENTITY_TYPE_KEY.name(), userId);
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final String userId;
  private final int maxRemembered;
  private final Settings.History historySettings;
  private final Outlet outlet;
  private final Wire wire;
  private final Clock clock;
  private final ActorRef<CommandProcessor.EnqueueReply> enqueuedAdapter;
  /** Commands whose Enqueue the processor has not acknowledged in this incarnation, and who waits for the 202. */
  private final Map<String, List<Waiting>> unconfirmed = new LinkedHashMap<>();
  /** Registries that get this user's messages directly until pub-sub reaches them; one per node at most. */
  private final java.util.Set<ActorRef<ConnectionRegistry.Command>> direct = new java.util.HashSet<>();

  private record Waiting(ActorRef<StatusReply<Receipt>> replyTo, Receipt receipt) {}

  private UserLedger(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String userId,
      int maxRemembered,
      Settings.History historySettings,
      Outlet outlet,
      Wire wire,
      Clock clock) {
    super(
        persistenceId(userId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.context = context;
    this.timers = timers;
    this.userId = userId;
    this.maxRemembered = maxRemembered;
    this.historySettings = historySettings;
    this.outlet = outlet;
    this.wire = wire;
    this.clock = clock;
    this.enqueuedAdapter = context.messageAdapter(CommandProcessor.EnqueueReply.class, WrappedEnqueued::new);
  }

  @Override
  public State emptyState() {
    return new State(maxRemembered);
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Accept.class, this::onAccept)
        .onCommand(WrappedEnqueued.class, this::onEnqueued)
        .onCommand(RetryEnqueue.class, (state, retry) -> onRetryEnqueue(state))
        .onCommand(Completed.class, this::onCompleted)
        .onCommand(GetStatus.class, this::onGetStatus)
        .onCommand(Notify.class, this::onNotify)
        .onCommand(Sync.class, this::onSync)
        .onCommand(PubSubReached.class, (state, reached) -> stopDirect(reached.registry()))
        .onCommand(RegistryGone.class, (state, gone) -> stopDirect(gone.registry()))
        .onCommand(Wake.class, (state, wake) -> Effect().none())
        .onCommand(Stop.class, (state, stop) -> onStop(state))
        .build();
  }

  private Effect<Event, State> onAccept(State state, Accept accept) {
    TodoCommand command = accept.command();
    if (accept.idempotencyKey() != null) {
      Remembered earlier = state.keys.get(accept.idempotencyKey());
      if (earlier != null) {
        if (!earlier.fingerprint().equals(accept.fingerprint())) {
          return Effect().none().thenRun(s -> accept.replyTo().tell(StatusReply.error(KEY_REUSED)));
        }
        String commandId = earlier.receipt().commandId();
        if (unconfirmed.containsKey(commandId)) {
          // its 202 has not gone out yet: answer once the processor has it
          return Effect().none().thenRun(s -> unconfirmed.get(commandId).add(new Waiting(accept.replyTo(), earlier.receipt())));
        }
        return Effect().none().thenRun(s -> accept.replyTo().tell(StatusReply.success(earlier.receipt())));
      }
    }
    if (accept.refusal() != null) {
      return Effect().none().thenRun(s -> accept.replyTo().tell(StatusReply.error(accept.refusal())));
    }
    List<Event> events = new ArrayList<>(2);
    if (state.epoch == null) events.add(new EpochStarted(Ids.random()));
    events.add(new Accepted(command, accept.idempotencyKey(), accept.fingerprint(), state.seq));
    Receipt receipt = new Receipt(command.commandId(), command.entityId(), "accepted", state.seq);
    return Effect()
        .persist(events)
        .thenRun(s -> {
          unconfirmed.computeIfAbsent(command.commandId(), id -> new ArrayList<>()).add(new Waiting(accept.replyTo(), receipt));
          enqueue(command);
        });
  }

  private void enqueue(TodoCommand command) {
    outlet.enqueue(command, enqueuedAdapter);
    if (!timers.isTimerActive(RetryEnqueue.INSTANCE)) {
      timers.startTimerWithFixedDelay(RetryEnqueue.INSTANCE, ENQUEUE_RETRY);
    }
  }

  private Effect<Event, State> onEnqueued(State state, WrappedEnqueued wrapped) {
    if (wrapped.reply() instanceof CommandProcessor.QueueFull full) return onQueueFull(state, full.commandId());
    confirm(wrapped.reply().commandId());
    return Effect().none();
  }

  /**
   * The processor refused the command (its queue is full, and it stored that): the refusal is
   * stored here too before anyone hears of it, so no incarnation of this ledger enqueues it again;
   * whoever waits for its 202 gets {@link #QUEUE_FULL} instead.
   */
  private Effect<Event, State> onQueueFull(State state, String commandId) {
    if (!state.open.containsKey(commandId)) return Effect().none(); // refused before: a repeated answer
    String key = null;
    for (Remembered remembered : state.keys.values()) {
      if (remembered.receipt().commandId().equals(commandId)) key = remembered.key();
    }
    return Effect()
        .persist(new Refused(commandId, key))
        .thenRun(s -> {
          List<Waiting> waiting = unconfirmed.remove(commandId);
          if (unconfirmed.isEmpty()) timers.cancel(RetryEnqueue.INSTANCE);
          if (waiting != null) waiting.forEach(w -> w.replyTo().tell(StatusReply.error(QUEUE_FULL)));
        });
  }

  /** The command is in its processor's queue (or already processed): the 202 can go out. */
  private void confirm(String commandId) {
    List<Waiting> waiting = unconfirmed.remove(commandId);
    if (unconfirmed.isEmpty()) timers.cancel(RetryEnqueue.INSTANCE);
    if (waiting != null) waiting.forEach(w -> w.replyTo().tell(StatusReply.success(w.receipt())));
  }

  private Effect<Event, State> onRetryEnqueue(State state) {
    for (String commandId : List.copyOf(unconfirmed.keySet())) {
      TodoCommand command = state.open.get(commandId);
      if (command == null) confirm(commandId); // its outcome came meanwhile
      else outlet.enqueue(command, enqueuedAdapter);
    }
    if (unconfirmed.isEmpty()) timers.cancel(RetryEnqueue.INSTANCE);
    return Effect().none();
  }

  private Effect<Event, State> onCompleted(State state, Completed completed) {
    CommandOutcome outcome = completed.outcome();
    CommandStatus status = state.statuses.get(outcome.commandId());
    // an outcome sent again (after a repeated Enqueue) is delivered once
    if (status != null && !status.open()) {
      return Effect().none().thenRun(s -> confirm(outcome.commandId()));
    }
    return send(state, outcome, seq -> wire.outcome(outcome, seq.epoch, seq.next))
        .thenRun(s -> confirm(outcome.commandId()));
  }

  private Effect<Event, State> onNotify(State state, Notify notify) {
    return send(state, null, seq -> wire.personal(notify.json(), seq.epoch, seq.next))
        .thenRun(s -> notify.stored().tell(Done.getInstance()));
  }

  private record Position(String epoch, long next) {}

  /** Stores the next numbered message, then publishes it to the user's sockets. */
  private org.apache.pekko.persistence.typed.javadsl.EffectBuilder<Event, State> send(
      State state, CommandOutcome outcome, java.util.function.Function<Position, String> render) {
    List<Event> events = new ArrayList<>(2);
    String epoch = state.epoch;
    if (epoch == null) {
      epoch = Ids.random();
      events.add(new EpochStarted(epoch));
    }
    events.add(new Sent(outcome, render.apply(new Position(epoch, state.seq + 1)), clock.instant()));
    return Effect().persist(events).thenRun(s -> deliver(s.history.peekLast()));
  }

  private void deliver(Delivery delivery) {
    outlet.deliver(delivery);
    if (direct.isEmpty()) return;
    ConnectionRegistry.Direct copy = new ConnectionRegistry.Direct(delivery);
    for (ActorRef<ConnectionRegistry.Command> registry : direct) registry.tell(copy);
  }

  private Effect<Event, State> stopDirect(ActorRef<ConnectionRegistry.Command> registry) {
    if (direct.remove(registry)) context.unwatch(registry);
    return Effect().none();
  }

  private Effect<Event, State> onGetStatus(State state, GetStatus get) {
    CommandStatus status = state.statuses.get(get.commandId());
    return Effect()
        .none()
        .thenRun(s -> get.replyTo().tell(status == null ? StatusReply.error(UNKNOWN_COMMAND) : StatusReply.success(status)));
  }

  private Effect<Event, State> onSync(State state, Sync sync) {
    if (sync.registry() != null && direct.add(sync.registry())) {
      context.watchWith(sync.registry(), new RegistryGone(sync.registry()));
    }
    if (state.epoch == null) {
      return Effect()
          .persist(new EpochStarted(Ids.random()))
          .thenRun(s -> sync.replyTo().tell(new SyncResult(SyncMode.FRESH, s.epoch, s.seq, List.of())));
    }
    return Effect().none().thenRun(s -> sync.replyTo().tell(syncResult(s, sync)));
  }

  private SyncResult syncResult(State state, Sync sync) {
    if (sync.epoch() == null || sync.lastSeq() == null) {
      return new SyncResult(SyncMode.FRESH, state.epoch, state.seq, List.of());
    }
    // what is older than the history's age is no longer offered
    Instant oldest = clock.instant().minus(historySettings.maxAge());
    List<Delivery> kept = new ArrayList<>();
    var at = state.historyAt.iterator();
    for (Delivery delivery : state.history) {
      if (!at.next().isBefore(oldest)) kept.add(delivery);
    }
    long oldestKept = kept.isEmpty() ? state.seq + 1 : kept.get(0).seq();
    boolean canResume =
        state.epoch.equals(sync.epoch()) && sync.lastSeq() <= state.seq && sync.lastSeq() >= oldestKept - 1;
    if (!canResume) return new SyncResult(SyncMode.RESYNC, state.epoch, state.seq, List.of());
    List<Delivery> missed = new ArrayList<>();
    long chars = 0;
    for (Delivery delivery : kept) {
      if (delivery.seq() <= sync.lastSeq()) continue;
      missed.add(delivery);
      chars += delivery.json().length();
    }
    // a replay must fit one message between nodes; a gap that large is better refetched
    return chars > MAX_REPLAY_CHARS
        ? new SyncResult(SyncMode.RESYNC, state.epoch, state.seq, List.of())
        : new SyncResult(SyncMode.RESUMED, state.epoch, state.seq, List.copyOf(missed));
  }

  private Effect<Event, State> onStop(State state) {
    boolean waiting = !unconfirmed.isEmpty();
    return Effect().none().thenRun(s -> { if (waiting) outlet.wake(userId); }).thenStop();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(EpochStarted.class, (state, started) -> {
          state.epoch = started.epoch();
          return state;
        })
        .onEvent(Accepted.class, this::applyAccepted)
        .onEvent(Sent.class, this::applySent)
        .onEvent(Refused.class, (state, refused) -> {
          state.open.remove(refused.commandId());
          state.statuses.remove(refused.commandId());
          if (refused.idempotencyKey() != null) state.keys.remove(refused.idempotencyKey());
          return state;
        })
        .build();
  }

  private State applyAccepted(State state, Accepted accepted) {
    TodoCommand command = accepted.command();
    Receipt receipt = new Receipt(command.commandId(), command.entityId(), "accepted", accepted.userSeq());
    if (accepted.idempotencyKey() != null) {
      state.keys.put(accepted.idempotencyKey(), new Remembered(accepted.idempotencyKey(), accepted.fingerprint(), receipt));
    }
    state.statuses.put(
        command.commandId(),
        new CommandStatus(command.commandId(), command.entityId(), command.type(), "accepted", null, command.acceptedAt(), null));
    state.open.put(command.commandId(), command);
    return state;
  }

  private State applySent(State state, Sent sent) {
    state.seq++;
    CommandOutcome outcome = sent.outcome();
    String commandId = outcome == null ? null : outcome.commandId();
    if (outcome != null) {
      state.statuses.computeIfPresent(commandId, (id, status) -> status.complete(outcome));
      state.open.remove(commandId);
    }
    state.history.addLast(new Delivery(userId, state.epoch, state.seq, commandId, sent.json()));
    state.historyAt.addLast(sent.at());
    Instant oldest = sent.at().minus(historySettings.maxAge());
    while (state.history.size() > historySettings.size()
        || (!state.historyAt.isEmpty() && state.historyAt.peekFirst().isBefore(oldest))) {
      state.history.removeFirst();
      state.historyAt.removeFirst();
    }
    return state;
  }

  /** After a restart every open command is offered to its processor again: nothing accepted is left behind. */
  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          for (TodoCommand command : state.open.values()) {
            unconfirmed.putIfAbsent(command.commandId(), new ArrayList<>());
            enqueue(command);
          }
        })
        .build();
  }

  /**
   * A snapshot holds the whole state (up to 2,000 statuses and keys and 1,000 messages: about a
   * megabyte for a busy user), so it is taken rarely; replaying up to 1,000 small events is quick.
   */
  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(1000, 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        return new Snapshot(
            state.epoch,
            state.seq,
            List.copyOf(state.keys.values()),
            List.copyOf(state.statuses.values()),
            List.copyOf(state.open.values()),
            List.copyOf(state.history),
            List.copyOf(state.historyAt));
      }

      @Override
      public State fromJournal(Object from) {
        Snapshot snapshot = (Snapshot) from;
        State state = new State(maxRemembered);
        state.epoch = snapshot.epoch();
        state.seq = snapshot.seq();
        snapshot.keys().forEach(r -> state.keys.put(r.key(), r));
        snapshot.statuses().forEach(s -> state.statuses.put(s.commandId(), s));
        snapshot.open().forEach(c -> state.open.put(c.commandId(), c));
        state.history.addAll(snapshot.history());
        state.historyAt.addAll(snapshot.historyAt());
        return state;
      }
    };
  }
}
