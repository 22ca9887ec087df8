package edf;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Maps user ids to the live WebSocket stream actors of that user (one user, many windows) and
 * knows which sockets follow which topic. Personal messages go to every socket of their user, in
 * `seq` order and at most once each, and to no one else; topic messages to every subscriber. One
 * registry per node, fed by the cluster-wide topics; it watches every socket and forgets it when
 * its stream ends.
 *
 * <p>A new socket first learns its position from the user's {@link UserLedger} (fresh, resumed
 * with the messages it missed, or resync); personal messages that arrive meanwhile wait for it, so
 * the replay comes before anything new.
 */
public final class ConnectionRegistry extends AbstractBehavior<ConnectionRegistry.Command> {

  /** Each node's registry is registered under this key with the receptionist. */
  public static final org.apache.pekko.actor.typed.receptionist.ServiceKey<Command> KEY =
      org.apache.pekko.actor.typed.receptionist.ServiceKey.create(Command.class, "connection-registry");

  public static final String TODOS = "todos";
  public static final String STATS = "stats";

  public sealed interface Command {}

  /** A new socket; `epoch` and `lastSeq` are what it saw before, both null on a fresh start. */
  public record Register(
      String userId, String windowId, ActorRef<SocketSession.Out> socket, String epoch, Long lastSeq)
      implements Command {}

  /** From {@link Presence}: a window appeared or moved. */
  public record PresenceChanged(Presence.Window window) implements Command {}

  /** From {@link Presence}: a window is gone. */
  public record PresenceLeft(String windowId, String userId) implements Command {}

  /** Answered with `subscribed`, sent after the socket is added so nothing later is missed. */
  public record Subscribe(ActorRef<SocketSession.Out> socket, String topic) implements Command {}

  public record Unsubscribe(ActorRef<SocketSession.Out> socket, String topic) implements Command {}

  /** The read side's counts, pushed as `stats` together with the registry's own. */
  public record TodoCounts(long todos, long queued) implements Command {}

  /** New chaos settings and the user who changed them (null: as configured at start). */
  public record ChaosChanged(ChaosSettings settings, String changedBy) implements Command {}

  public record GetConnections(ActorRef<Connections> replyTo) implements Command {}

  public record Connections(int sockets, int users) {}

  /**
   * Shutdown: close every socket with this code (sockets that register later too); answered once
   * none is left. The queue was drained before (see {@link TodoReadModel.AwaitDrained}); an outcome
   * still on its way reaches its user by resume, from the user's stored history.
   */
  public record CloseAll(int code, String reason, ActorRef<Connections> replyTo) implements Command {}

  /**
   * A personal message sent straight by the user's ledger, because this registry asked it for a
   * position and pub-sub may not reach this node yet (see {@link UserLedger.Sync}).
   */
  public record Direct(Delivery delivery) implements Command, CborSerializable {}

  private record SocketTerminated(ActorRef<SocketSession.Out> socket) implements Command {}

  private record WrappedDelivery(Delivery delivery) implements Command {}

  private record WrappedEvent(TodoEvent event) implements Command {}

  /** The answer to a socket's `attempt`-th ask (1 or 2) for its position after `epoch`/`lastSeq`. */
  private record Synced(
      ActorRef<SocketSession.Out> socket, int attempt, String epoch, Long lastSeq, UserLedger.SyncResult result, Throwable failure)
      implements Command {}

  /** Per socket: its user and topics; `pending` holds personal messages until its position is known. */
  private static final class SocketInfo {
    final String userId;
    final String windowId;
    final Set<String> topics = new HashSet<>();
    List<Delivery> pending = new ArrayList<>();
    /** False once the first position arrived: later syncs only repair gaps, quietly. */
    boolean connecting = true;
    String epoch;
    long lastSeq;

    SocketInfo(String userId, String windowId) {
      this.userId = userId;
      this.windowId = windowId;
    }

    boolean live() {
      return pending == null;
    }
  }

  private final Wire wire;
  private final Function<String, RecipientRef<UserLedger.Command>> ledgers;
  private final Duration resumeTimeout;
  private final int maxPending;
  private final int maxSocketsPerUser;
  private final Map<String, Set<ActorRef<SocketSession.Out>>> byUser = new HashMap<>();
  private final Map<ActorRef<SocketSession.Out>, SocketInfo> sockets = new HashMap<>();
  private final Map<String, Set<ActorRef<SocketSession.Out>>> subscribers =
      Map.of(TODOS, new HashSet<>(), STATS, new HashSet<>());
  private final List<ActorRef<Connections>> waitingForEmpty = new ArrayList<>();
  /** Every present window in the cluster, as {@link Presence} reports them: for snapshots. */
  private final Map<String, Presence.Window> presence = new java.util.LinkedHashMap<>();
  /**
   * Users (with sockets here) whose ledger sends their messages directly too, until pub-sub is seen
   * to bring one: then the ledger is told {@link UserLedger.PubSubReached}.
   */
  private final Set<String> direct = new HashSet<>();
  private CloseAll closing;


