package edf;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The read side: the todo list as the {@link TodoEvent}s have shown it so far (eventually
 * consistent with the commands), and how many accepted commands still wait. Every interval it
 * hands its counts to the registry, which pushes `stats`. One per node: a node that joins a
 * running cluster first copies the list from another node's read side, then follows the events.
 */
public final class TodoReadModel extends AbstractBehavior<TodoReadModel.Command> {

  public sealed interface Command {}

  public record GetAll(ActorRef<List<Todo>> replyTo) implements Command {}

  public record Get(String id, ActorRef<Optional<Todo>> replyTo) implements Command {}

  /** Another node's read side asks for the list, to start from it. */
  public record Snapshot(ActorRef<SnapshotReply> replyTo) implements Command, CborSerializable {}

  public record SnapshotReply(List<Todo> todos) implements CborSerializable {}

  public static final org.apache.pekko.actor.typed.receptionist.ServiceKey<Command> KEY =
      org.apache.pekko.actor.typed.receptionist.ServiceKey.create(Command.class, "todo-read-model");

  private record WrappedEvent(TodoEvent event) implements Command {}

  private record Peers(org.apache.pekko.actor.typed.receptionist.Receptionist.Listing listing) implements Command {}

  private record Seeded(SnapshotReply reply) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private final ActorRef<ConnectionRegistry.Command> registry;
  private final Map<String, Todo> todos = new LinkedHashMap<>();
  private static final int SNAPSHOT_SLICE = 1000;

  private final Outstanding pending = new Outstanding();
  private boolean seeded;


  public static Behavior<Command> create(
      ActorRef<Topic.Command<TodoEvent>> events,
      ActorRef<ConnectionRegistry.Command> registry,
      Duration statsInterval) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  events.tell(Topic.subscribe(ctx.messageAdapter(TodoEvent.class, WrappedEvent::new)));
                  var receptionist = ctx.getSystem().receptionist();
                  receptionist.tell(org.apache.pekko.actor.typed.receptionist.Receptionist.register(KEY, ctx.getSelf()));
                  receptionist.tell(org.apache.pekko.actor.typed.receptionist.Receptionist.subscribe(
                      KEY, ctx.messageAdapter(org.apache.pekko.actor.typed.receptionist.Receptionist.Listing.class, Peers::new)));
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, statsInterval);
                  return new TodoReadModel(ctx, registry);
                }));
  }

  private TodoReadModel(ActorContext<Command> context, ActorRef<ConnectionRegistry.Command> registry) {
    super(context);
    this.registry = registry;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetAll.class, this::onGetAll)
        .onMessage(Get.class, this::onGet)
        .onMessage(WrappedEvent.class, this::onEvent)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Snapshot.class, this::onSnapshot)
        .onMessage(Peers.class, this::onPeers)
        .onMessage(Seeded.class, this::onSeeded)

        .build();
  }

  private Behavior<Command> onGetAll(GetAll get) {
    get.replyTo().tell(List.copyOf(todos.values()));
    return this;
  }

  private Behavior<Command> onGet(Get get) {
    get.replyTo().tell(Optional.ofNullable(todos.get(get.id())));
    return this;
  }

  private Behavior<Command> onEvent(WrappedEvent wrapped) {
    TodoEvent event = wrapped.event();
    if (event instanceof TodoEvent.Pending) {
      pending.started(event.commandId());
      return this;
    }
    pending.ended(event.commandId());
    if (event instanceof TodoEvent.Changed changed) {
      if (changed.data() == null) todos.remove(changed.entityId());
      else todos.put(changed.entityId(), changed.data());
    }
    return this;
  }

  /** The list in slices, so that no message between nodes grows with the number of todos. */
  private Behavior<Command> onSnapshot(Snapshot snapshot) {
    List<Todo> all = List.copyOf(todos.values());
    for (int from = 0; from < all.size(); from += SNAPSHOT_SLICE) {
      snapshot.replyTo().tell(new SnapshotReply(List.copyOf(all.subList(from, Math.min(all.size(), from + SNAPSHOT_SLICE)))));
    }
    return this;
  }

  /** The first time another node's read side is known, copy its list once. */
  private Behavior<Command> onPeers(Peers peers) {
    if (seeded) return this;
    for (ActorRef<Command> peer : peers.listing().getServiceInstances(KEY)) {
      if (!peer.equals(getContext().getSelf())) {
        seeded = true;
        peer.tell(new Snapshot(getContext().messageAdapter(SnapshotReply.class, Seeded::new)));
        break;
      }
    }
    return this;
  }

  /** Keeps what the events already showed when it is newer (a delete while copying can come back: see README). */
  private Behavior<Command> onSeeded(Seeded seeded) {
    for (Todo todo : seeded.reply().todos()) {
      todos.merge(todo.id(), todo, (mine, theirs) -> mine.version() >= theirs.version() ? mine : theirs);
    }
    getContext().getLog().info("Read side copied {} todos from another node", seeded.reply().todos().size());
    return this;
  }

  private Behavior<Command> onTick() {
    registry.tell(new ConnectionRegistry.TodoCounts(todos.size(), pending.size()));
    return this;
  }
}
