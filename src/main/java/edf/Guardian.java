package edf;

import edf.ops.NodeMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Starts everything: joins the cluster (itself, when no seed nodes are configured), the topics,
 * the registry, chaos, the read side, sharding of the processors and ledgers, and, once this node
 * is Up and its journal has answered one recovery ({@link StorageWarmUp}), the HTTP server. The
 * server is ready (GET /health) as soon as it is bound.
 */
public final class Guardian {

  public sealed interface Command {}

  private record ClusterUp(SelfUp up) implements Command {}

  /** The journal answered the warm-up's recovery after `took`, or (null) the warm-up stopped without it. */
  private record StorageWarm(Duration took) implements Command {}

  private record Bound(HttpEdge edge) implements Command {}

  /** `what` could not be bound (the server's port, or the metrics' port). */
  private record BindFailed(String what, Throwable failure) implements Command {}

  private Guardian() {}

  /** @param bound completed with the binding once the server listens (or failed if it cannot) */
  public static Behavior<Command> create(Settings settings, CompletableFuture<HttpEdge> bound) {
    return Behaviors.setup(
        ctx -> {
          ActorSystem<?> system = ctx.getSystem();
          Cluster cluster = Cluster.get(system);
          if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
          }
          cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(SelfUp.class, ClusterUp::new), SelfUp.class));
          ActorRef<StorageWarmUp.Command> warmUp =
              ctx.spawn(StorageWarmUp.create(ctx.messageAdapter(Duration.class, StorageWarm::new)), "storage-warm-up");
          ctx.watchWith(warmUp, new StorageWarm(null));
          warnIfClusterTrafficIsPlain(ctx);
          warnIfAsksStartThreads(ctx);
          serveMetrics(ctx, settings);

          Wire wire = new Wire(Json.mapper(system));
          ActorRef<Topic.Command<TodoEvent>> events =
              ctx.spawn(Topic.create(TodoEvent.class, TodoEvent.TOPIC), "todo-events");
          ActorRef<Topic.Command<Delivery>> deliveries =
              ctx.spawn(Topic.create(Delivery.class, Delivery.TOPIC), "user-deliveries");
          ClusterSharding sharding = ClusterSharding.get(system);
          ActorRef<ConnectionRegistry.Command> registry =
              ctx.spawn(
                  ConnectionRegistry.create(
                      wire, deliveries, events,
                      userId -> sharding.entityRefFor(UserLedger.ENTITY_TYPE_KEY, userId),
                      settings.resumeTimeout(), settings.outgoingBuffer(), settings.limits().socketsPerUser()),
                  "connection-registry");
          system.receptionist().tell(Receptionist.register(ConnectionRegistry.KEY, registry));
          ActorRef<Topic.Command<Chaos.Current>> chaosTopic =
              ctx.spawn(Topic.create(Chaos.Current.class, Chaos.TOPIC), "chaos-topic");
          ActorRef<Chaos.Command> chaos =
              ctx.spawn(Chaos.create(settings.chaos(), settings.chaosSeed(), registry, chaosTopic), "chaos");
          CommandProcessor.init(system, events, settings.limits().queuedPerTodo());
          TicketRegistry.init(system, Clock.systemUTC());
          UserLedger.init(system, settings, deliveries);
          ActorRef<TodoReadModel.Command> readModel =
              ctx.spawn(
                  TodoReadModel.create(
                      events, registry,
                      todoId -> sharding.entityRefFor(CommandProcessor.ENTITY_TYPE_KEY, todoId).tell(CommandProcessor.Wake.INSTANCE),
                      settings.statsInterval()),
                  "todo-read-model");
          ActorRef<Topic.Command<Presence.Event>> presenceTopic =
              ctx.spawn(Topic.create(Presence.Event.class, Presence.TOPIC), "presence-topic");
          ActorRef<Presence.Command> presence =
              ctx.spawn(Presence.create(presenceTopic, registry, settings.presence(), Clock.systemUTC()), "presence");
          Routes routes = new Routes(system, settings, Auth.fromSettings(settings), chaos, readModel, registry, presence);
          CoordinatedShutdown.get(system)
              .addTask(
                  CoordinatedShutdown.PhaseBeforeServiceUnbind(),
                  "edf-drain-then-close-sockets",
                  () -> drainThenCloseSockets(ctx, settings, routes, readModel, registry));

