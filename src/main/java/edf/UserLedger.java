package edf;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;

/**
 * Everything personal to one user: a sharded entity (one per user id) that accepts the user's
 * commands exactly once per Idempotency-Key, remembers their statuses for GET /api/commands/{id},
 * and numbers every message addressed to the user (command outcomes, /internal/events) with the
 * next `seq` of its `epoch` before it goes to all of the user's sockets. It keeps a bounded
 * history of those messages (count and age) so a socket that reconnects can resume where it left
 * off. The epoch is new whenever this actor starts: history from before is gone, clients resync.
 * Bounded: at most `max-remembered-per-user` statuses and keys, `history-size` messages.
 */
public final class UserLedger extends AbstractBehavior<UserLedger.Command> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "UserLedger");

  /** The reason in a StatusReply error when a key is reused with another request. */
  public static final String KEY_REUSED = "idempotency-key-reused";

  public static final String UNKNOWN_COMMAND = "unknown-command";

  /** The largest replay sent to a resuming socket (in characters, well under Artery's frame size). */
  private static final long MAX_REPLAY_CHARS = 1_000_000;

  public sealed interface Command extends CborSerializable {}

  /**
   * Accept a command unless this key already accepted one: then answer with that first receipt,
   * or with an error when the request (its fingerprint) differs.
   */
  public record Accept(
      TodoCommand command,
      String idempotencyKey,
      String fingerprint,
      ActorRef<StatusReply<Receipt>> replyTo)
      implements Command {}

  public record Completed(CommandOutcome outcome) implements Command {}

  public record GetStatus(String commandId, ActorRef<StatusReply<CommandStatus>> replyTo)
      implements Command {}

  /** A message from another service (POST /internal/events): a JSON object with `type`. */
  public record Notify(String json) implements Command {}

  /**
   * A socket (re)connects: with the epoch and last seq it saw (both null for a fresh connection),
   * answered with what it missed, or with the current position when it cannot resume.
   */
  public record Sync(String epoch, Long lastSeq, ActorRef<SyncResult> replyTo) implements Command {}

  /** How a connection starts: fresh (from `seq`), resumed (after `replay`), or told to resync. */
  public enum SyncMode {
    FRESH,
    RESUMED,
    RESYNC
  }

  public record SyncResult(SyncMode mode, String epoch, long seq, java.util.List<Delivery> replay)
      implements CborSerializable {}

  private enum Idle implements Command {
    INSTANCE
  }

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
  }

  /** Where the ledger's work goes: the todo's processor, the todo topic, the user's sockets. */
  public interface Outlet {
    void enqueue(TodoCommand command);

    void event(TodoEvent event);

    void deliver(Delivery delivery);
  }

  private record Remembered(String fingerprint, Receipt receipt) {}

  public static void init(
      ActorSystem<?> system,
      Settings settings,
      ActorRef<Topic.Command<TodoEvent>> events,
      ActorRef<Topic.Command<Delivery>> deliveries) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Wire wire = new Wire(Json.mapper(system));
    Outlet outlet =
        new Outlet() {
          @Override
          public void enqueue(TodoCommand command) {
            sharding
                .entityRefFor(CommandProcessor.ENTITY_TYPE_KEY, command.entityId())
                .tell(new CommandProcessor.Enqueue(command));
          }

          @Override
          public void event(TodoEvent event) {
            events.tell(Topic.publish(event));
          }

          @Override
          public void deliver(Delivery delivery) {
            deliveries.tell(Topic.publish(delivery));
          }
        };
    sharding.init(
        Entity.of(
            ENTITY_TYPE_KEY,
            ctx ->
                Behaviors.setup(
                    c -> {
                      c.setReceiveTimeout(settings.userIdleTimeout(), Idle.INSTANCE);
                      return new UserLedger(
                          c, ctx.getEntityId(), settings.maxRememberedPerUser(), settings.history(), outlet, wire, ctx.getShard());
                    })));
  }

  /** For tests: a ledger without sharding around it. */
  public static Behavior<Command> create(
      String userId, int maxRemembered, Settings.History history, Outlet outlet, Wire wire) {
    return Behaviors.setup(ctx -> new UserLedger(ctx, userId, maxRemembered, history, outlet, wire, null));
  }

  private final String userId;
  private final Outlet outlet;
  private final Wire wire;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final Map<String, Remembered> keys;
  private final Map<String, CommandStatus> statuses;
  private final Settings.History historySettings;
  private final java.util.ArrayDeque<Sent> history = new java.util.ArrayDeque<>();
  private final String epoch = Ids.random();
  private long seq;

  private record Sent(Delivery delivery, Instant at) {}

  private UserLedger(
      ActorContext<Command> context,
      String userId,
      int maxRemembered,
      Settings.History historySettings,
      Outlet outlet,
      Wire wire,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    super(context);
    this.userId = userId;
    this.historySettings = historySettings;
    this.outlet = outlet;
    this.wire = wire;
    this.shard = shard;
    this.keys = bounded(maxRemembered);
    this.statuses = bounded(maxRemembered);
  }

  private static <V> Map<String, V> bounded(int max) {
    return new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    };
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Accept.class, this::onAccept)
        .onMessage(Completed.class, this::onCompleted)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(Notify.class, this::onNotify)
        .onMessage(Sync.class, this::onSync)
        .onMessageEquals(Idle.INSTANCE, this::onIdle)
        .build();
  }

  private Behavior<Command> onAccept(Accept accept) {
    TodoCommand command = accept.command();
    if (accept.idempotencyKey() != null) {
      Remembered earlier = keys.get(accept.idempotencyKey());
      if (earlier != null) {
        accept
            .replyTo()
            .tell(
                earlier.fingerprint().equals(accept.fingerprint())
                    ? StatusReply.success(earlier.receipt())
                    : StatusReply.error(KEY_REUSED));
        return this;
      }
    }
    Receipt receipt = new Receipt(command.commandId(), command.entityId(), "accepted", seq);
    if (accept.idempotencyKey() != null)
      keys.put(accept.idempotencyKey(), new Remembered(accept.fingerprint(), receipt));
    statuses.put(
        command.commandId(),
        new CommandStatus(
            command.commandId(), command.entityId(), command.type(), "accepted", null, command.acceptedAt(), null));
    outlet.event(new TodoEvent.Pending(command.entityId(), command.commandId(), userId, command.acceptedAt()));
    outlet.enqueue(command);
    accept.replyTo().tell(StatusReply.success(receipt));
    return this;
  }

  private Behavior<Command> onCompleted(Completed completed) {
    CommandOutcome outcome = completed.outcome();
    statuses.computeIfPresent(outcome.commandId(), (id, status) -> status.complete(outcome));
    send(outcome.commandId(), wire.outcome(outcome, epoch, seq + 1));
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus get) {
    CommandStatus status = statuses.get(get.commandId());
    get.replyTo().tell(status == null ? StatusReply.error(UNKNOWN_COMMAND) : StatusReply.success(status));
    return this;
  }

  private Behavior<Command> onNotify(Notify notify) {
    send(null, wire.personal(notify.json(), epoch, seq + 1));
    return this;
  }

  private void send(String commandId, String json) {
    seq++;
    Delivery delivery = new Delivery(userId, epoch, seq, commandId, json);
    Instant now = Instant.now();
    history.addLast(new Sent(delivery, now));
    prune(now);
    outlet.deliver(delivery);
  }

  private void prune(Instant now) {
    Instant oldest = now.minus(historySettings.maxAge());
    while (history.size() > historySettings.size()
        || (!history.isEmpty() && history.peekFirst().at().isBefore(oldest))) {
      history.removeFirst();
    }
  }

  private Behavior<Command> onSync(Sync sync) {
    prune(Instant.now());
    SyncResult result;
    if (sync.epoch() == null || sync.lastSeq() == null) {
      result = new SyncResult(SyncMode.FRESH, epoch, seq, java.util.List.of());
    } else if (canResume(sync.epoch(), sync.lastSeq())) {
      java.util.List<Delivery> missed = new java.util.ArrayList<>();
      long bytes = 0;
      for (Sent sent : history) {
        if (sent.delivery().seq() <= sync.lastSeq()) continue;
        missed.add(sent.delivery());
        bytes += sent.delivery().json().length();
      }
      // a replay must fit one message between nodes; a gap that large is better refetched
      result = bytes > MAX_REPLAY_CHARS
          ? new SyncResult(SyncMode.RESYNC, epoch, seq, java.util.List.of())
          : new SyncResult(SyncMode.RESUMED, epoch, seq, java.util.List.copyOf(missed));
    } else {
      result = new SyncResult(SyncMode.RESYNC, epoch, seq, java.util.List.of());
    }
    sync.replyTo().tell(result);
    return this;
  }

  /** Same epoch, not ahead of us, and nothing after lastSeq has been forgotten. */
  private boolean canResume(String clientEpoch, long lastSeq) {
    if (!epoch.equals(clientEpoch) || lastSeq > seq) return false;
    long oldestKept = history.isEmpty() ? seq + 1 : history.peekFirst().delivery().seq();
    return lastSeq >= oldestKept - 1;
  }


  private Behavior<Command> onIdle() {
    if (shard == null) return Behaviors.stopped();
    shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
    return this;
  }
}
