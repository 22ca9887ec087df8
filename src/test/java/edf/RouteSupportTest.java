package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A route that waits for an answer, against a server bound on a free port: it goes on on its own
 * execution context (Pekko HTTP's own Java directives passed every answer through Scala's global
 * pool on the way; `docs/benchmarks.md`, sixth round), and a failed answer reaches it unwrapped.
 */
class RouteSupportTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final HttpClient client = HttpClient.newHttpClient();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static final class Waiting extends RouteSupport {
    Waiting() {
      super(testKit.system(), Settings.fromConfig(ConfigFactory.load()));
    }
  }

  @Test
  void aRouteGoesOnOnItsOwnExecutionContextWhereverTheAnswerComesFrom() throws Exception {
    Waiting routes = new Waiting();
    CompletableFuture<String> answer = new CompletableFuture<>();
    ExecutorService context = Executors.newSingleThreadExecutor(r -> new Thread(r, "route-context"));
    try {
      Route route = routes.withExecutionContext(scala.concurrent.ExecutionContext$.MODULE$.fromExecutorService(context),
          () -> routes.onSuccess(answer, value -> routes.complete(value + " on " + Thread.currentThread().getName())));
      String body = requestWhile(route, () -> {
        Thread answerer = new Thread(() -> answer.complete("answer"), "answerer");
        answerer.start();
        return null;
      });
      assertEquals("answer on route-context", body);
    } finally {
      context.shutdownNow();
    }
  }

  @Test
  void aFailedAnswerFailsTheRouteWithItsCause() throws Exception {
    Waiting routes = new Waiting();
    CompletableFuture<String> answer = CompletableFuture.<String>failedFuture(new TimeoutException("no answer")).thenApply(v -> v);
    Route route = routes.handleExceptions(
        ExceptionHandler.newBuilder().match(TimeoutException.class, e -> routes.complete(StatusCodes.SERVICE_UNAVAILABLE, "timed out")).build(),
        () -> routes.onSuccess(answer, value -> routes.complete(value)));
    assertEquals("timed out", requestWhile(route, () -> null));
  }

  @Test
  void aFailedAnswerReachesTheRouteUnwrapped() throws Exception {
    Waiting routes = new Waiting();
    // a stage after a failed one fails with a CompletionException around the cause
    CompletableFuture<String> answer = CompletableFuture.<String>failedFuture(new TimeoutException("no answer")).thenApply(v -> v);
    Route route = routes.onComplete(answer, result -> routes.complete(result.failed().get().getClass().getSimpleName()));
    assertEquals("TimeoutException", requestWhile(route, () -> null));
  }

  /** GET / against `route` bound on a free port, running `meanwhile` while the answer is awaited. */
  private static String requestWhile(Route route, Callable<Void> meanwhile) throws Exception {
    ServerBinding binding = Http.get(testKit.system()).newServerAt("127.0.0.1", 0).bind(route)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/"))
          .timeout(Duration.ofSeconds(10)).build();
      CompletableFuture<HttpResponse<String>> response = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
      meanwhile.call();
      return response.get(10, TimeUnit.SECONDS).body();
    } finally {
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
