package edf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * One WebSocket connection of one user: what it says to the client and does for it (subscribe,
 * unsubscribe, ping, presence; anything else gets an `error` back). It runs inside the socket's
 * {@link SocketConnection}, which reads the client's messages (bounded, timed, at the incoming
 * rate), holds what the client has not read yet, and calls this session one step at a time on the
 * socket's event loop, so nothing here needs a lock.
 */
public final class SocketSession {

  /** Close codes the server uses (see docs/protocol.md). */
  public static final int GOING_AWAY = 1001;

  /** A text message that is not UTF-8. */
  public static final int INVALID_PAYLOAD = 1007;

  public static final int POLICY_VIOLATION = 1008;
  public static final int TOO_BIG = 1009;
  public static final int INTERNAL_ERROR = 1011;
  public static final int SLOW_CONSUMER = 4008;
  /** The user has edf.limits.sockets-per-user sockets on this node already (after an `error` saying so). */
  public static final int TOO_MANY_SOCKETS = 4029;

  static final String SLOW_CONSUMER_REASON = "slow consumer: reconnect and resume";

  /** What the registry sends to a socket (its {@link SocketConnection}'s actor). */
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

  /** What every session talks to; `reader` reads client messages strictly (one for all sockets). */
  public record Services(
      ActorRef<ConnectionRegistry.Command> registry,
      ActorRef<Presence.Command> presence,
      ActorRef<TodoReadModel.Command> readModel,
      Wire wire,
      ActorSystem<?> system,
      ObjectReader reader) {
    public Services(
        ActorRef<ConnectionRegistry.Command> registry,
        ActorRef<Presence.Command> presence,
        ActorRef<TodoReadModel.Command> readModel,
        Wire wire,
        ActorSystem<?> system) {
      this(registry, presence, readModel, wire, system, Requests.strictReader(Json.mapper(system)));
    }
  }

  /** What a session does with its socket: the {@link SocketConnection} it runs in. */
  interface Socket {
    /** The socket as the registry knows it. */
    ActorRef<Out> self();

    /** Queues a personal message for the client. */
    void send(String json);

    /** Ends the socket with this close code once what is queued is written. */
    void close(Close close);

    /** Calls `then` with the outcome of `answer` inside the socket, unless the socket has ended by then. */
    <T> void whenDone(CompletionStage<T> answer, BiConsumer<T, Throwable> then);
  }

  /** Presence updates allowed per second per socket (a token bucket); more get `rate-limited`. */
  private static final int PRESENCE_PER_SECOND = 5;

  private static final Set<String> PRESENCE_FIELDS = Set.of("type", "entityId", "field");

  private final String userId;
  private final String windowId = Ids.random();
  private final String epoch;
  private final Long lastSeq;
  private final Settings settings;
  private final Services services;
  private final Socket socket;
  private final TokenBucket presenceTokens =
      new TokenBucket(PRESENCE_PER_SECOND, 1_000_000_000L / PRESENCE_PER_SECOND, System.nanoTime());
  /** Whether this window was announced to {@link Presence} at all. */
  private boolean announced;
  /** The number of this socket's latest valid presence message: only its answer may announce. */
  private long latestFocus;

  SocketSession(String userId, String epoch, Long lastSeq, Settings settings, Services services, Socket socket) {
    this.userId = userId;
    this.epoch = epoch;
    this.lastSeq = lastSeq;
    this.settings = settings;
    this.services = services;
    this.socket = socket;
  }

  /**
   * The routes' answer that opens a WebSocket served by a new session for this user ({@link
   * SocketUpgrade} answers the handshake); `epoch` and `lastSeq` (both or neither) resume where an
   * earlier socket of the user left off.
   */
  public static HttpResponse open(String userId, String epoch, Long lastSeq, Settings settings, Services services) {
    SocketUpgrade.Accepted accepted =
        new SocketUpgrade.Accepted(socket -> new SocketSession(userId, epoch, lastSeq, settings, services, socket));
    return HttpResponse.create().withStatus(StatusCodes.SWITCHING_PROTOCOLS).addAttribute(SocketUpgrade.ACCEPTED, accepted);
  }

  /** The socket runs and reads what is sent to it: it registers (and learns its position). */
  void started() {
    services.registry().tell(new ConnectionRegistry.Register(userId, windowId, socket.self(), epoch, lastSeq));
  }

