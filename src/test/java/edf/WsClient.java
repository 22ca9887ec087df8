package edf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.PeerClosedConnectionException;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketRequest;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgradeResponse;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * A real WebSocket client on Pekko's own client ({@code Http.singleWebSocketRequest}): what it
 * receives lands in a queue a test waits on; {@link #closeCode()} tells how the server closed.
 */
final class WsClient implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String END = "<end>";

  final int upgradeStatus;
  private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();
  private final ActorRef<Object> outgoing;
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();

  private WsClient(TestServer server, String path, Optional<String> origin) {
    Materializer materializer = Materializer.matFromSystem(server.system);
    Pair<ActorRef<Object>, Source<Object, NotUsed>> out =
        ActorSource.actorRef(m -> m == END, m -> Optional.empty(), 1000, OverflowStrategy.fail())
            .preMaterialize(server.system);
    outgoing = out.first();
    Sink<Message, CompletionStage<Done>> sink =
        Sink.foreach(m -> received.add(m.asTextMessage().getStrictText()));
    Flow<Message, Message, CompletionStage<Done>> flow =
        Flow.fromSinkAndSourceMat(
            Flow.<Message>create()
                .mapAsync(1, m -> m.asTextMessage().toStrict(5000, materializer))
                .map(m -> (Message) m)
                .toMat(sink, Keep.right()),
            out.second().map(o -> (Message) TextMessage.create((String) o)),
            Keep.left());
    WebSocketRequest request = WebSocketRequest.create("ws://127.0.0.1:" + server.port + path);
    if (origin.isPresent()) request = request.addHeader(RawHeader.create("Origin", origin.get()));
    Pair<CompletionStage<WebSocketUpgradeResponse>, CompletionStage<Done>> result =
        Http.get(server.system).singleWebSocketRequest(request, flow, materializer);
    try {
      WebSocketUpgradeResponse upgrade = result.first().toCompletableFuture().get(10, TimeUnit.SECONDS);
      upgradeStatus = upgrade.response().status().intValue();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    result.second().whenComplete((done, failure) -> {
      Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
      closed.complete(cause instanceof PeerClosedConnectionException p ? p.closeCode() : failure == null ? 1000 : -1);
    });
  }

  static WsClient connect(TestServer server, String path) {
    return new WsClient(server, path, Optional.empty());
  }

  static WsClient connect(TestServer server, String path, String origin) {
    return new WsClient(server, path, Optional.of(origin));
  }

  void send(String json) {
    outgoing.tell(json);
  }

  /** Waits for the next message that matches, keeping the ones passed over in {@link #seen()}. */
  JsonNode await(Predicate<JsonNode> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        String text = left <= 0 ? null : received.poll(left, TimeUnit.NANOSECONDS);
        if (text == null) throw new AssertionError("no matching message within " + timeout + "; seen " + seen);
        seen.add(text);
        JsonNode json = MAPPER.readTree(text);
        if (match.test(json)) return json;
      }
    } catch (InterruptedException | java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  JsonNode awaitType(String type) {
    return await(m -> type.equals(m.path("type").asText()), Duration.ofSeconds(10));
  }

  void subscribe(String topic) {
    send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
    await(m -> m.path("type").asText().equals("subscribed") && m.path("topic").asText().equals(topic), Duration.ofSeconds(10));
  }

  /** Every message up to and including the first that matches. */
  List<JsonNode> collectUntil(Predicate<JsonNode> match) {
    List<JsonNode> all = new ArrayList<>();
    await(
        m -> {
          all.add(m);
          return match.test(m);
        },
        Duration.ofSeconds(15));
    return all;
  }

  /**
   * Everything the server queued for this socket before now: a ping's pong comes after whatever
   * was already on its way to this socket, so no sleep is needed to see "nothing else arrived".
   */
  List<JsonNode> barrier() {
    send("{\"type\":\"ping\"}");
    List<JsonNode> before = collectUntil(m -> m.path("type").asText().equals("pong"));
    return before.subList(0, before.size() - 1);
  }

  List<String> seen() {
    return seen;
  }

  /** The close code the server sent (1000 for a normal close, -1 when the connection just broke). */
  int closeCode() {
    try {
      return closed.get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("socket was not closed", e);
    }
  }

  boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    outgoing.tell(END);
  }
}