          return starting(ctx, settings, routes, bound, warmUp, false, false);
        });
  }

  /** Until the node is Up and its storage warm; then the server is bound. */
  private static Behavior<Command> starting(
      ActorContext<Command> ctx,
      Settings settings,
      Routes routes,
      CompletableFuture<HttpEdge> bound,
      ActorRef<StorageWarmUp.Command> warmUp,
      boolean up,
      boolean warm) {
    if (up && warm) return bind(ctx, settings, routes, bound);
    return Behaviors.receive(Command.class)
        .onMessage(ClusterUp.class, u -> starting(ctx, settings, routes, bound, warmUp, true, warm))
        .onMessage(StorageWarm.class, w -> {
          if (warm) return Behaviors.same(); // the warm-up stopped after it answered
          if (w.took() == null) {
            ctx.getLog().warn("The journal did not answer the warm-up's recovery; the server starts anyway (see the log above)");
          } else {
            ctx.getLog().info("The journal answered a recovery in {} ms", w.took().toMillis());
            ctx.stop(warmUp);
          }
          return starting(ctx, settings, routes, bound, warmUp, up, true);
        })
        .onMessage(BindFailed.class, f -> onBindFailed(ctx, f, bound))
        .build();
  }

  /**
   * Graceful shutdown: commands get 503 at once; the commands already queued get `drain-timeout`
   * to be processed (as the read side counts them); then every socket is closed with 1001 so
   * clients reconnect, with jitter, elsewhere or later. Whatever is still queued or on its way is
   * stored: it is processed after the restart, or by the node that takes the todo over, and its
   * outcome reaches the user by resume.
   */
  private static java.util.concurrent.CompletionStage<Done> drainThenCloseSockets(
      ActorContext<Command> ctx,
      Settings settings,
      Routes routes,
      ActorRef<TodoReadModel.Command> readModel,
      ActorRef<ConnectionRegistry.Command> registry) {
    routes.stopAccepting();
    var scheduler = ctx.getSystem().scheduler();
    var dispatcher = ctx.getSystem().executionContext();
    return AskPattern.<TodoReadModel.Command, Done>ask(readModel, TodoReadModel.AwaitDrained::new, settings.drainTimeout(), scheduler)
        .handleAsync((drained, timedOut) -> Done.getInstance(), dispatcher)
        .thenComposeAsync(
            drained -> AskPattern.<ConnectionRegistry.Command, ConnectionRegistry.Connections>ask(
                registry,
                r -> new ConnectionRegistry.CloseAll(SocketSession.GOING_AWAY, "server shutting down", r),
                Duration.ofSeconds(5),
                scheduler),
            dispatcher)
        .handleAsync((connections, failure) -> Done.getInstance(), dispatcher);
  }

  /**
   * Cluster traffic (Artery) is plain TCP unless `pekko.remote.artery.transport = tls-tcp`: fine on
   * loopback, not across a network (README, "Cluster transport").
   */
  /** See {@link Main#COMMON_POOL_PARALLELISM}: below 2, every ask's answer starts a thread. */
  private static void warnIfAsksStartThreads(ActorContext<Command> ctx) {
    int parallelism = java.util.concurrent.ForkJoinPool.getCommonPoolParallelism();
    if (parallelism < 2) {
      ctx.getLog().warn(
          "The common ForkJoinPool has parallelism {}: the JDK starts a thread for every ask's answer. "
              + "Start the JVM with -D{}=2", parallelism, Main.COMMON_POOL_PARALLELISM);
    }
  }

  private static void warnIfClusterTrafficIsPlain(ActorContext<Command> ctx) {
    var config = ctx.getSystem().settings().config();
    String host = config.getString("pekko.remote.artery.canonical.hostname");
    String transport = config.getString("pekko.remote.artery.transport");
    if (!"tls-tcp".equals(transport) && !PublicOrigins.isLoopback(host)) {
      ctx.getLog().warn(
          "Cluster traffic to and from {} is not encrypted (pekko.remote.artery.transport = {}): anyone on the "
              + "network can read and forge it. Set EDF_CLUSTER_TRANSPORT=tls-tcp with a key store (README, Cluster transport).",
          host, transport);
    }
  }

  /**
   * The node's metrics, served from the start (while the node joins its cluster too), on their own
   * port when one is set; a port that cannot be opened stops the node as a taken server port does.
   */
  private static void serveMetrics(ActorContext<Command> ctx, Settings settings) {
    NodeMetrics metrics = NodeMetrics.get(ctx.getSystem());
    metrics.limits(settings.limits());
    ctx.getLog().info("At most {} sockets on this node (edf.limits.sockets-per-node)", settings.limits().socketsPerNode());
    Settings.Metrics served = settings.metrics();
    if (served.port().isEmpty()) return;
    try {
      int port = metrics.serve(ctx.getSystem(), served.host(), served.port().getAsInt());
      ctx.getLog().info("Metrics at http://{}:{}/metrics", served.host(), port);
    } catch (RuntimeException e) {
      ctx.getSelf().tell(new BindFailed("the metrics port " + served.host() + ":" + served.port().getAsInt(), e));
    }
  }

  private static Behavior<Command> bind(
      ActorContext<Command> ctx, Settings settings, Routes routes, CompletableFuture<HttpEdge> bound) {
    ctx.pipeToSelf(
        HttpEdge.bind(ctx.getSystem(), settings, routes.route()),
        (binding, failure) -> failure == null ? new Bound(binding) : new BindFailed(settings.host() + ":" + settings.port(), failure));
    return Behaviors.receive(Command.class)
        .onMessage(Bound.class, b -> onBound(ctx, b.edge(), routes, bound))
        .onMessage(BindFailed.class, f -> onBindFailed(ctx, f, bound))
        .onMessage(StorageWarm.class, w -> Behaviors.same()) // the warm-up stopped after it answered
        .build();
  }

  private static Behavior<Command> onBound(
      ActorContext<Command> ctx, HttpEdge edge, Routes routes, CompletableFuture<HttpEdge> bound) {
    edge.addToCoordinatedShutdown(Duration.ofSeconds(10), ctx.getSystem());
    var address = edge.localAddress();
    PublicOrigins origins = routes.bound(address.getPort());
    ctx.getLog().info("Server online at http://{}:{}/", address.getHostString(), address.getPort());
    ctx.getLog().info("Public origins: {}{}", origins,
        origins.checksHost() ? " (requests for any other host get 421)" : " (Host not checked: not bound to loopback)");
    bound.complete(edge);
    return Behaviors.same();
  }

  private static Behavior<Command> onBindFailed(ActorContext<Command> ctx, BindFailed failed, CompletableFuture<HttpEdge> bound) {
    Throwable failure = failed.failure();
    String cause = failure.getCause() == null ? failure.getMessage() : failure.getMessage() + ": " + failure.getCause().getMessage();
    ctx.getLog().error("Could not bind to {}: {}", failed.what(), cause);
    bound.completeExceptionally(failure);
    ctx.getSystem().terminate();
    return Behaviors.stopped();
  }
}