  public static Behavior<Command> create(
      Wire wire,
      ActorRef<Topic.Command<Delivery>> deliveries,
      ActorRef<Topic.Command<TodoEvent>> events,
      Function<String, RecipientRef<UserLedger.Command>> ledgers,
      Duration resumeTimeout,
      int maxPending,
      int maxSocketsPerUser) {
    return Behaviors.setup(
        ctx -> {
          deliveries.tell(Topic.subscribe(ctx.messageAdapter(Delivery.class, WrappedDelivery::new)));
          events.tell(Topic.subscribe(ctx.messageAdapter(TodoEvent.class, WrappedEvent::new)));
          return new ConnectionRegistry(ctx, wire, ledgers, resumeTimeout, maxPending, maxSocketsPerUser);
        });
  }

  public static boolean isTopic(String topic) {
    return TODOS.equals(topic) || STATS.equals(topic);
  }

  private ConnectionRegistry(
      ActorContext<Command> context,
      Wire wire,
      Function<String, RecipientRef<UserLedger.Command>> ledgers,
      Duration resumeTimeout,
      int maxPending,
      int maxSocketsPerUser) {
    super(context);
    this.wire = wire;
    this.ledgers = ledgers;
    this.resumeTimeout = resumeTimeout;
    this.maxPending = maxPending;
    this.maxSocketsPerUser = maxSocketsPerUser;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Register.class, this::onRegister)
        .onMessage(Synced.class, this::onSynced)
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Unsubscribe.class, this::onUnsubscribe)
        .onMessage(SocketTerminated.class, this::onSocketTerminated)
        .onMessage(WrappedDelivery.class, this::onDelivery)
        .onMessage(Direct.class, this::onDirect)
        .onMessage(WrappedEvent.class, this::onEvent)
        .onMessage(TodoCounts.class, this::onTodoCounts)
        .onMessage(ChaosChanged.class, this::onChaosChanged)
        .onMessage(GetConnections.class, this::onGetConnections)
        .onMessage(CloseAll.class, this::onCloseAll)
        .onMessage(PresenceChanged.class, this::onPresenceChanged)
        .onMessage(PresenceLeft.class, this::onPresenceLeft)
        .build();
  }

  private Behavior<Command> onRegister(Register register) {
    ActorRef<SocketSession.Out> socket = register.socket();
    Set<ActorRef<SocketSession.Out>> own = byUser.get(register.userId());
    if (own != null && own.size() >= maxSocketsPerUser && !own.contains(socket)) {
      // refused before it is known here: no position, no topics, no presence; closing one lets the next in
      socket.tell(new SocketSession.Push(wire.error("too-many-sockets",
          "At most " + maxSocketsPerUser + " sockets per user on this server; close one to open another")));
      socket.tell(new SocketSession.Close(SocketSession.TOO_MANY_SOCKETS, "too many sockets"));
      return this;
    }
    if (sockets.putIfAbsent(socket, new SocketInfo(register.userId(), register.windowId())) != null) return this;
    byUser.computeIfAbsent(register.userId(), u -> new HashSet<>()).add(socket);
    getContext().watchWith(socket, new SocketTerminated(socket));
    if (closing != null) {
      socket.tell(new SocketSession.Close(closing.code(), closing.reason()));
      return this;
    }
    sync(socket, register.userId(), register.epoch(), register.lastSeq(), 1);
    return this;
  }

  /**
   * Asks the user's ledger for the socket's position; from then on it also sends to this registry
   * directly. No answer within `resumeTimeout` is asked once more before the socket is closed: a
   * ledger that answers late (a node starting under a crowd of sockets) or an ask lost on its way
   * (a shard moving between nodes) costs a wait, not a reconnection.
   */
  private void sync(ActorRef<SocketSession.Out> socket, String userId, String epoch, Long lastSeq, int attempt) {
    direct.add(userId);
    ActorRef<Command> self = getContext().getSelf();
    getContext()
        .ask(
            UserLedger.SyncResult.class,
            ledgers.apply(userId),
            resumeTimeout,
            replyTo -> new UserLedger.Sync(epoch, lastSeq, replyTo, self),
            (result, failure) -> new Synced(socket, attempt, epoch, lastSeq, result, failure));
  }

  private Behavior<Command> onSynced(Synced synced) {
    SocketInfo info = sockets.get(synced.socket());
    if (info == null || info.live()) return this;
    if (synced.failure() != null && synced.attempt() == 1) {
      getContext().getLog().info("No position yet for a socket of {}: asking again", info.userId);
      sync(synced.socket(), info.userId, synced.epoch(), synced.lastSeq(), 2);
      return this;
    }
    if (synced.failure() != null) {
      getContext().getLog().warn("No position for a socket of {}: {}", info.userId, synced.failure().toString());
      synced.socket().tell(new SocketSession.Close(SocketSession.INTERNAL_ERROR, "try again"));
      return this;
    }
    UserLedger.SyncResult result = synced.result();
    if (!info.connecting) return repaired(synced.socket(), info, result);
    info.connecting = false;
    info.epoch = result.epoch();
    info.lastSeq = result.seq();
    switch (result.mode()) {
      case FRESH -> synced.socket().tell(new SocketSession.Push(wire.welcome(result.epoch(), result.seq(), info.windowId)));
      case RESYNC -> synced.socket().tell(new SocketSession.Push(wire.resync(result.epoch(), result.seq(), info.windowId)));
      case RESUMED -> {
        long from = result.replay().isEmpty() ? result.seq() + 1 : result.replay().get(0).seq();
        for (Delivery missed : result.replay()) synced.socket().tell(new SocketSession.Replayed(missed.json()));
        synced.socket().tell(new SocketSession.Replayed(wire.resumed(from, result.seq(), info.windowId)));
      }
    }
    List<Delivery> waiting = info.pending;
    info.pending = null;
    for (Delivery delivery : waiting) push(synced.socket(), info, delivery);
    return this;
  }

  /**
   * A gap closed from the user's history: what the socket missed, then what waited meanwhile.
   * When the history no longer has it, the socket is told to resync.
   */
  private Behavior<Command> repaired(ActorRef<SocketSession.Out> socket, SocketInfo info, UserLedger.SyncResult result) {
    List<Delivery> waiting = info.pending;
    info.pending = null;
    if (result.mode() == UserLedger.SyncMode.RESUMED) {
      for (Delivery missed : result.replay()) push(socket, info, missed);
    } else {
      socket.tell(new SocketSession.Push(wire.resync(result.epoch(), result.seq(), info.windowId)));
      info.epoch = result.epoch();
      info.lastSeq = result.seq();
    }
    for (Delivery delivery : waiting) push(socket, info, delivery);
    return this;
  }

  private Behavior<Command> onSubscribe(Subscribe subscribe) {
    SocketInfo info = sockets.get(subscribe.socket());
    if (info != null && isTopic(subscribe.topic())) {
      info.topics.add(subscribe.topic());
      subscribers.get(subscribe.topic()).add(subscribe.socket());
      subscribe.socket().tell(new SocketSession.Push(wire.topicReply("subscribed", subscribe.topic())));
      if (TODOS.equals(subscribe.topic())) {
        subscribe.socket().tell(new SocketSession.Push(wire.presenceSnapshot(List.copyOf(presence.values()))));
      }
    }
    return this;
  }

  private Behavior<Command> onPresenceChanged(PresenceChanged changed) {
    presence.put(changed.window().windowId(), changed.window());
    broadcast(TODOS, "presence:" + changed.window().windowId(), () -> wire.presenceChanged(changed.window()));
    return this;
  }

  private Behavior<Command> onPresenceLeft(PresenceLeft left) {
    if (presence.remove(left.windowId()) != null) {
      broadcast(TODOS, "presence:" + left.windowId(), () -> wire.presenceLeft(left.windowId(), left.userId()));
    }
    return this;
  }

  private Behavior<Command> onUnsubscribe(Unsubscribe unsubscribe) {
    SocketInfo info = sockets.get(unsubscribe.socket());
    if (info != null && isTopic(unsubscribe.topic())) {
      info.topics.remove(unsubscribe.topic());
      subscribers.get(unsubscribe.topic()).remove(unsubscribe.socket());
      unsubscribe.socket().tell(new SocketSession.Push(wire.topicReply("unsubscribed", unsubscribe.topic())));
    }
    return this;
  }

  private Behavior<Command> onSocketTerminated(SocketTerminated terminated) {
    SocketInfo info = sockets.remove(terminated.socket());
    if (info == null) return this;
    Set<ActorRef<SocketSession.Out>> own = byUser.get(info.userId);
    if (own != null) {
      own.remove(terminated.socket());
      if (own.isEmpty()) {
        byUser.remove(info.userId);
        direct.remove(info.userId);
      }
    }
    for (String topic : info.topics) subscribers.get(topic).remove(terminated.socket());
    if (sockets.isEmpty()) {
      waitingForEmpty.forEach(replyTo -> replyTo.tell(new Connections(0, 0)));
      waitingForEmpty.clear();
    }
    return this;
  }

  private Behavior<Command> onDelivery(WrappedDelivery wrapped) {
    Delivery delivery = wrapped.delivery();
    if (direct.remove(delivery.userId())) pubSubReached(delivery.userId());
    return deliver(delivery);
  }

  /** A copy straight from the ledger: pushed like any other (the one that comes second is skipped). */
  private Behavior<Command> onDirect(Direct copy) {
    Delivery delivery = copy.delivery();
    // pub-sub brought this user's messages already, or the user's last socket here is gone
    if (!direct.contains(delivery.userId())) pubSubReached(delivery.userId());
    return deliver(delivery);
  }

  private void pubSubReached(String userId) {
    ledgers.apply(userId).tell(new UserLedger.PubSubReached(getContext().getSelf()));
  }

  private Behavior<Command> deliver(Delivery delivery) {
    Set<ActorRef<SocketSession.Out>> own = byUser.get(delivery.userId());
    if (own == null) return this;
    for (ActorRef<SocketSession.Out> socket : own) {
      SocketInfo info = sockets.get(socket);
      if (info.live()) {
        push(socket, info, delivery);
      } else if (info.pending.size() < maxPending) {
        info.pending.add(delivery);
      } else {
        socket.tell(new SocketSession.Close(SocketSession.SLOW_CONSUMER, SocketSession.SLOW_CONSUMER_REASON));
      }
    }
    return this;
  }

  /**
   * In order and once: a delivery already covered by the socket's position is skipped; one that
   * leaves a gap (a message that did not reach this node, e.g. while the cluster's pub-sub was
   * still learning about a new node) waits while the gap is fetched from the user's ledger.
   */
  private void push(ActorRef<SocketSession.Out> socket, SocketInfo info, Delivery delivery) {
    if (!info.live()) {
      info.pending.add(delivery);
      return;
    }
    if (delivery.epoch().equals(info.epoch) && delivery.seq() > info.lastSeq + 1) {
      info.pending = new ArrayList<>(List.of(delivery));
      sync(socket, info.userId, info.epoch, info.lastSeq, 1);
      return;
    }
    if (!delivery.epoch().equals(info.epoch)) {
      // the user's ledger restarted while this socket was open: its history is gone
      socket.tell(new SocketSession.Push(wire.resync(delivery.epoch(), delivery.seq() - 1, info.windowId)));
      info.epoch = delivery.epoch();
      info.lastSeq = delivery.seq() - 1;
    }
    if (delivery.seq() <= info.lastSeq) return;
    info.lastSeq = delivery.seq();
    socket.tell(new SocketSession.Push(delivery.json()));
  }

  private Behavior<Command> onEvent(WrappedEvent wrapped) {
    broadcast(TODOS, topicKey(wrapped.event()), () -> wire.event(wrapped.event()));
    return this;
  }

  private Behavior<Command> onTodoCounts(TodoCounts counts) {
    broadcast(STATS, "stats", () -> wire.stats(counts.todos(), counts.queued(), sockets.size(), byUser.size()));
    return this;
  }

  private Behavior<Command> onChaosChanged(ChaosChanged changed) {
    broadcast(STATS, "chaos", () -> wire.chaos(changed.settings(), changed.changedBy()));
    return this;
  }

  private Behavior<Command> onGetConnections(GetConnections get) {
    get.replyTo().tell(new Connections(sockets.size(), byUser.size()));
    return this;
  }

  private Behavior<Command> onCloseAll(CloseAll close) {
    waitingForEmpty.add(close.replyTo());
    if (closing != null) return this;
    closing = close;
    if (sockets.isEmpty()) {
      waitingForEmpty.forEach(replyTo -> replyTo.tell(new Connections(0, 0)));
      waitingForEmpty.clear();
      return this;
    }
    SocketSession.Close message = new SocketSession.Close(closing.code(), closing.reason());
    sockets.keySet().forEach(socket -> socket.tell(message));
    return this;
  }

  /**
   * What a newer event replaces while a socket is behind: a todo's latest `todo.changed` is its
   * state; `todo.pending` and `todo.failed` are per command (the failure replaces the pending mark).
   */
  static String topicKey(TodoEvent event) {
    return event instanceof TodoEvent.Changed
        ? "todo:" + event.entityId()
        : "command:" + event.commandId();
  }

  /** One rendering for every subscriber; `topicKey` says what it replaces in a slow socket's backlog. */
  private void broadcast(String topic, String topicKey, java.util.function.Supplier<String> render) {
    Set<ActorRef<SocketSession.Out>> subs = subscribers.get(topic);
    if (subs.isEmpty()) return;
    SocketSession.Push push = new SocketSession.Push(render.get(), topicKey);
    for (ActorRef<SocketSession.Out> socket : subs) socket.tell(push);
  }
}
