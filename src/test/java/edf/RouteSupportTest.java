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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.directives.RouteAdapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A route that waits for an answer goes on where the answer comes from, against a server bound on
 * a free port: Pekko HTTP's own Java directives crossed to Scala's global pool and back first.
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
  void theRouteGoesOnOnTheThreadThatAnswers() throws Exception {
    Waiting routes = new Waiting();
    CompletableFuture<String> answer = new CompletableFuture<>();
    CompletableFuture<Void> waiting = new CompletableFuture<>();
    Route waitForAnswer = routes.onSuccess(answer, value -> routes.complete(value + " on " + Thread.currentThread().getName()));
    // applied, the route has registered for the answer: only then does the answer come
    Route signalled = RouteAdapter.apply(ctx -> {
      scala.concurrent.Future<org.apache.pekko.http.scaladsl.server.RouteResult> result = waitForAnswer.asScala().apply(ctx);
      waiting.complete(null);
      return result;
    });
    String body = requestWhile(signalled, () -> {
      waiting.get(10, TimeUnit.SECONDS);
      Thread answerer = new Thread(() -> answer.complete("answer"), "answerer");
      answerer.start();
      return null;
    });
    assertEquals("answer on answerer", body);
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
