package edf.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/** The simulator's HTTP client: Pekko's pooled client, with the retry policy of the browser app. */
final class Http {
  /** A response read to the end; status -1 means a network error or timeout. */
  record Reply(int status, JsonNode json) {}

  private final ActorSystem<?> system;
  private final String base;
  private final Duration timeout;
  private final ObjectMapper mapper = new ObjectMapper();

  Http(ActorSystem<?> system, String base, Duration timeout) {
    this.system = system;
    this.base = base;
    this.timeout = timeout;
  }

  /**
   * One request, read to the end. Pekko's CompletionStages run plain callbacks (thenApply and
   * friends) on ForkJoinPool.commonPool, which on a 2-core machine means one new thread per
   * callback; so every step here runs on the actor system's dispatcher, and callers get a plain
   * CompletableFuture whose callbacks run where it was completed.
   */
  CompletableFuture<Reply> send(HttpMethod method, String path, String token, String body, List<HttpHeader> headers) {
    HttpRequest request = HttpRequest.create(base + path).withMethod(method).addHeaders(headers);
    if (token != null) request = request.addHeader(RawHeader.create("Authorization", "Bearer " + token));
    if (body != null) request = request.withEntity(ContentTypes.APPLICATION_JSON, body);
    Executor dispatcher = system.executionContext();
    return org.apache.pekko.http.javadsl.Http.get(system)
        .singleRequest(request)
        .thenComposeAsync(r -> {
          int status = r.status().intValue();
          if (r.entity() instanceof HttpEntity.Strict strict) {
            return CompletableFuture.completedFuture(new Reply(status, parse(strict.getData().utf8String())));
          }
          return r.entity().toStrict(timeout.toMillis(), system)
              .thenApplyAsync(s -> new Reply(status, parse(s.getData().utf8String())), dispatcher);
        }, dispatcher)
        .toCompletableFuture()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(failure -> new Reply(-1, null));
  }

  /** Sends, and retries network errors and 5xx after a jittered backoff, keeping every header. */
  CompletionStage<Reply> withRetries(RetryPolicy policy, HttpMethod method, String path, String token, String body,
      List<HttpHeader> headers, Runnable onRetry500, Runnable onRetryNetwork) {
    CompletableFuture<Reply> result = new CompletableFuture<>();
    attempt(1, policy, method, path, token, body, headers, onRetry500, onRetryNetwork, result);
    return result;
  }

  private void attempt(int n, RetryPolicy policy, HttpMethod method, String path, String token, String body,
      List<HttpHeader> headers, Runnable onRetry500, Runnable onRetryNetwork, CompletableFuture<Reply> result) {
    send(method, path, token, body, headers).whenComplete((reply, failure) -> {
      boolean retry = reply.status() == -1 || RetryPolicy.retryable(reply.status());
      if (!retry || n >= policy.maxAttempts()) {
        result.complete(reply);
        return;
      }
      (reply.status() == -1 ? onRetryNetwork : onRetry500).run();
      system.scheduler().scheduleOnce(policy.backoff(n),
          () -> attempt(n + 1, policy, method, path, token, body, headers, onRetry500, onRetryNetwork, result),
          system.executionContext());
    });
  }

  private JsonNode parse(String body) {
    try {
      return body.isEmpty() ? null : mapper.readTree(body);
    } catch (Exception e) {
      return null;
    }
  }
}
