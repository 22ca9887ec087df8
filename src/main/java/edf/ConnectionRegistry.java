package edf;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Maps user ids to the live WebSocket stream actors of that user (one user, many windows) and
 * knows which sockets follow which topic. Personal messages go to every socket of their user and
 * to no one else; topic messages to every subscriber. One registry per node, fed by the
 * cluster-wide topics; it watches every socket and forgets it when its stream ends.
 */
public final class ConnectionRegistry extends AbstractBehavior<ConnectionRegistry.Command> {

  public static final String TODOS = "todos";
  public static final String STATS = "stats";

  public sealed interface Command {}

  public record Register(String userId, ActorRef<SocketSession.Out> socket) implements Command {}

  /** Answered with `subscribed`, sent after the socket is added so nothing later is missed. */
  public record Subscribe(ActorRef<SocketSession.Out> socket, String topic) implements Command {}

  public record Unsubscribe(ActorRef<SocketSession.Out> socket, String topic) implements Command {}

  /** The read side's counts, pushed as `stats` together with the registry's own. */
  public record TodoCounts(long todos, long queued) implements Command {}

  public record ChaosChanged(ChaosSettings settings) implements Command {}

  public record GetConnections(ActorRef<Connections> replyTo) implements Command {}

  public record Connections(int sockets, int users) {}

  private record SocketTerminated(ActorRef<SocketSession.Out> socket) implements Command {}

  private record WrappedDelivery(Delivery delivery) implements Command {}

  private record WrappedEvent(TodoEvent event) implements Command {}

  private record SocketInfo(String userId, Set<String> topics) {}

  private final Wire wire;
  private final Map<String, Set<ActorRef<SocketSession.Out>>> byUser = new HashMap<>();
  private final Map<ActorRef<SocketSession.Out>, SocketInfo> sockets = new HashMap<>();
  private final Map<String, Set<ActorRef<SocketSession.Out>>> subscribers =
      Map.of(TODOS, new HashSet<>(), STATS, new HashSet<>());

  public static Behavior<Command> create(
      Wire wire,
      ActorRef<Topic.Command<Delivery>> deliveries,
      ActorRef<Topic.Command<TodoEvent>> events) {
    return Behaviors.setup(
        ctx -> {
          deliveries.tell(Topic.subscribe(ctx.messageAdapter(Delivery.class, WrappedDelivery::new)));
          events.tell(Topic.subscribe(ctx.messageAdapter(TodoEvent.class, WrappedEvent::new)));
          return new ConnectionRegistry(ctx, wire);
        });
  }

  public static boolean isTopic(String topic) {
    return TODOS.equals(topic) || STATS.equals(topic);
  }

  private ConnectionRegistry(ActorContext<Command> context, Wire wire) {
    super(context);
    this.wire = wire;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Register.class, this::onRegister)
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Unsubscribe.class, this::onUnsubscribe)
        .onMessage(SocketTerminated.class, this::onSocketTerminated)
        .onMessage(WrappedDelivery.class, this::onDelivery)
        .onMessage(WrappedEvent.class, this::onEvent)
        .onMessage(TodoCounts.class, this::onTodoCounts)
        .onMessage(ChaosChanged.class, this::onChaosChanged)
        .onMessage(GetConnections.class, this::onGetConnections)
        .build();
  }

  private Behavior<Command> onRegister(Register register) {
    ActorRef<SocketSession.Out> socket = register.socket();
    if (sockets.putIfAbsent(socket, new SocketInfo(register.userId(), new HashSet<>())) == null) {
      byUser.computeIfAbsent(register.userId(), u -> new HashSet<>()).add(socket);
      getContext().watchWith(socket, new SocketTerminated(socket));
    }
    return this;
  }

  private Behavior<Command> onSubscribe(Subscribe subscribe) {
    SocketInfo info = sockets.get(subscribe.socket());
    if (info != null && isTopic(subscribe.topic())) {
      info.topics().add(subscribe.topic());
      subscribers.get(subscribe.topic()).add(subscribe.socket());
      subscribe.socket().tell(new SocketSession.Push(wire.topicReply("subscribed", subscribe.topic())));
    }
    return this;
  }

  private Behavior<Command> onUnsubscribe(Unsubscribe unsubscribe) {
    SocketInfo info = sockets.get(unsubscribe.socket());
    if (info != null && isTopic(unsubscribe.topic())) {
      info.topics().remove(unsubscribe.topic());
      subscribers.get(unsubscribe.topic()).remove(unsubscribe.socket());
      unsubscribe.socket().tell(new SocketSession.Push(wire.topicReply("unsubscribed", unsubscribe.topic())));
    }
    return this;
  }

  private Behavior<Command> onSocketTerminated(SocketTerminated terminated) {
    SocketInfo info = sockets.remove(terminated.socket());
    if (info == null) return this;
    Set<ActorRef<SocketSession.Out>> own = byUser.get(info.userId());
    if (own != null) {
      own.remove(terminated.socket());
      if (own.isEmpty()) byUser.remove(info.userId());
    }
    for (String topic : info.topics()) subscribers.get(topic).remove(terminated.socket());
    return this;
  }

  private Behavior<Command> onDelivery(WrappedDelivery wrapped) {
    Set<ActorRef<SocketSession.Out>> own = byUser.get(wrapped.delivery().userId());
    if (own != null) {
      SocketSession.Push push = new SocketSession.Push(wrapped.delivery().json());
      for (ActorRef<SocketSession.Out> socket : own) socket.tell(push);
    }
    return this;
  }

  private Behavior<Command> onEvent(WrappedEvent wrapped) {
    broadcast(TODOS, () -> wire.event(wrapped.event()));
    return this;
  }

  private Behavior<Command> onTodoCounts(TodoCounts counts) {
    broadcast(STATS, () -> wire.stats(counts.todos(), counts.queued(), sockets.size(), byUser.size()));
    return this;
  }

  private Behavior<Command> onChaosChanged(ChaosChanged changed) {
    broadcast(STATS, () -> wire.chaos(changed.settings()));
    return this;
  }

  private Behavior<Command> onGetConnections(GetConnections get) {
    get.replyTo().tell(new Connections(sockets.size(), byUser.size()));
    return this;
  }

  private void broadcast(String topic, java.util.function.Supplier<String> render) {
    Set<ActorRef<SocketSession.Out>> subs = subscribers.get(topic);
    if (subs.isEmpty()) return;
    SocketSession.Push push = new SocketSession.Push(render.get());
    for (ActorRef<SocketSession.Out> socket : subs) socket.tell(push);
  }
}
