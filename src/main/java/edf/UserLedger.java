package edf;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
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
 * and sends every message addressed to the user (command outcomes, /internal/events) to all of the
 * user's sockets. Bounded: at most `max-remembered-per-user` statuses and keys.
 */
public final class UserLedger extends AbstractBehavior<UserLedger.Command> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "UserLedger");

  /** The reason in a StatusReply error when a key is reused with another request. */
  public static final String KEY_REUSED = "idempotency-key-reused";

  public static final String UNKNOWN_COMMAND = "unknown-command";

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

  /** A message from another service (POST /internal/events), rendered as JSON. */
  public record Notify(String json) implements Command {}

  private enum Idle implements Command {
    INSTANCE
  }

  public record Receipt(String commandId, String entityId, String status) implements CborSerializable {}

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
                          c, ctx.getEntityId(), settings.maxRememberedPerUser(), outlet, wire, ctx.getShard());
                    })));
  }

  /** For tests: a ledger without sharding around it. */
  public static Behavior<Command> create(String userId, int maxRemembered, Outlet outlet, Wire wire) {
    return Behaviors.setup(ctx -> new UserLedger(ctx, userId, maxRemembered, outlet, wire, null));
  }

  private final String userId;
  private final Outlet outlet;
  private final Wire wire;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final Map<String, Remembered> keys;
  private final Map<String, CommandStatus> statuses;

  private UserLedger(
      ActorContext<Command> context,
      String userId,
      int maxRemembered,
      Outlet outlet,
      Wire wire,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    super(context);
    this.userId = userId;
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
    Receipt receipt = new Receipt(command.commandId(), command.entityId(), "accepted");
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
    outlet.deliver(new Delivery(userId, wire.outcome(outcome)));
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus get) {
    CommandStatus status = statuses.get(get.commandId());
    get.replyTo().tell(status == null ? StatusReply.error(UNKNOWN_COMMAND) : StatusReply.success(status));
    return this;
  }

  private Behavior<Command> onNotify(Notify notify) {
    outlet.deliver(new Delivery(userId, notify.json()));
    return this;
  }

  private Behavior<Command> onIdle() {
    if (shard == null) return Behaviors.stopped();
    shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
    return this;
  }
}
