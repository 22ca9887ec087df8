package edf;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The read side: the todo list and the commands still queued, as the todos' stored events show
 * them. One per node. At start it reads every todo event from the journal (so a restarted or newly
 * joined node serves the whole list, and GET waits until it has), then follows the journal; the
 * cluster-wide topic brings the same events sooner. Each todo's events carry their sequence number,
 * so an event seen twice (topic and journal) counts once. Every interval it hands its counts to the
 * registry, which pushes `stats`.
 *
 * <p>It also knows which todos have commands waiting, and wakes their processors through sharding
 * once it has caught up after a start, and whenever a node leaves the cluster: nothing accepted
 * waits for someone to ask.
 */
public final class TodoReadModel extends AbstractBehavior<TodoReadModel.Command> {

  public sealed interface Command {}

  /**
   * One page of the list, in creation order (oldest first, ties by id): at most `limit` todos after
   * `after` (null: from the start). The order comes from the todos' stored events, so a cursor
   * means the same on every node and todos created or deleted meanwhile shift no page.
   */
  public record GetPage(Position after, int limit, ActorRef<Page> replyTo) implements Command {}

  /** `next` is the position of the page's last todo when more follow, else null. */
  public record Page(List<Todo> todos, Position next) {}

  /** How many todos there are, in all and created by `userId` (for the limits on creates). */
  public record GetCounts(String userId, ActorRef<Counts> replyTo) implements Command {}

  public record Counts(int todos, int ofUser) {}

  /** Where a todo stands in the list: when it was created, then its id. */
  public record Position(Instant createdAt, String id) implements Comparable<Position> {
    private static final Comparator<Position> ORDER =
        Comparator.comparing(Position::createdAt).thenComparing(Position::id);

    @Override
    public int compareTo(Position other) {
      return ORDER.compare(this, other);
    }

    /** The opaque `cursor` of GET /api/todos: base64url of the position. */
    public String cursor() {
      return Base64.getUrlEncoder().withoutPadding().encodeToString((createdAt + " " + id).getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a `cursor`; anything that is not one of ours is a 400 naming `cursor`. */
    public static Position fromCursor(String cursor) {
      try {
        String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(" ", -1);
        if (parts.length == 2) return new Position(Instant.parse(parts[0]), Requests.uuid("cursor", parts[1]));
      } catch (IllegalArgumentException | java.time.DateTimeException e) {
        // falls through to the 400 below
      }
      throw new Problem.InvalidRequest("cursor", "is not a cursor from a Link header of GET /api/todos");
    }
  }

  public record Get(String id, ActorRef<Optional<Todo>> replyTo) implements Command {}

  /** Answered once no command is queued any more (the shutdown's drain). */
  public record AwaitDrained(ActorRef<Done> replyTo) implements Command {}

  private record WrappedEvent(TodoEvent event) implements Command {}

  /** A batch read from the journal; answered once applied, so the journal is read no faster. */
  private record Read(List<TodoEvent> events, Offset offset, ActorRef<Done> ack) implements Command {}

  /** The journal's stored events so far are all read (or reading failed). */
  private record ReadDone(boolean live, Throwable failure) implements Command {}

  /** Read the journal (again) from the last offset. */
  private record ReadJournal(boolean live) implements Command {}

  private record MemberRemoved(ClusterEvent.MemberRemoved removed) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private static final int STASH = 10_000;
  private static final int BATCH = 500;

  private final ActorRef<ConnectionRegistry.Command> registry;
  private final Consumer<String> wakeProcessor;
  private final StashBuffer<Command> stash;
  private final TimerScheduler<Command> timers;
  private final JdbcReadJournal journal;
  private final Map<String, Todo> todos = new HashMap<>();
  /** The same todos in list order, and where each stands. */
  private final TreeMap<Position, Todo> ordered = new TreeMap<>();
  private final Map<String, Position> positions = new HashMap<>();
  /** Who created each todo, and how many todos each creator has. */
  private final Map<String, String> creators = new HashMap<>();
  private final Map<String, Integer> createdBy = new HashMap<>();
  /** Per todo, the sequence number of the newest event applied. */
  private final Map<String, Long> applied = new HashMap<>();
  /** Queued commands: command id to todo id. */
  private final Map<String, String> pending = new HashMap<>();
  private final List<ActorRef<Done>> awaitingDrained = new ArrayList<>();
  private Offset offset = Offset.noOffset();
  private boolean caughtUp;

  public static Behavior<Command> create(
      ActorRef<Topic.Command<TodoEvent>> events,
      ActorRef<ConnectionRegistry.Command> registry,
      Consumer<String> wakeProcessor,
      Duration statsInterval) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withStash(
                STASH,
                stash ->
                    Behaviors.withTimers(
                        timers -> {
                          events.tell(Topic.subscribe(ctx.messageAdapter(TodoEvent.class, WrappedEvent::new)));
                          Cluster.get(ctx.getSystem())
                              .subscriptions()
                              .tell(Subscribe.create(
                                  ctx.messageAdapter(ClusterEvent.MemberRemoved.class, MemberRemoved::new),
                                  ClusterEvent.MemberRemoved.class));
                          timers.startTimerWithFixedDelay(Tick.INSTANCE, statsInterval);
                          return new TodoReadModel(ctx, registry, wakeProcessor, stash, timers);
                        })));
  }

