package edf;

import com.fasterxml.jackson.databind.node.ObjectNode;
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

  /** /api/chaos: anyone signed in reads it; who may change it is {@link #mayChange}'s call. */
  Route route(Identity caller) {
    return path("chaos", () -> concat(get(this::getChaos), put(() -> putChaos(caller))));
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
    return onSuccess(ask(chaos, Chaos.Get::new), current -> ok(view(current)));
  }

  /**
   * `edf.chaos.allow-update` off locks the settings for everyone; on, the `admin` role may change
   * them in jwt mode, and in demo mode (no roles) everyone or no one by
   * `edf.chaos.demo-anyone-may-change`.
   */
  private boolean mayChange(Identity caller) {
    return switch (settings.authMode()) {
      case JWT -> caller.has(Identity.ADMIN);
      case DEMO -> settings.chaosDemoAnyoneMayChange();
    };
  }

  private Route putChaos(Identity caller) {
    if (!settings.chaosUpdatable())
      return complete(problem.of(StatusCodes.FORBIDDEN, "chaos-locked", "Changing the chaos settings is turned off on this server"));
    if (!mayChange(caller))
      return complete(problem.of(StatusCodes.FORBIDDEN, "forbidden", settings.authMode() == Settings.AuthMode.JWT
          ? "Changing the chaos settings needs the `" + Identity.ADMIN + "` role"
          : "Changing the chaos settings is not open to everyone on this server (edf.chaos.demo-anyone-may-change)"));
    return jsonBody(
        body -> {
          ChaosSettings.Patch patch = requests.chaos(body);
          return limited(changes, caller.userId(), "too-many-chaos-changes", "chaos changes of yours", () -> onSuccess(
              ask(chaos, (ActorRef<Chaos.Updated> r) -> new Chaos.Update(patch, caller.userId(), r)),
              updated -> updated.error() != null ? complete(problem.invalid(updated.error())) : ok(view(updated.current()))));
        });
  }

  /** The `Chaos` object of docs/protocol.md: the settings' fields and `changedBy`. */
  private ObjectNode view(Chaos.Current current) {
    ObjectNode node = mapper.valueToTree(current.settings());
    node.put("changedBy", current.changedBy());
    return node;
  }
}
