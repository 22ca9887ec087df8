package edge;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;

import java.nio.file.Path;
import java.util.List;

/**
 * The perf harness's contract on Netty 4.2: one event-loop group sized to the cores (epoll when
 * available, {@code EDGE_TRANSPORT=nio} to force NIO), the pooled allocator's defaults, the HTTP
 * codec and aggregator for the contract's requests, and Netty's {@link WebSocketServerProtocolHandler}
 * for the upgrade and the frames. Per socket, after the upgrade, the pipeline holds the frame codec,
 * the protocol handler, an {@link IdleStateHandler} (a ping after 30 s without a write, the
 * product's keep-alive) and one shared handler for what the client sends. A push is serialised
 * once into one pooled direct buffer that every socket of the user writes a duplicate of.
 *
 * <pre>PORT=8092 INGEST_KEY=... java -cp target/classes:target/lib/* edge.NettyEdge</pre>
 */
public final class NettyEdge {

  private static final AttributeKey<String> USER = AttributeKey.valueOf("edge.user");
  /** The product's close code for a socket whose outgoing backlog outgrew what it may hold. */
  private static final int CLOSE_TOO_SLOW = 4008;

  private final Contract contract;
  /** With STORE=h2, every ingested event is stored before its 202 and its push; null without. */
  private final H2Journal journal;
  private final Registry<Channel> registry = new Registry<>();
  private final HttpHandler http = new HttpHandler();
  private final FrameHandler frames = new FrameHandler();
  private final WebSocketServerProtocolConfig wsConfig = WebSocketServerProtocolConfig.newBuilder()
      .websocketPath("/ws")
      .checkStartsWith(true) // the ticket rides in the query string
      .maxFramePayloadLength(Contract.MAX_BODY)
      .handshakeTimeoutMillis(10_000)
      .build();

  private NettyEdge(Contract contract, H2Journal journal) {
    this.contract = contract;
    this.journal = journal;
  }

  public static void main(String[] args) throws Exception {
    String host = Contract.env("HOST", "127.0.0.1");
    int port = Integer.parseInt(Contract.env("PORT", "8092"));
    boolean epoll = !"nio".equals(Contract.env("EDGE_TRANSPORT", "epoll")) && Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> channel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), io);
    H2Journal journal = "h2".equals(Contract.env("STORE", "none"))
        ? new H2Journal(Path.of(Contract.env("STORE_DIR", "target/edge-h2")),
            Path.of(Contract.env("STORE_SCHEMA", "../../src/main/resources/db/h2.sql")))
        : null;
    NettyEdge edge = new NettyEdge(Contract.fromEnvironment(), journal);
    try {
      Channel server = new ServerBootstrap()
          .group(group)
          .channel(channel)
          .option(ChannelOption.SO_BACKLOG, 1024)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(
                  new IdleStateHandler(0, 30, 120),
                  new HttpServerCodec(),
                  new HttpObjectAggregator(Contract.MAX_BODY),
                  edge.http,
                  new WebSocketServerProtocolHandler(edge.wsConfig),
                  edge.frames);
            }
          })
          .bind(host, port).sync().channel();
      System.out.println("netty-edge (" + (epoll ? "epoll" : "nio") + (journal == null ? "" : ", events stored in H2")
          + ") listening on http://" + host + ":" + port
          + " pid=" + ProcessHandle.current().pid());
      server.closeFuture().sync();
    } finally {
      group.shutdownGracefully();
    }
  }

  private void push(String userId, byte[] json) {
    ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer(json.length).writeBytes(json);
    try {
      registry.forEach(userId, ch -> {
        if (ch.isWritable()) {
          ch.writeAndFlush(new TextWebSocketFrame(frame.retainedDuplicate()), ch.voidPromise());
        } else {
          // the socket's outgoing buffer passed its high-water mark (64 KB): the product's policy closes it
          ch.writeAndFlush(new CloseWebSocketFrame(CLOSE_TOO_SLOW, "too slow")).addListener(ChannelFutureListener.CLOSE);
        }
      });
    } finally {
      frame.release();
    }
  }

  /** The contract's HTTP requests, and the ticket check before the upgrade goes on to Netty's handler. */
  @Sharable
  private final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    HttpHandler() {
      super(FullHttpRequest.class, false);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      if ("/ws".equals(uri.path())) {
        List<String> ticket = uri.parameters().get("ticket");
        String userId = contract.consumeTicket(ticket == null ? null : ticket.get(0));
        if (userId == null) {
          request.release();
          respond(ctx, false, contract.problem(401, "unauthorized"));
          return;
        }
        ctx.channel().attr(USER).set(userId);
        ctx.fireChannelRead(request); // to WebSocketServerProtocolHandler, which answers the upgrade
        return;
      }
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      Contract.Reply reply;
      Object[] event = new Object[2]; // with a journal: the event to store before the push and the 202
      Contract.Pusher pusher = journal == null ? NettyEdge.this::push : (userId, frame) -> {
        event[0] = userId;
        event[1] = frame;
      };
      try {
        reply = contract.handle(request.method().name(), uri.path(),
            request.headers().get(HttpHeaderNames.AUTHORIZATION), ByteBufUtil.getBytes(request.content()), pusher);
      } finally {
        request.release();
      }
      if (event[0] == null) {
        respond(ctx, keepAlive, reply);
        return;
      }
      String userId = (String) event[0];
      byte[] frame = (byte[]) event[1];
      journal.append(userId, frame, () -> ctx.executor().execute(() -> {
        push(userId, frame);
        respond(ctx, keepAlive, reply);
      }));
    }

    private void respond(ChannelHandlerContext ctx, boolean keepAlive, Contract.Reply reply) {
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(reply.body()));
      response.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, reply.problem() ? "application/problem+json" : HttpHeaderValues.APPLICATION_JSON)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
      if (keepAlive) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ctx.writeAndFlush(response, ctx.voidPromise());
      } else {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }

  /** After the upgrade: registers the socket, answers what the client sends, keeps the socket alive. */
  @Sharable
  private final class FrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
      if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
        Channel ch = ctx.channel();
        String userId = ch.attr(USER).get();
        ctx.pipeline().remove(http);
        registry.add(userId, ch);
        ch.closeFuture().addListener(f -> registry.remove(userId, ch));
      } else if (event instanceof IdleStateEvent idle) {
        if (idle.state() == IdleState.WRITER_IDLE && ctx.channel().hasAttr(USER)) {
          ctx.writeAndFlush(new PingWebSocketFrame(), ctx.voidPromise());
        } else if (idle.state() == IdleState.ALL_IDLE && !ctx.channel().hasAttr(USER)) {
          ctx.close(); // an idle HTTP connection, like Pekko's idle-timeout
        }
      } else {
        super.userEventTriggered(ctx, event);
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof TextWebSocketFrame text && text.isFinalFragment()) {
        byte[] reply = contract.onClientText(text.text());
        ctx.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(reply)), ctx.voidPromise());
      }
      // binary and fragmented frames are read and dropped, as the baselines do
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
