package edf;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.pattern.Patterns;

/**
 * The simulated trouble: GET and PUT /api/chaos, and the flaky network (a random delay, then maybe
 * a 500 before anything is accepted) that the /api/todos routes go through.
 */
final class ChaosRoutes extends RouteSupport {
  private final ActorRef<Chaos.Command> chaos;
  /** Changes per user, on this node (edf.limits.chaos-changes). */
  private final RateLimiter changes;

  ChaosRoutes(ActorSystem<?> system, Settings settings, ActorRef<Chaos.Command> chaos) {
    super(system, settings);
    this.chaos = chaos;
    this.changes = new RateLimiter(settings.limits().chaosChanges());
  }

  /** /api/chaos, for a signed-in user. */
  Route route(String userId) {
    return path("chaos", () -> concat(get(this::getChaos), put(() -> putChaos(userId))));
  }

  /** Rolls the dice for one request: waits the drawn delay, then fails it or lets `inner` handle it. */
  Route flaky(Function<Chaos.Dice, Route> inner) {
    return onSuccess(
        ask(chaos, Chaos.Roll::new),
        dice -> {
          if (dice.httpDelayMs() <= 0) return failOrHandle(dice, inner);
          CompletionStage<Chaos.Dice> delayed =
              Patterns.after(
                  Duration.ofMillis(dice.httpDelayMs()),
                  system.classicSystem().scheduler(),
                  system.executionContext(),
                  () -> CompletableFuture.completedFuture(dice));
          return onSuccess(delayed, d -> failOrHandle(d, inner));
        });
  }

  private Route failOrHandle(Chaos.Dice dice, Function<Chaos.Dice, Route> inner) {
    return dice.httpFailure()
        ? complete(problem.of(StatusCodes.INTERNAL_SERVER_ERROR, "simulated-failure",
            "Simulated failure before the request was handled: nothing was accepted, retry"))
        : inner.apply(dice);
  }

  private Route getChaos() {
    return onSuccess(ask(chaos, Chaos.Get::new), this::ok);
  }

  private Route putChaos(String userId) {
    if (!settings.chaosUpdatable())
      return complete(problem.of(StatusCodes.FORBIDDEN, "chaos-locked", "Changing the chaos settings is turned off on this server"));
    return jsonBody(
        body -> {
          ChaosSettings.Patch patch = requests.chaos(body);
          return limited(changes, userId, "too-many-chaos-changes", "chaos changes of yours", () -> onSuccess(
              ask(chaos, (ActorRef<Chaos.Updated> r) -> new Chaos.Update(patch, r)),
              updated -> updated.error() != null ? complete(problem.invalid(updated.error())) : ok(updated.settings())));
        });
  }
}
