package edf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.directives.RouteAdapter;
import org.apache.pekko.http.scaladsl.server.RequestContext;
import org.apache.pekko.http.scaladsl.server.RouteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.FutureConverters;
import scala.util.Failure;
import scala.util.Try;

/**
 * What every group of routes shares: the settings, problem+json answers, the strict JSON body, the
 * ask timeout. Each concern ({@link ApiRoutes}, {@link ChaosRoutes}, {@link SocketRoutes}, {@link
 * InternalRoutes}) extends it; {@link Routes} puts them together.
 */
abstract class RouteSupport extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(RouteSupport.class);

  protected final ActorSystem<?> system;
  protected final Settings settings;
  protected final ObjectMapper mapper;
  protected final Problem problem;
  protected final Requests requests;
  protected final Duration timeout;
  /** Pekko's own rejections (404, 405, 415...) answered as problem+json. */
  private final RejectionHandler rejections;

  protected RouteSupport(ActorSystem<?> system, Settings settings) {
    this.system = system;
    this.settings = settings;
    this.mapper = Json.mapper(system);
    this.problem = new Problem(mapper);
    this.requests = new Requests(mapper, settings.maxTextLength());
    this.timeout = settings.askTimeout();
    this.rejections = RejectionHandler.defaultHandler().mapRejectionResponse(problem::fromResponse);
  }

  /** Pekko's own rejections (404, 405, 415...) answered as problem+json. */
  protected Route withProblems(Supplier<Route> inner) {
    return handleRejections(rejections, inner);
  }

  protected Route unavailable(Throwable failure) {
    log.warn("Request could not be completed: {}", failure.toString());
    return complete(
        problem.of(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", "The server is busy; try again later"));
  }

  /** 429: the limit named by `type` (docs/protocol.md, "Limits") was reached; try again in `retryAfterSeconds`. */
  protected Route tooMany(String type, String detail, long retryAfterSeconds) {
    return complete(problem.of(StatusCodes.TOO_MANY_REQUESTS, type, detail)
        .addHeader(org.apache.pekko.http.javadsl.model.headers.RetryAfter.create(retryAfterSeconds)));
  }

  /** Lets `inner` through when `key` has a token left in `limiter`, else answers 429 with `type`. */
  protected Route limited(RateLimiter limiter, String key, String type, String what, Supplier<Route> inner) {
    return limited(limiter, key, type, what, () -> {}, inner);
  }

  /** {@link #limited}, and runs `whenLimited` when it answers 429. */
  protected Route limited(RateLimiter limiter, String key, String type, String what, Runnable whenLimited, Supplier<Route> inner) {
    RateLimiter.Decision decision = limiter.take(key);
    if (decision.allowed()) return inner.get();
    whenLimited.run();
    return tooMany(type, "Too many " + what + "; try again in " + decision.retryAfterSeconds() + " s", decision.retryAfterSeconds());
  }

  protected Route jsonBody(Function<JsonNode, Route> inner) {
    return extractRequestEntity(
        entity -> {
          boolean tooLarge = entity.getContentLengthOption().orElse(0L) > settings.maxBodyBytes();
          return tooLarge ? complete(tooLarge()) : strictJson(inner);
        });
  }

  protected HttpResponse tooLarge() {
    return problem.of(StatusCodes.PAYLOAD_TOO_LARGE, "payload-too-large",
        "The request body is larger than " + settings.maxBodyBytes() + " bytes");
  }

  private Route strictJson(Function<JsonNode, Route> inner) {
    Function<HttpEntity.Strict, Route> parsed = e -> inner.apply(requests.parse(e.getData().asByteBuffer()));
    return extractRequestEntity(
        entity ->
            // the usual case: the body came whole with the headers (Strict.toStrict with a size
            // limit would run a stream per request to find that out)
            entity instanceof HttpEntity.Strict strict && strict.getData().size() <= settings.maxBodyBytes()
                ? parsed.apply(strict)
                : extractStrictEntity(Duration.ofSeconds(5), settings.maxBodyBytes(), parsed::apply));
  }

  protected <T> Route ok(T value) {
    return complete(StatusCodes.OK, value, Jackson.marshaller(mapper));
  }

  /**
   * Pekko HTTP's Java {@code onComplete} and {@code onSuccess} unwrap a CompletionException with a
   * Scala {@code recover} on Scala's global execution context: every answer a route waited for
   * crossed to that pool's thread before the route went on. These do the same unwrapping as part of
   * going on, on the route's own execution context (Pekko's dispatcher), as Pekko HTTP's Scala
   * directives do.
   */
  @Override
  public <T> RouteAdapter onComplete(CompletionStage<T> answer, Function<Try<T>, Route> inner) {
    return whenAnswered(answer, (result, ctx) -> inner.apply(result).asScala().apply(ctx));
  }

  /** Pekko HTTP's Java {@code onSuccess}: a failed answer fails the route (the exception handler answers). */
  @Override
  public <T> RouteAdapter onSuccess(CompletionStage<T> answer, Function<T, Route> inner) {
    return whenAnswered(answer, (result, ctx) -> result.isSuccess()
        ? inner.apply(result.get()).asScala().apply(ctx)
        : scala.concurrent.Future$.MODULE$.failed(result.failed().get()));
  }

  private static <T> RouteAdapter whenAnswered(
      CompletionStage<T> answer, BiFunction<Try<T>, RequestContext, scala.concurrent.Future<RouteResult>> then) {
    scala.concurrent.Future<T> future = FutureConverters.asScala(answer);
    return RouteAdapter.apply(ctx -> future.transformWith(result -> then.apply(unwrapped(result), ctx), ctx.executionContext()));
  }

  private static <T> Try<T> unwrapped(Try<T> result) {
    return result instanceof Failure<T> failure && failure.exception() instanceof CompletionException wrapped
        && wrapped.getCause() != null ? new Failure<>(wrapped.getCause()) : result;
  }

  protected <T, R> CompletionStage<R> ask(ActorRef<T> target, org.apache.pekko.japi.function.Function<ActorRef<R>, T> message) {
    return onAnsweringThread(AskPattern.ask(target, message, timeout, system.scheduler()));
  }

  /**
   * `answer` as a plain CompletableFuture, completed on the thread that answers. Pekko's ask
   * answers with Scala's converter, whose `thenApply`, `whenComplete` and the like each run on the
   * JDK's common pool: one thread switch more per answer (its `...Async` with an executor does not).
   */
  protected static <T> CompletionStage<T> onAnsweringThread(CompletionStage<T> answer) {
    return answer.whenCompleteAsync((value, failure) -> {}, Runnable::run);
  }
}