  /** The socket has ended: its window leaves (nothing here announces it after this). */
  void stopped() {
    services.presence().tell(new Presence.Gone(windowId));
  }

  void onBinary() {
    socket.send(wire().error("unsupported", "Binary messages are not supported; send JSON text"));
  }

  /** A client's text message, within the size limit. */
  void onText(String text) {
    services.presence().tell(new Presence.Seen(windowId));
    JsonNode json;
    try {
      json = Requests.readStrict(services.reader(), "message", text);
    } catch (Problem.InvalidRequest e) {
      socket.send(wire().error("bad-json", "message", "The message is not valid JSON: " + e.error().message()));
      return;
    }
    if (json == null || !json.isObject() || !json.path("type").isTextual()) {
      socket.send(wire().error("bad-message", "A message must be a JSON object with a string `type`"));
      return;
    }
    try {
      // every string (and key) of a client message keeps to the text rules, like the HTTP API's
      json = TextRules.tree("", json, TextRules.Lines.SINGLE);
    } catch (Problem.InvalidRequest e) {
      socket.send(wire().error("bad-text", e.error().field(), e.error().field() + ": " + e.error().message()));
      return;
    }
    String type = json.get("type").asText();
    switch (type) {
      case "presence" -> onPresence(json);
      case "ping" -> socket.send(wire().pong());
      case "subscribe", "unsubscribe" -> {
        String topic = json.path("topic").asText("");
        if (!ConnectionRegistry.isTopic(topic)) {
          socket.send(wire().error("unknown-topic", "`topic` must be \"todos\" or \"stats\""));
        } else if (type.equals("subscribe")) {
          services.registry().tell(new ConnectionRegistry.Subscribe(socket.self(), topic));
        } else {
          services.registry().tell(new ConnectionRegistry.Unsubscribe(socket.self(), topic));
        }
      }
      default -> socket.send(wire().error("unknown-type", "Unknown message type `" + abbreviate(type) + "`"));
    }
  }

  /**
   * `{"type":"presence","entityId":uuid|null,"field":"text"|"completed"|null}`: validated (shape,
   * a todo that exists, at most {@link #PRESENCE_PER_SECOND} a second), then announced.
   */
  private void onPresence(JsonNode json) {
    if (!presenceTokens.tryTake(System.nanoTime())) {
      socket.send(wire().error("rate-limited", "At most " + PRESENCE_PER_SECOND + " presence updates a second"));
      return;
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
      onlyKnownFields &= PRESENCE_FIELDS.contains(names.next());
    }
    if (!entityOk || !fieldOk || (fieldName != null && entityId == null) || !onlyKnownFields) {
      socket.send(wire().error("bad-presence",
          "presence is {\"type\":\"presence\",\"entityId\": a todo id or null, \"field\": \"text\", \"completed\" or null}"));
      return;
    }
    long focus = ++latestFocus;
    if (entityId == null) {
      announce(new Presence.Window(windowId, userId, null, null));
      return;
    }
    // The check runs beside the socket's other messages (they do not wait for the read side), and
    // only the answer for the socket's latest presence message counts: an older one that comes
    // late neither announces nor answers with an error. An answer that comes after the socket
    // ended is dropped by the socket, so nothing announces this window after its `Gone`.
    String id = entityId;
    socket.whenDone(
        AskPattern.<TodoReadModel.Command, Optional<Todo>>ask(
            services.readModel(), r -> new TodoReadModel.Get(id, r), settings.askTimeout(), services.system().scheduler()),
        (todo, failure) -> {
          if (focus != latestFocus) return;
          if (failure != null) {
            // The read side did not answer in time (under load): that says nothing about the
            // todo. The window keeps what it announced before; one not announced yet is at least
            // present, at no todo. The client tries again later.
            if (!announced) announce(new Presence.Window(windowId, userId, null, null));
            socket.send(wire().error("unavailable", "Could not check todo " + id + " in time; try again"));
          } else if (todo.isPresent()) {
            announce(new Presence.Window(windowId, userId, id, fieldName));
          } else {
            socket.send(wire().error("unknown-todo", "No todo " + id));
          }
        });
  }

  private void announce(Presence.Window window) {
    announced = true;
    services.presence().tell(new Presence.Announce(window));
  }

  private Wire wire() {
    return services.wire();
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
