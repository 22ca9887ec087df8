package edf;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Who is here: every window (socket) that announced itself, with the todo it looks at and the
 * field it edits. One per node; the nodes share what their windows do over the cluster-wide
 * `presence` topic, so every node knows every window. A window leaves when its socket ends, when
 * it has been silent for `silence-timeout` (and is back with its next message while its socket is
 * open), or, should its node vanish, when its node stops refreshing it. A local window is forgotten
 * only when its socket ends ({@link Gone}, which every socket sends when its stream terminates). Changes go to the node's {@link ConnectionRegistry}, which pushes them to the
 * sockets that follow `todos`.
 */
public final class Presence extends AbstractBehavior<Presence.Command> {

  public static final String TOPIC = "presence";

  /** What one window shows: the todo it looks at (null: none) and the field it edits (null: none). */
  public record Window(String windowId, String userId, String entityId, String field) implements CborSerializable {}

  public sealed interface Command {}

  /** A local window says where it is (sending it is also how a window joins). */
  public record Announce(Window window) implements Command {}

  /** A local window sent something: it is still there. */
  public record Seen(String windowId) implements Command {}

  /** A local window's socket ended. */
  public record Gone(String windowId) implements Command {}

  /** What the nodes tell each other. */
  public sealed interface Event extends CborSerializable {}

  public record Updated(Window window) implements Event {}

  public record Left(String windowId, String userId) implements Event {}

  /** A node's windows that are still there; whatever is not refreshed in time is gone. */
  public record Refreshed(List<Window> windows) implements Event {}

  private record WrappedEvent(Event event) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  /** The settings: how long a window may be silent, how often nodes refresh their windows. */
  public record Timing(Duration silence, Duration refresh) {}

  private record Local(Window window, Instant lastSeen, boolean silent) {}

  private record Known(Window window, Instant refreshedAt) {}

  private static final int REFRESH_SLICE = 500;

  private final ActorRef<Topic.Command<Event>> topic;
  private final ActorRef<ConnectionRegistry.Command> registry;
  private final Timing timing;
  private final Clock clock;
  private final Map<String, Local> local = new HashMap<>();
  private final Map<String, Known> known = new HashMap<>();

  public static Behavior<Command> create(
      ActorRef<Topic.Command<Event>> topic,
      ActorRef<ConnectionRegistry.Command> registry,
      Timing timing,
      Clock clock) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  topic.tell(Topic.subscribe(ctx.messageAdapter(Event.class, WrappedEvent::new)));
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, timing.refresh());
                  return new Presence(ctx, topic, registry, timing, clock);
                }));
  }

  private Presence(
      ActorContext<Command> context,
      ActorRef<Topic.Command<Event>> topic,
      ActorRef<ConnectionRegistry.Command> registry,
      Timing timing,
      Clock clock) {
    super(context);
    this.topic = topic;
    this.registry = registry;
    this.timing = timing;
    this.clock = clock;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Announce.class, this::onAnnounce)
        .onMessage(Seen.class, this::onSeen)
        .onMessage(Gone.class, this::onGone)
        .onMessage(WrappedEvent.class, this::onEvent)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .build();
  }

  private Behavior<Command> onAnnounce(Announce announce) {
    Window window = announce.window();
    local.put(window.windowId(), new Local(window, clock.instant(), false));
    topic.tell(Topic.publish(new Updated(window)));
    return this;
  }

  private Behavior<Command> onSeen(Seen seen) {
    Local window = local.get(seen.windowId());
    if (window == null) return this;
    local.put(seen.windowId(), new Local(window.window(), clock.instant(), false));
    if (window.silent()) topic.tell(Topic.publish(new Updated(window.window())));
    return this;
  }

  private Behavior<Command> onGone(Gone gone) {
    Local window = local.remove(gone.windowId());
    if (window != null) topic.tell(Topic.publish(new Left(gone.windowId(), window.window().userId())));
    return this;
  }

  private Behavior<Command> onEvent(WrappedEvent wrapped) {
    Instant now = clock.instant();
    Event event = wrapped.event();
    if (event instanceof Updated updated) {
      upsert(updated.window(), now);
    } else if (event instanceof Refreshed refreshed) {
      refreshed.windows().forEach(w -> upsert(w, now));
    } else if (event instanceof Left left && known.remove(left.windowId()) != null) {
      registry.tell(new ConnectionRegistry.PresenceLeft(left.windowId(), left.userId()));
    }
    return this;
  }

  private void upsert(Window window, Instant now) {
    Known before = known.put(window.windowId(), new Known(window, now));
    if (before == null || !Objects.equals(before.window(), window)) {
      registry.tell(new ConnectionRegistry.PresenceChanged(window));
    }
  }

  /** Silent local windows leave; the rest are refreshed for every node; stale ones expire. */
  private Behavior<Command> onTick() {
    Instant now = clock.instant();
    List<Window> alive = new ArrayList<>();
    for (Map.Entry<String, Local> e : local.entrySet()) {
      Local window = e.getValue();
      // A silent window stays here, marked silent, until its socket ends (Gone): as long as the
      // socket is open it may speak again and is then present again at once. Each entry is an
      // open socket of this node, so this map is as bounded as the sockets are.
      boolean silent = window.lastSeen().isBefore(now.minus(timing.silence()));
      if (silent && !window.silent()) {
        e.setValue(new Local(window.window(), window.lastSeen(), true));
        topic.tell(Topic.publish(new Left(e.getKey(), window.window().userId())));
      } else if (!silent) {
        alive.add(window.window());
      }
    }
    // in slices, so that no message between nodes grows with the number of windows
    for (int from = 0; from < alive.size(); from += REFRESH_SLICE) {
      topic.tell(Topic.publish(new Refreshed(List.copyOf(alive.subList(from, Math.min(alive.size(), from + REFRESH_SLICE))))));
    }
    Instant stale = now.minus(timing.refresh().multipliedBy(3));
    known.entrySet().removeIf(e -> {
      boolean expired = e.getValue().refreshedAt().isBefore(stale);
      if (expired) registry.tell(new ConnectionRegistry.PresenceLeft(e.getKey(), e.getValue().window().userId()));
      return expired;
    });
    return this;
  }
}