  private TodoReadModel(
      ActorContext<Command> context,
      ActorRef<ConnectionRegistry.Command> registry,
      Consumer<String> wakeProcessor,
      StashBuffer<Command> stash,
      TimerScheduler<Command> timers) {
    super(context);
    this.registry = registry;
    this.wakeProcessor = wakeProcessor;
    this.stash = stash;
    this.timers = timers;
    this.journal =
        PersistenceQuery.get(context.getSystem())
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    read(false);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetPage.class, this::onGetPage)
        .onMessage(GetCounts.class, this::onGetCounts)
        .onMessage(Get.class, this::onGet)
        .onMessage(AwaitDrained.class, this::onAwaitDrained)
        .onMessage(WrappedEvent.class, this::onEvent)
        .onMessage(Read.class, this::onRead)
        .onMessage(ReadDone.class, this::onReadDone)
        .onMessage(ReadJournal.class, again -> { read(again.live()); return this; })
        .onMessage(MemberRemoved.class, removed -> { wakeAll(); return this; })
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .build();
  }

  /** Reads the journal from the last offset: what is stored now (live = false), or on and on. */
  private void read(boolean live) {
    Source<EventEnvelope, ?> source =
        live ? journal.eventsByTag(CommandProcessor.TAG, offset) : journal.currentEventsByTag(CommandProcessor.TAG, offset);
    ActorRef<Command> self = getContext().getSelf();
    var system = getContext().getSystem();
    getContext()
        .pipeToSelf(
            source
                .groupedWithin(BATCH, Duration.ofMillis(20))
                .mapAsync(1, batch -> {
                  List<TodoEvent> events = new ArrayList<>(batch.size());
                  for (EventEnvelope e : batch) {
                    events.add(CommandProcessor.toEvent((CommandProcessor.Event) e.event(), e.sequenceNr()));
                  }
                  Offset last = batch.get(batch.size() - 1).offset();
                  return AskPattern.<Command, Done>ask(self, r -> new Read(events, last, r), Duration.ofSeconds(30), system.scheduler());
                })
                .runWith(Sink.ignore(), system),
            (done, failure) -> new ReadDone(live, failure));
  }

  private Behavior<Command> onRead(Read read) {
    read.events().forEach(e -> apply(e, true));
    offset = read.offset();
    read.ack().tell(Done.getInstance());
    return this;
  }

  /**
   * A failed read is tried again from the last offset, in the same mode: the read side counts as
   * caught up only once a read of everything stored so far has completed.
   */
  private Behavior<Command> onReadDone(ReadDone done) {
    if (done.failure() != null || done.live()) {
      if (done.failure() != null) {
        getContext().getLog().warn("Reading the todo events from the journal failed, again in 1 s: {}", done.failure().toString());
      }
      timers.startSingleTimer(new ReadJournal(done.live()), Duration.ofSeconds(1));
      return this;
    }
    caughtUp = true;
    getContext().getLog().info("Read side rebuilt from the journal: {} todos, {} commands queued", todos.size(), pending.size());
    wakeAll();
    read(true);
    return stash.unstashAll(this);
  }

  private void wakeAll() {
    new HashSet<>(pending.values()).forEach(wakeProcessor);
  }

  private Behavior<Command> onGetPage(GetPage get) {
    if (!caughtUp) return stashed(get);
    var after = get.after() == null ? ordered : ordered.tailMap(get.after(), false);
    List<Todo> page = new ArrayList<>(Math.min(get.limit(), after.size()));
    Position last = null;
    for (var entry : after.entrySet()) {
      if (page.size() == get.limit()) {
        get.replyTo().tell(new Page(List.copyOf(page), last));
        return this;
      }
      page.add(entry.getValue());
      last = entry.getKey();
    }
    get.replyTo().tell(new Page(List.copyOf(page), null));
    return this;
  }

  private Behavior<Command> onGetCounts(GetCounts get) {
    if (!caughtUp) return stashed(get);
    get.replyTo().tell(new Counts(todos.size(), createdBy.getOrDefault(get.userId(), 0)));
    return this;
  }

  private Behavior<Command> onGet(Get get) {
    if (!caughtUp) return stashed(get);
    get.replyTo().tell(Optional.ofNullable(todos.get(get.id())));
    return this;
  }

  private Behavior<Command> onAwaitDrained(AwaitDrained await) {
    if (!caughtUp) return stashed(await);
    awaitingDrained.add(await.replyTo());
    answerIfDrained();
    return this;
  }

  private void answerIfDrained() {
    if (!pending.isEmpty() || awaitingDrained.isEmpty()) return;
    awaitingDrained.forEach(replyTo -> replyTo.tell(Done.getInstance()));
    awaitingDrained.clear();
  }

  /** Until the journal is read, questions wait (and, beyond the stash, time out as 503). */
  private Behavior<Command> stashed(Command question) {
    if (!stash.isFull()) stash.stash(question);
    return this;
  }

  /** From the topic: sooner than the journal, once the journal's past has been read. */
  private Behavior<Command> onEvent(WrappedEvent wrapped) {
    if (caughtUp) apply(wrapped.event(), false);
    return this;
  }

  /**
   * The journal brings every event of a todo in order; the topic may lose one (it delivers at most
   * once), so an event from it counts only when it is the very next of its todo.
   */
  private void apply(TodoEvent event, boolean fromJournal) {
    long last = applied.getOrDefault(event.entityId(), 0L);
    if (fromJournal ? event.seqNr() <= last : event.seqNr() != last + 1) return;
    applied.put(event.entityId(), event.seqNr());
    if (event instanceof TodoEvent.Pending) {
      pending.put(event.commandId(), event.entityId());
      return;
    }
    if (pending.remove(event.commandId()) != null) answerIfDrained();
    if (event instanceof TodoEvent.Changed changed) {
      if (changed.data() == null) remove(changed.entityId());
      else put(changed);
    }
  }

  /**
   * A todo seen for the first time (its create: every event of a todo is applied in order) is
   * placed by its creation time, the same on every node, and counted for its creator.
   */
  private void put(TodoEvent.Changed changed) {
    String id = changed.entityId();
    Position position = positions.get(id);
    if (position == null) {
      // in milliseconds, as the event is stored and sent between nodes (a local copy has more)
      position = new Position(changed.data().updatedAt().truncatedTo(ChronoUnit.MILLIS), id);
      positions.put(id, position);
      creators.put(id, changed.changedBy());
      createdBy.merge(changed.changedBy(), 1, Integer::sum);
    }
    todos.put(id, changed.data());
    ordered.put(position, changed.data());
  }

  private void remove(String id) {
    todos.remove(id);
    Position position = positions.remove(id);
    if (position != null) ordered.remove(position);
    String creator = creators.remove(id);
    if (creator != null) createdBy.computeIfPresent(creator, (user, n) -> n > 1 ? n - 1 : null);
  }

  private Behavior<Command> onTick() {
    if (caughtUp) registry.tell(new ConnectionRegistry.TodoCounts(todos.size(), pending.size()));
    return this;
  }
}
