package edf;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * One WebSocket connection of one user. Outgoing: an {@link ActorSource} (the socket's inbox, fed
 * by the {@link ConnectionRegistry}) read at once by an {@link OutgoingStage}, which holds what the
 * client has not read yet, merges topic traffic, and closes the socket with {@link #SLOW_CONSUMER}
 * when its personal backlog outgrows what resume can replay. Incoming: throttled, each message read with a size bound and a timeout,
 * then handled (subscribe, unsubscribe, ping); anything else gets an `error` message back.
 */
public final class SocketSession {

  /** Close codes the server uses (see docs/protocol.md). */
  public static final int GOING_AWAY = 1001;

  public static final int POLICY_VIOLATION = 1008;
  public static final int TOO_BIG = 1009;
  public static final int INTERNAL_ERROR = 1011;
  public static final int SLOW_CONSUMER = 4008;
  /** The user has edf.limits.sockets-per-user sockets on this node already (after an `error` saying so). */
  public static final int TOO_MANY_SOCKETS = 4029;

  /** What the registry and the session itself send to a socket's outgoing stream. */
  public sealed interface Out {}

  /**
   * A message for the client. `topicKey` is null for a personal message (never merged or dropped);
   * a topic message's key names what a newer message with the same key replaces while the socket
   * is behind (see {@link OutgoingBuffer}).
   */
  public record Push(String json, String topicKey) implements Out {
    public Push(String json) {
      this(json, null);
    }
  }

  /**
   * A message of a resume's replay (and the `resumed` after it): personal, and taken even beyond
   * the personal bound, so a client that was closed for being slow can always resume (a replay is
   * at most the user's history).
   */
  public record Replayed(String json) implements Out {}

  /** Ends the socket with this close code, after what was queued before it. */
  public record Close(int code, String reason) implements Out {}

  private final String userId;
  private final String windowId = Ids.random();
  private final String epoch;
  private final Long lastSeq;
  private final Settings settings;
  private final ActorRef<ConnectionRegistry.Command> registry;
  private final ActorRef<Presence.Command> presence;
  private final ActorRef<TodoReadModel.Command> readModel;
  private final Wire wire;
  private final com.fasterxml.jackson.databind.ObjectReader reader;
  private final ActorSystem<?> system;
  private final AtomicReference<Close> closing = new AtomicReference<>();
  /**
   * Guards {@link #ended} and {@link #announced}: an announcement and the goodbye ({@code Gone})
   * are told under it, so no announcement can reach {@link Presence} after the goodbye (Presence
   * keeps a window until its goodbye: one announced after it would stay for good).
   */
  private final Object presenceLock = new Object();
  /** Set when the socket's stream has ended: nothing may announce this window after that. */
  private boolean ended;
  /** Whether this window was announced to {@link Presence} at all. */
  private boolean announced;
  /** The number of this socket's latest valid presence message: only its answer may announce. */
  private long latestFocus;
  /** The inbox, set when the socket's stream is materialized (before any client message is read). */
  private volatile ActorRef<Out> self;

  /** The inbox's own buffer: the {@link OutgoingStage} empties it as soon as a message arrives. */
  private static final int INBOX_BUFFER = 16;

  private SocketSession(
      String userId,
      String epoch,
      Long lastSeq,
      Settings settings,
      Services services) {
    this.userId = userId;
    this.epoch = epoch;
    this.lastSeq = lastSeq;
    this.settings = settings;
    this.registry = services.registry();
    this.presence = services.presence();
    this.readModel = services.readModel();
    this.wire = services.wire();
    this.system = services.system();
    this.reader = Requests.strictReader(Json.mapper(system));
  }

  /** What every session talks to. */
  public record Services(
      ActorRef<ConnectionRegistry.Command> registry,
      ActorRef<Presence.Command> presence,
      ActorRef<TodoReadModel.Command> readModel,
      Wire wire,
      ActorSystem<?> system) {}

  /** Presence updates allowed per second per socket (a token bucket); more get `rate-limited`. */
  private static final int PRESENCE_PER_SECOND = 5;

  private double presenceTokens = PRESENCE_PER_SECOND;
  private long presenceRefilledAt = System.nanoTime();


  /**
   * Upgrades the request to a WebSocket served by a new session for this user; `epoch` and
   * `lastSeq` (both or neither) resume where an earlier socket of the user left off.
   */
  public static HttpResponse open(
      WebSocketUpgrade upgrade,
      String userId,
      String epoch,
      Long lastSeq,
      Settings settings,
      Services services) {
    SocketSession session = new SocketSession(userId, epoch, lastSeq, settings, services);
    return CloseCodes.handleMessages(upgrade, session.flow(), session.closing, services.system());
  }

  private Flow<Message, Message, NotUsed> flow() {
    // the inbox is read at once by the OutgoingStage (fused with it, no async boundary), so its own
    // buffer only ever holds a message or two; the backlog of a slow client waits in the stage
    CompletableFuture<ActorRef<Out>> inbox = new CompletableFuture<>();
    Source<Message, NotUsed> toClient =
        ActorSource.<Out>actorRef(this::isClose, out -> Optional.empty(), INBOX_BUFFER, OverflowStrategy.fail())
            .mapMaterializedValue(ref -> {
              self = ref;
              inbox.complete(ref);
              return NotUsed.getInstance();
            })
            .via(new OutgoingStage(
                settings.maxPersonalBacklog(),
                settings.outgoingBuffer(),
                closing,
                // registered once the stage reads the inbox and the inbox exists, whichever is last
                () -> inbox.thenAccept(ref ->
                    registry.tell(new ConnectionRegistry.Register(userId, windowId, ref, epoch, lastSeq)))));

    Sink<Message, NotUsed> fromClient =
        Flow.<Message>create()
            .throttle(settings.maxIncomingPerSecond(), java.time.Duration.ofSeconds(1))
            .mapAsync(1, this::read)
            .mapAsync(1, text -> text.isPresent() ? handle(text.get()) : CompletableFuture.completedFuture(Done.getInstance()))
            .to(Sink.ignore());

    return Flow.fromSinkAndSourceCoupled(fromClient, toClient)
        .watchTermination((mat, done) -> {
          done.whenCompleteAsync((d, failure) -> {
            synchronized (presenceLock) {
              ended = true;
              presence.tell(new Presence.Gone(windowId));
            }
          }, system.executionContext());
          return mat;
        });
  }

  private boolean isClose(Out out) {
    if (!(out instanceof Close close)) return false;
    closing.compareAndSet(null, close);
    return true;
  }

  /** The text of a client message, or empty when it was binary, too big or too slow. */
  private CompletionStage<Optional<String>> read(Message message) {
    if (!message.isText()) {
      message.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), system);
      self.tell(new Push(wire.error("unsupported", "Binary messages are not supported; send JSON text")));
      return CompletableFuture.completedFuture(Optional.empty());
    }
    TextMessage text = message.asTextMessage();
    if (text.isStrict()) {
      return CompletableFuture.completedFuture(withinLimit(text.getStrictText()));
    }
    return text.getStreamedText()
        .limitWeighted(settings.maxMessageBytes(), SocketSession::utf8Length)
        .completionTimeout(settings.messageTimeout())
        .runFold(new StringBuilder(), StringBuilder::append, system)
        .thenApplyAsync(sb -> Optional.of(sb.toString()), system.executionContext())
        .exceptionally(
            failure -> {
              boolean tooBig = failure instanceof StreamLimitReachedException
                  || failure.getCause() instanceof StreamLimitReachedException;
              self.tell(
                  tooBig
                      ? new Close(TOO_BIG, "message too big")
                      : new Close(POLICY_VIOLATION, "message not completed in time"));
              return Optional.empty();
            });
  }

  private Optional<String> withinLimit(String text) {
    if (utf8Length(text) <= settings.maxMessageBytes()) return Optional.of(text);
    self.tell(new Close(TOO_BIG, "message too big"));
    return Optional.empty();
  }

  private static long utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static final CompletionStage<Done> DONE = CompletableFuture.completedFuture(Done.getInstance());

  private CompletionStage<Done> handle(String text) {
    presence.tell(new Presence.Seen(windowId));
    JsonNode json;
    try {
      json = Requests.readStrict(reader, "message", text);
    } catch (Problem.InvalidRequest e) {
      self.tell(new Push(wire.error("bad-json", "message", "The message is not valid JSON: " + e.error().message())));
      return DONE;
    }
    if (json == null || !json.isObject() || !json.path("type").isTextual()) {
      self.tell(new Push(wire.error("bad-message", "A message must be a JSON object with a string `type`")));
      return DONE;
    }
    try {
      // every string (and key) of a client message keeps to the text rules, like the HTTP API's
      json = TextRules.tree("", json, TextRules.Lines.SINGLE);
    } catch (Problem.InvalidRequest e) {
      self.tell(new Push(wire.error("bad-text", e.error().field(), e.error().field() + ": " + e.error().message())));
      return DONE;
    }
    String type = json.get("type").asText();
    if (type.equals("presence")) return onPresence(json);
    switch (type) {
      case "ping" -> self.tell(new Push(wire.pong()));
      case "subscribe", "unsubscribe" -> {
        String topic = json.path("topic").asText("");
        if (!ConnectionRegistry.isTopic(topic)) {
          self.tell(new Push(wire.error("unknown-topic", "`topic` must be \"todos\" or \"stats\"")));
        } else if (type.equals("subscribe")) {
          registry.tell(new ConnectionRegistry.Subscribe(self, topic));
        } else {
          registry.tell(new ConnectionRegistry.Unsubscribe(self, topic));
        }
      }
      default -> self.tell(new Push(wire.error("unknown-type", "Unknown message type `" + abbreviate(type) + "`")));
    }
    return DONE;
  }

  /**
   * `{"type":"presence","entityId":uuid|null,"field":"text"|"completed"|null}`: validated (shape,
   * a todo that exists, at most {@link #PRESENCE_PER_SECOND} a second), then announced.
   */
  private CompletionStage<Done> onPresence(JsonNode json) {
    if (!takePresenceToken()) {
      self.tell(new Push(wire.error("rate-limited", "At most " + PRESENCE_PER_SECOND + " presence updates a second")));
      return DONE;
    }
    JsonNode entity = json.path("entityId");
    JsonNode field = json.path("field");
    boolean entityOk = entity.isNull() || entity.isMissingNode() || entity.isTextual();
    boolean fieldOk = field.isNull() || field.isMissingNode() || (field.isTextual() && (field.asText().equals("text") || field.asText().equals("completed")));
    String entityId;
    try {
      entityId = entity.isTextual() ? Requests.uuid("entityId", entity.asText()) : null;
    } catch (Problem.InvalidRequest e) {
      entityOk = false;
      entityId = null;
    }
    String fieldName = field.isTextual() ? field.asText() : null;
    boolean onlyKnownFields = true;
    for (var names = json.fieldNames(); names.hasNext(); ) {
      onlyKnownFields &= java.util.Set.of("type", "entityId", "field").contains(names.next());
    }
    if (!entityOk || !fieldOk || (fieldName != null && entityId == null) || !onlyKnownFields) {
      self.tell(new Push(wire.error("bad-presence",
          "presence is {\"type\":\"presence\",\"entityId\": a todo id or null, \"field\": \"text\", \"completed\" or null}")));
      return DONE;
    }
    long focus = nextFocus();
    if (entityId == null) {
      announce(focus, new Presence.Window(windowId, userId, null, null));
      return DONE;
    }
    // The check runs beside the socket's other messages (they do not wait for the read side), and
    // only the answer for the socket's latest presence message counts: an older one that comes
    // late neither announces nor answers with an error.
    String id = entityId;
    org.apache.pekko.actor.typed.javadsl.AskPattern.<TodoReadModel.Command, Optional<Todo>>ask(
            readModel, r -> new TodoReadModel.Get(id, r), settings.askTimeout(), system.scheduler())
        .whenCompleteAsync((todo, failure) -> {
          if (!isLatest(focus)) return;
          if (failure != null) {
            // The read side did not answer in time (under load): that says nothing about the
            // todo. The window keeps what it announced before; one not announced yet is at least
            // present, at no todo. The client tries again later.
            announceIfNew(new Presence.Window(windowId, userId, null, null));
            self.tell(new Push(wire.error("unavailable", "Could not check todo " + id + " in time; try again")));
          } else if (todo.isPresent()) {
            announce(focus, new Presence.Window(windowId, userId, id, fieldName));
          } else {
            self.tell(new Push(wire.error("unknown-todo", "No todo " + id)));
          }
        }, system.executionContext());
    return DONE;
  }

  private long nextFocus() {
    synchronized (presenceLock) {
      return ++latestFocus;
    }
  }

  private boolean isLatest(long focus) {
    synchronized (presenceLock) {
      return focus == latestFocus;
    }
  }

  /** Announces this window for presence message number `focus`, unless a newer one came since. */
  private void announce(long focus, Presence.Window window) {
    synchronized (presenceLock) {
      if (focus == latestFocus) announce(window);
    }
  }

  /** Announces this window, unless its socket already ended (its `Gone` went out before). */
  private void announce(Presence.Window window) {
    synchronized (presenceLock) {
      if (ended) return;
      announced = true;
      presence.tell(new Presence.Announce(window));
    }
  }

  /** Announces this window only if it never was (and its socket has not ended). */
  private void announceIfNew(Presence.Window window) {
    synchronized (presenceLock) {
      if (!announced) announce(window);
    }
  }

  private boolean takePresenceToken() {
    long now = System.nanoTime();
    presenceTokens = Math.min(PRESENCE_PER_SECOND, presenceTokens + (now - presenceRefilledAt) / 1e9 * PRESENCE_PER_SECOND);
    presenceRefilledAt = now;
    if (presenceTokens < 1) return false;
    presenceTokens -= 1;
    return true;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
