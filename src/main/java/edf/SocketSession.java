package edf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BufferOverflowException;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * One WebSocket connection of one user. Outgoing: an {@link ActorSource} with a bounded buffer
 * that the {@link ConnectionRegistry} feeds; a socket that falls that far behind is closed with
 * {@link #SLOW_CONSUMER}. Incoming: throttled, each message read with a size bound and a timeout,
 * then handled (subscribe, unsubscribe, ping); anything else gets an `error` message back.
 */
public final class SocketSession {

  /** Close codes the server uses (see docs/protocol.md). */
  public static final int GOING_AWAY = 1001;

  public static final int POLICY_VIOLATION = 1008;
  public static final int TOO_BIG = 1009;
  public static final int INTERNAL_ERROR = 1011;
  public static final int SLOW_CONSUMER = 4008;

  /** What the registry and the session itself send to a socket's outgoing stream. */
  public sealed interface Out {}

  public record Push(String json) implements Out {}

  /** Ends the socket with this close code, after what was queued before it. */
  public record Close(int code, String reason) implements Out {}

  private final String userId;
  private final String epoch;
  private final Long lastSeq;
  private final Settings settings;
  private final ActorRef<ConnectionRegistry.Command> registry;
  private final Wire wire;
  private final ObjectMapper mapper;
  private final ActorSystem<?> system;
  private final AtomicReference<Close> closing = new AtomicReference<>();
  private ActorRef<Out> self;

  private SocketSession(
      String userId,
      String epoch,
      Long lastSeq,
      Settings settings,
      ActorRef<ConnectionRegistry.Command> registry,
      Wire wire,
      ActorSystem<?> system) {
    this.userId = userId;
    this.epoch = epoch;
    this.lastSeq = lastSeq;
    this.settings = settings;
    this.registry = registry;
    this.wire = wire;
    this.mapper = Json.mapper(system);
    this.system = system;
  }

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
      ActorRef<ConnectionRegistry.Command> registry,
      Wire wire,
      ActorSystem<?> system) {
    SocketSession session = new SocketSession(userId, epoch, lastSeq, settings, registry, wire, system);
    return CloseCodes.handleMessages(upgrade, session.flow(), session.closing, system);
  }

  private Flow<Message, Message, NotUsed> flow() {
    Pair<ActorRef<Out>, Source<Out, NotUsed>> outgoing =
        ActorSource.<Out>actorRef(
                this::isClose,
                out -> Optional.empty(),
                settings.outgoingBuffer(),
                OverflowStrategy.fail())
            .preMaterialize(system);
    self = outgoing.first();
    registry.tell(new ConnectionRegistry.Register(userId, self, epoch, lastSeq));

    Source<Message, NotUsed> toClient =
        outgoing
            .second()
            .map(out -> (Message) TextMessage.create(((Push) out).json()))
            .recoverWithRetries(
                1,
                BufferOverflowException.class,
                () -> {
                  closing.compareAndSet(null, new Close(SLOW_CONSUMER, "slow consumer"));
                  return Source.empty();
                });

    Sink<Message, NotUsed> fromClient =
        Flow.<Message>create()
            .throttle(settings.maxIncomingPerSecond(), java.time.Duration.ofSeconds(1))
            .mapAsync(1, this::read)
            .to(Sink.foreach(text -> text.ifPresent(this::handle)));

    return Flow.fromSinkAndSourceCoupled(fromClient, toClient);
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
        .thenApply(sb -> Optional.of(sb.toString()))
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

  private void handle(String text) {
    JsonNode json;
    try {
      json = mapper.readTree(text);
    } catch (Exception e) {
      self.tell(new Push(wire.error("bad-json", "The message is not valid JSON")));
      return;
    }
    if (json == null || !json.isObject() || !json.path("type").isTextual()) {
      self.tell(new Push(wire.error("bad-message", "A message must be a JSON object with a string `type`")));
      return;
    }
    String type = json.get("type").asText();
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
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
