package edge;

import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The smallest Pekko HTTP server that speaks the perf harness's contract: the low-level
 * {@code bind} (no routing DSL), and per socket only what {@code handleMessagesWith} needs: a
 * {@code Source.queue} the registry offers pushes to and a {@code Sink.foreach} for what the
 * client sends. Settings (header cache off, built-in keep-alive) are in {@code application.conf}.
 *
 * <pre>PORT=8091 INGEST_KEY=... java -cp target/classes:target/lib/* edge.PekkoEdge</pre>
 */
public final class PekkoEdge {

  /** Pushes a socket may have waiting before it is closed as too slow (the product closes with 4008). */
  private static final int OUT_BUFFER = 256;
  /**
   * Where callbacks on Pekko's CompletionStages run: on the thread that completes them. Pekko hands
   * out Scala futures converted to CompletionStages, whose thenApply, whenComplete... are their
   * *Async forms on the default executor, ForkJoinPool.commonPool(); with 2 cores its parallelism is
   * 1, and then CompletableFuture starts a new thread for every callback.
   */
  private static final Executor SAME_THREAD = Runnable::run;
  private static final ContentType PROBLEM_JSON =
      ContentTypes.create(MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8));

  private final Contract contract;
  private final Materializer materializer;
  private final Registry<Socket> registry = new Registry<>();

  private PekkoEdge(Contract contract, Materializer materializer) {
    this.contract = contract;
    this.materializer = materializer;
  }

  public static void main(String[] args) {
    String host = Contract.env("HOST", "127.0.0.1");
    int port = Integer.parseInt(Contract.env("PORT", "8091"));
    ActorSystem system = ActorSystem.create("edge");
    PekkoEdge edge = new PekkoEdge(Contract.fromEnvironment(), Materializer.matFromSystem(system));
    Http.get(system).newServerAt(host, port).bind(edge::handle).whenComplete((binding, failure) -> {
      if (failure != null) {
        System.err.println("pekko-edge: bind failed: " + failure);
        system.terminate();
      } else {
        System.out.println("pekko-edge listening on http://" + binding.localAddress().getHostString() + ":"
            + binding.localAddress().getPort() + " pid=" + ProcessHandle.current().pid());
      }
    });
  }

  private CompletionStage<HttpResponse> handle(HttpRequest request) {
    String path = request.getUri().path();
    if ("/ws".equals(path)) {
      request.discardEntityBytes(materializer);
      return CompletableFuture.completedFuture(upgrade(request));
    }
    String method = request.method().value();
    String authorization = request.getHeader("Authorization").map(HttpHeader::value).orElse(null);
    return request.entity().toStrict(5_000, materializer)
        .thenApplyAsync(strict -> respond(contract.handle(method, path, authorization, strict.getData().toArray(), this::push)), SAME_THREAD)
        .exceptionally(failure -> respond(contract.problem(413, "body too large")));
  }

  private HttpResponse upgrade(HttpRequest request) {
    Optional<WebSocketUpgrade> upgrade = request.getAttribute(AttributeKeys.webSocketUpgrade);
    if (upgrade.isEmpty()) {
      return respond(contract.problem(400, "expected a WebSocket upgrade"));
    }
    String userId = contract.consumeTicket(request.getUri().query().get("ticket").orElse(null));
    if (userId == null) {
      return respond(contract.problem(401, "unauthorized"));
    }
    Socket socket = new Socket(userId);
    Source<Message, NotUsed> out = Source.<Message>queue(OUT_BUFFER).mapMaterializedValue(queue -> {
      socket.queue = queue;
      registry.add(userId, socket);
      return NotUsed.getInstance();
    });
    Sink<Message, NotUsed> in = Sink.<Message>foreach(socket::onClient).mapMaterializedValue(done -> {
      done.whenCompleteAsync((d, failure) -> socket.closed(), SAME_THREAD);
      return NotUsed.getInstance();
    });
    return upgrade.get().handleMessagesWith(in, out);
  }

  private void push(String userId, byte[] frame) {
    Message message = TextMessage.create(new String(frame, StandardCharsets.UTF_8));
    registry.forEach(userId, socket -> socket.offer(message));
  }

  private static HttpResponse respond(Contract.Reply reply) {
    return HttpResponse.create().withStatus(reply.status())
        .withEntity(reply.problem() ? PROBLEM_JSON : ContentTypes.APPLICATION_JSON, reply.body());
  }

  /** One connected socket: its user and the queue its pushes go into. */
  private final class Socket {
    private final String userId;
    private volatile BoundedSourceQueue<Message> queue;

    Socket(String userId) {
      this.userId = userId;
    }

    void offer(Message message) {
      BoundedSourceQueue<Message> q = queue;
      if (q != null && q.offer(message) == QueueOfferResult.dropped()) {
        q.fail(new IllegalStateException("socket too slow: " + OUT_BUFFER + " pushes waiting"));
      }
    }

    void onClient(Message message) {
      if (message.isText() && message.isStrict()) {
        offer(TextMessage.create(new String(contract.onClientText(message.asTextMessage().getStrictText()),
            StandardCharsets.UTF_8)));
      } else if (message.isText()) {
        message.asTextMessage().getStreamedText().runWith(Sink.ignore(), materializer);
      } else {
        message.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), materializer);
      }
    }

    void closed() {
      registry.remove(userId, this);
      BoundedSourceQueue<Message> q = queue;
      if (q != null) {
        q.complete();
      }
    }
  }
}
