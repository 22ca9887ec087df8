package edf;

import edf.ops.NodeMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket upgrade of `GET /ws`, on Netty. The routes decide it as they decide any request (the
 * Host, the Origin, the ticket's redemption: {@link SocketRoutes}), given the request with {@link
 * #REQUEST}; the channel reads nothing meanwhile. When they open a socket ({@link #ACCEPTED} on
 * their answer) Netty answers the handshake, with the routes' headers, and the connection becomes a
 * {@link SocketConnection}; when they refuse, their answer is written and the connection closed.
 * An upgrade that is not a valid version-13 handshake is refused before the routes see it, so its
 * ticket stays unused; so is one that would take the node beyond `edf.limits.sockets-per-node`
 * (503 `node-full`).
 */
final class SocketUpgrade extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(SocketUpgrade.class);

  /** How long a client refused for a full node waits before it tries again (`Retry-After`). */
  static final long NODE_FULL_RETRY_AFTER_SECONDS = 5;

  /** On a request that came as a WebSocket upgrade on Netty: only such a request opens a socket. */
  static final AttributeKey<Boolean> REQUEST = AttributeKey.create("edf.socket-upgrade", Boolean.class);

  /** On the routes' answer that opens a socket: what runs it. */
  static final AttributeKey<Accepted> ACCEPTED = AttributeKey.create("edf.socket-accepted", Accepted.class);

  /** The session the new socket runs, made once the socket is there. */
  record Accepted(Function<SocketSession.Socket, SocketSession> sessions) {}

  private final ActorSystem<?> system;
  private final Settings settings;
  private final Function<HttpRequest, CompletionStage<HttpResponse>> routes;
  private final Problem problem;
  private final int maxUriLength;
  private final Materializer materializer;
  /** A slot of edf.limits.sockets-per-node, which this connection holds from its upgrade until it closes. */
  private final Semaphore socketSlots;
  /** The connection's upgrade came: a request pipelined after it is dropped (it answers or closes the connection). */
  private boolean upgradeCame;
  private final NodeMetrics metrics;
  /** Frames up to `max-message-bytes`, no extensions; UTF-8 is checked per message by {@link SocketConnection}. */
  private final WebSocketServerHandshakerFactory handshakers;

  SocketUpgrade(
      ActorSystem<?> system, Settings settings, Function<HttpRequest, CompletionStage<HttpResponse>> routes,
      Problem problem, int maxUriLength, Materializer materializer, Semaphore socketSlots) {
    super(FullHttpRequest.class, false);
    this.system = system;
    this.settings = settings;
    this.routes = routes;
    this.problem = problem;
    this.maxUriLength = maxUriLength;
    this.materializer = materializer;
    this.socketSlots = socketSlots;
    this.metrics = NodeMetrics.get(system);
    WebSocketDecoderConfig frames = WebSocketDecoderConfig.newBuilder()
        .maxFramePayloadLength(settings.maxMessageBytes())
        .allowExtensions(false)
        .withUTF8Validator(false)
        .build();
    // the URL only goes into the answers of drafts before version 13, which are refused before
    this.handshakers = new WebSocketServerHandshakerFactory("/ws", null, frames);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    ctx.channel().config().setAutoRead(false);
    if (upgradeCame) {
      request.release();
      return;
    }
    upgradeCame = true;
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      request.release();
      refuse(ctx, cause instanceof TooLongFrameException
          ? ownProblem(StatusCodes.REQUEST_HEADER_FIELDS_TOO_LARGE, "http-431", "The request head is too large")
          : ownProblem(StatusCodes.BAD_REQUEST, "http-400", "The request could not be read"));
      return;
    }
    if (request.uri().length() > maxUriLength) {
      request.release();
      refuse(ctx, ownProblem(StatusCodes.URI_TOO_LONG, "http-414", "The URI is longer than " + maxUriLength + " characters"));
      return;
    }
    WebSocketServerHandshaker handshaker = handshaker(request);
    if (handshaker == null) {
      request.release();
      refuse(ctx, ownProblem(StatusCodes.BAD_REQUEST, "bad-upgrade",
          "A WebSocket upgrade is version 13 (Sec-WebSocket-Version), with a Sec-WebSocket-Key and Connection: Upgrade"));
      return;
    }
    if (!socketSlots.tryAcquire()) {
      // before the routes, so the ticket stays unused
      request.release();
      metrics.socketRefusedNodeFull();
      refuse(ctx, ownProblem(StatusCodes.SERVICE_UNAVAILABLE, "node-full",
              "This node holds as many sockets as it may; try again later")
          .addHeader(RetryAfter.create(NODE_FULL_RETRY_AFTER_SECONDS)));
      return;
    }
    ctx.channel().closeFuture().addListener(closed -> socketSlots.release());
    HttpRequest asked;
    try {
      asked = pekkoRequest(request);
    } catch (RuntimeException e) {
      request.release();
      refuse(ctx, ownProblem(StatusCodes.BAD_REQUEST, "http-400", "The request target or a header is not valid"));
      return;
    }
    routes.apply(asked).whenCompleteAsync((response, failure) -> {
      if (failure == null) {
        answer(ctx, request, handshaker, response);
      } else {
        log.error("The routes failed on a socket upgrade", failure);
        request.release();
        refuse(ctx, ownProblem(StatusCodes.INTERNAL_SERVER_ERROR, "internal", "The server failed to handle the request"));
      }
    }, ctx.executor());
  }

  /** The server is going away, or nothing moved for `idle-timeout`, while the routes decide the upgrade: the connection ends. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event == HttpEdge.TERMINATE || event instanceof IdleStateEvent) {
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  private void answer(ChannelHandlerContext ctx, FullHttpRequest request, WebSocketServerHandshaker handshaker, HttpResponse response) {
    Optional<Accepted> accepted = response.getAttribute(ACCEPTED);
    if (accepted.isEmpty() || !ctx.channel().isActive()) {
      request.release();
      refuse(ctx, response);
      return;
    }
    HttpHeaders headers = new DefaultHttpHeaders();
    for (HttpHeader header : response.getHeaders()) headers.add(header.name(), header.value());
    try {
      handshaker.handshake(ctx.channel(), request, headers, ctx.newPromise())
          .addListener(done -> {
            if (done.isSuccess()) {
              ctx.channel().config().setAutoRead(true);
            } else {
              ctx.close();
            }
          });
    } finally {
      request.release();
    }
    ctx.pipeline().replace(HttpEdge.IDLE, HttpEdge.IDLE,
        new IdleStateHandler(0, settings.keepAlive().toNanos(), 0, TimeUnit.NANOSECONDS));
    ctx.pipeline().replace(this, "socket", new SocketConnection(system, settings, accepted.get().sessions()));
  }

  /** A refusal of the edge's own, with the headers every answer carries. */
  private HttpResponse ownProblem(StatusCode status, String type, String detail) {
    return problem.of(status, type, detail).addHeaders(SecurityHeaders.ALL);
  }

  /** Netty's handshaker for a well-formed version-13 upgrade; null for anything else. */
  private WebSocketServerHandshaker handshaker(FullHttpRequest request) {
    HttpHeaders headers = request.headers();
    if (!headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
        || !headers.contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
        || !headers.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY)
        || !"13".equals(headers.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
      return null;
    }
    return handshakers.newHandshaker(request);
  }

  /** The upgrade as the routes see any request, marked with {@link #REQUEST}. */
  private static HttpRequest pekkoRequest(FullHttpRequest request) {
    List<HttpHeader> headers = new ArrayList<>();
    for (Map.Entry<String, String> header : request.headers()) headers.add(HttpHeader.parse(header.getKey(), header.getValue()));
    return HttpRequest.create(request.uri())
        .withMethod(HttpMethods.GET)
        .addHeaders(headers)
        .addAttribute(REQUEST, Boolean.TRUE);
  }

  /** Writes the routes' answer (or a problem) and closes the connection. */
  private void refuse(ChannelHandlerContext ctx, HttpResponse response) {
    StatusCode status = response.status();
    response.entity().toStrict(settings.askTimeout().toMillis(), materializer).whenCompleteAsync((entity, failure) -> {
      byte[] body = failure == null ? entity.getData().toArrayUnsafe() : new byte[0];
      FullHttpResponse answer = new DefaultFullHttpResponse(
          HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status.intValue(), status.reason()), Unpooled.wrappedBuffer(body));
      for (HttpHeader header : response.getHeaders()) answer.headers().add(header.name(), header.value());
      HttpEntity.Strict strict = failure == null ? entity : null;
      if (strict != null && body.length > 0) answer.headers().set(HttpHeaderNames.CONTENT_TYPE, strict.getContentType().toString());
      answer.headers()
          .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }, ctx.executor());
  }
}
