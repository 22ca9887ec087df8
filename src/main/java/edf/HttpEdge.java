package edf;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.TLSPlacebo;
import org.apache.pekko.util.ByteString;

/**
 * The server's port, on Netty. Every connection starts with a {@link FirstRequest}, which sends it
 * one of two ways: a WebSocket upgrade of `GET /ws` stays on Netty ({@link SocketUpgrade}, then a
 * {@link SocketConnection} for the socket's life: a few KB per socket); every other connection is
 * served by Pekko HTTP's own server layer and the routes ({@link PekkoConnection}), so the API
 * answers exactly as a Pekko HTTP binding would. The routes decide upgrades too.
 *
 * <p>One event loop per core (epoll on Linux), daemon threads. On coordinated shutdown the port
 * closes in `service-unbind` (after the sockets were closed with 1001 before it), the connections
 * end in `service-requests-done` once what they are answering is answered, and the event loops
 * stop in `service-stop`.
 */
public final class HttpEdge {
  /** The name of every connection's idle handler (a socket's sends keep-alive pings). */
  static final String IDLE = "idle";

  /** Sent through every connection's pipeline on shutdown: finish what is in flight, then close. */
  static final Object TERMINATE = new Object() {
    @Override
    public String toString() {
      return "HttpEdge.TERMINATE";
    }
  };

  private final ActorSystem<?> system;
  private final Settings settings;
  private final ServerSettings serverSettings;
  private final Materializer materializer;
  private final Function<HttpRequest, CompletionStage<HttpResponse>> routes;
  private final Flow<HttpRequest, HttpResponse, NotUsed> handler;
  private final Problem problem;
  private final boolean epoll = Epoll.isAvailable();
  private final EventLoopGroup loops;
  private final ChannelGroup connections = new DefaultChannelGroup("edf-connections", GlobalEventExecutor.INSTANCE);
  /** One per WebSocket connection, from its upgrade until it closes: edf.limits.sockets-per-node. */
  private final Semaphore socketSlots;
  private final long idleTimeoutNanos;
  private Channel port;

  private HttpEdge(ActorSystem<?> system, Settings settings, Route route) {
    this.system = system;
    this.settings = settings;
    this.serverSettings = ServerSettings.create(system.classicSystem());
    this.materializer = Materializer.matFromSystem(system);
    this.idleTimeoutNanos = system.settings().config().getDuration("pekko.http.server.idle-timeout").toNanos();
    this.socketSlots = new Semaphore(settings.limits().socketsPerNode());
    var sealed = route.handler(system);
    this.routes = request -> {
      try {
        return sealed.apply(request);
      } catch (Exception e) {
        return CompletableFuture.failedFuture(e);
      }
    };
    this.handler = Flow.<HttpRequest>create().mapAsync(serverSettings.getPipeliningLimit(), routes::apply);
    this.problem = new Problem(Json.mapper(system));
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.loops = new MultiThreadIoEventLoopGroup(
        Runtime.getRuntime().availableProcessors(), new DefaultThreadFactory("edf-http", true), io);
  }

  /** Listens on edf.http.host:port; completes once bound (or failed: the port is taken, say). */
  public static CompletionStage<HttpEdge> bind(ActorSystem<?> system, Settings settings, Route route) {
    HttpEdge edge = new HttpEdge(system, settings, route);
    CompletableFuture<HttpEdge> bound = new CompletableFuture<>();
    Class<? extends ServerChannel> channel = edge.epoll
        ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    ChannelFuture binding = new ServerBootstrap()
        .group(edge.loops)
        .channel(channel)
        .option(ChannelOption.SO_BACKLOG, edge.serverSettings.getBacklog())
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            edge.connections.add(ch);
            long idle = edge.idleTimeoutNanos;
            ch.pipeline().addLast(IDLE, new IdleStateHandler(0, 0, idle, TimeUnit.NANOSECONDS));
            ch.pipeline().addLast("first", new FirstRequest(edge));
          }
        })
        .bind(settings.host(), settings.port());
    binding.addListener(f -> {
      if (f.isSuccess()) {
        edge.port = binding.channel();
        bound.complete(edge);
      } else {
        edge.loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        bound.completeExceptionally(f.cause());
      }
    });
    return bound;
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) port.localAddress();
  }

  /**
   * Closes the port; then ends every connection as Pekko HTTP's own binding does when it
   * terminates (the requests it is answering get their answers, then it closes; a socket or a
   * connection with nothing in flight closes at once) and closes what is left after `deadline`;
   * then stops the event loops.
   */
  public void addToCoordinatedShutdown(Duration deadline, ActorSystem<?> system) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "edf-http-unbind", () -> done(port.close()));
    shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "edf-http-end-connections", () -> {
      List<CompletableFuture<Done>> closed = new ArrayList<>();
      for (Channel connection : connections) {
        closed.add(done(connection.closeFuture()).toCompletableFuture());
        connection.pipeline().fireUserEventTriggered(TERMINATE);
      }
      return CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new))
          .thenApply(all -> Done.getInstance())
          .completeOnTimeout(Done.getInstance(), deadline.toMillis(), TimeUnit.MILLISECONDS)
          .thenCompose(ended -> done(connections.close()));
    });
    shutdown.addTask(CoordinatedShutdown.PhaseServiceStop(), "edf-http-stop", () -> {
      CompletableFuture<Done> stopped = new CompletableFuture<>();
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).addListener(f -> stopped.complete(Done.getInstance()));
      return stopped;
    });
  }

  /** From here the connection is a WebSocket upgrade (its head follows). */
  void toSocketUpgrade(ChannelPipeline pipeline) {
    pipeline.addLast(
        new HttpServerCodec(FirstRequest.MAX_HEAD, FirstRequest.MAX_HEAD, 8192),
        new HttpObjectAggregator(8192),
        new SocketUpgrade(system, settings, routes, problem, serverSettings.getParserSettings().getMaxUriLength(), materializer, socketSlots));
  }

  /** From here the connection is Pekko HTTP's (its first bytes follow). */
  void toPekko(ChannelPipeline pipeline) {
    InetSocketAddress remote = (InetSocketAddress) pipeline.channel().remoteAddress();
    pipeline.addLast(new PekkoConnection(pekkoFlow(remote), materializer));
  }

  /** Pekko HTTP's server layer for one connection from `remote`, bytes in and out, joined to the routes. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Flow<ByteString, ByteString, NotUsed> pekkoFlow(InetSocketAddress remote) {
    var layer = Http.get(system).serverLayer(serverSettings, Optional.ofNullable(remote));
    BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, NotUsed> bytes = layer.atop((BidiFlow) TLSPlacebo.getInstance());
    return bytes.reversed().join(handler);
  }

  private static CompletionStage<Done> done(io.netty.util.concurrent.Future<?> future) {
    CompletableFuture<Done> done = new CompletableFuture<>();
    future.addListener(f -> done.complete(Done.getInstance()));
    return done;
  }
}
