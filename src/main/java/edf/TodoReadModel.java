package edf;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * hands its counts to the registry, which pushes `stats`.
 */
public final class TodoReadModel extends AbstractBehavior<TodoReadModel.Command> {

  public sealed interface Command {}

  public record GetAll(ActorRef<List<Todo>> replyTo) implements Command {}

  public record Get(String id, ActorRef<Optional<Todo>> replyTo) implements Command {}

  private record WrappedEvent(TodoEvent event) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private final ActorRef<ConnectionRegistry.Command> registry;
  private final Map<String, Todo> todos = new LinkedHashMap<>();
  private final Set<String> pending = new HashSet<>();


  public static Behavior<Command> create(
      ActorRef<Topic.Command<TodoEvent>> events,
      ActorRef<ConnectionRegistry.Command> registry,
      Duration statsInterval) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  events.tell(Topic.subscribe(ctx.messageAdapter(TodoEvent.class, WrappedEvent::new)));
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
      pending.add(event.commandId());
      return this;
    }
    pending.remove(event.commandId());
    if (event instanceof TodoEvent.Changed changed) {
      if (changed.data() == null) todos.remove(changed.entityId());
      else todos.put(changed.entityId(), changed.data());
    }
    return this;
  }

  private Behavior<Command> onTick() {
    registry.tell(new ConnectionRegistry.TodoCounts(todos.size(), pending.size()));
    return this;
  }
}
