package edf;

import edf.ops.NodeMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One WebSocket connection after its upgrade, both directions, on its Netty channel's event loop:
 * everything here runs on that one thread, so nothing needs a lock.
 *
 * <p>Out: the socket's address for the {@link ConnectionRegistry} is a small actor that hands what
 * it is sent to the event loop (the registry watches it; it stops when the channel closes). What
 * the client is sent waits in an {@link OutgoingBuffer} while the channel is not writable (its
 * outgoing bytes passed the high-water mark): topic traffic merged, personal messages kept. When the
 * buffer refuses a message the socket is closed at once with {@link SocketSession#SLOW_CONSUMER}
 * (the client resumes what waited); a {@link SocketSession.Close} closes it once what waits is written.
 *
 * <p>In: at most `edf.websocket.max-incoming-per-second` messages a second (a token bucket with the
 * burst of Pekko's {@code throttle}: a message over the rate waits, and the channel stops reading
 * meanwhile; none is dropped). A frame over `max-message-bytes` is refused by Netty's frame decoder
 * with 1009; a message in parts is counted as its parts come ({@link SocketSession#TOO_BIG}) and
 * must end within `message-timeout` ({@link SocketSession#POLICY_VIOLATION}); text that is not
 * UTF-8 closes with 1007; binary messages are read and dropped. The text goes to the {@link
 * SocketSession}, one message at a time. Pings are answered; a ping goes out after `keep-alive`
 * without a write. When the channel closes, for whatever reason, the session says its window is gone.
 */
final class SocketConnection extends ChannelInboundHandlerAdapter implements SocketSession.Socket {
  /** How long a server that sent its close frame waits for the client's before it closes the connection. */
  private static final long CLOSE_TIMEOUT_SECONDS = 3;

  private final ActorSystem<?> system;
  private final Settings settings;
  private final Function<SocketSession.Socket, SocketSession> sessions;
  private final OutgoingBuffer buffer;
  private final TokenBucket incoming;
  private final NodeMetrics metrics;
  private ChannelHandlerContext ctx;
  private SocketSession session;
  private ActorRef<SocketSession.Out> self;
  /** A close was asked for: the close frame goes once the buffer is empty, and nothing more is taken. */
  private SocketSession.Close closing;
  private boolean closeSent;
  private boolean ended;
  /** The registry and presence were told the socket is gone (at its close frame, or when the connection ends). */
  private boolean left;
  /** The message in parts being read (its text, or null for a binary one), while there is one. */
  private Reading reading;
  /** Frames that came while the incoming rate made the socket wait, in order; null when not waiting. */
  private ArrayDeque<WebSocketFrame> held;

  SocketConnection(ActorSystem<?> system, Settings settings, Function<SocketSession.Socket, SocketSession> sessions) {
    this.system = system;
    this.settings = settings;
    this.sessions = sessions;
    this.buffer = new OutgoingBuffer(settings.maxPersonalBacklog(), settings.outgoingBuffer());
    this.incoming = TokenBucket.likeThrottle(settings.maxIncomingPerSecond(), System.nanoTime());
    this.metrics = NodeMetrics.get(system);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    // under /system: the user guardian is the app's Guardian, which cannot be asked from here
    self = system.systemActorOf(Behaviors.<SocketSession.Out>receiveMessage(out -> {
      ctx.executor().execute(() -> onOut(out));
      return Behaviors.same();
    }), "socket-" + Ids.random(), Props.empty());
    session = sessions.apply(this);
    session.started();
    // counted down in channelInactive, which reaches this handler only once it is in place
    metrics.socketOpened();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ended = true;
    metrics.socketClosed();
    if (reading != null) reading.abandon();
    if (held != null) held.forEach(ReferenceCountUtil::release);
    held = null;
    leave();
    ctx.fireChannelInactive();
  }

  /** The socket takes nothing more: the registry forgets it (its actor stops), its window is gone. */
  private void leave() {
    if (left) return;
    left = true;
    system.classicSystem().stop(Adapter.toClassic(self));
    session.stopped();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Netty's frame decoder has sent its close (1002, 1009...) for a frame it refused; anything else is a broken connection
    if (cause instanceof CorruptedWebSocketFrameException refused && !closeSent) metrics.socketClosedWith(refused.closeStatus().code());
    ctx.close();
  }

  // ---- out: what the registry sends, written as fast as the client reads ----

  private void onOut(SocketSession.Out message) {
    // after a close is asked for nothing more is taken (the socket is on its way out)
    if (closing != null || ended) return;
    if (message instanceof SocketSession.Push push) {
      offer(push.json(), push.topicKey());
    } else if (message instanceof SocketSession.Replayed replayed) {
      buffer.replay(replayed.json());
      write();
    } else if (message instanceof SocketSession.Close close) {
      close(close);
    }
  }

  private void offer(String json, String topicKey) {
    OutgoingBuffer.Offered offered = buffer.offer(json, topicKey);
    if (offered == OutgoingBuffer.Offered.MERGED) metrics.topicMessageMerged();
    if (offered == OutgoingBuffer.Offered.REFUSED) {
      // too far behind: what waits is left to resume, the close goes out now
      closing = new SocketSession.Close(SocketSession.SLOW_CONSUMER, SocketSession.SLOW_CONSUMER_REASON);
      sendClose();
      return;
    }
    write();
  }

  /** Writes what waits while the channel takes it; sends the close frame after the last one if asked to close. */
  private void write() {
    if (closeSent) return;
    int wrote = 0;
    while (ctx.channel().isWritable()) {
      String next = buffer.poll();
      if (next == null) break;
      ctx.write(new TextWebSocketFrame(ByteBufUtil.writeUtf8(ctx.alloc(), next)), ctx.voidPromise());
      wrote++;
    }
    if (wrote > 0) {
      metrics.messagesWritten(wrote);
      ctx.flush();
    }
    if (closing != null && buffer.isEmpty()) sendClose();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) write();
    ctx.fireChannelWritabilityChanged();
  }

  /**
   * Sends the close frame after what was written before it. Once it is out the client has {@link
   * #CLOSE_TIMEOUT_SECONDS} to answer with its own; a client that does not even read up to it (a
   * slow consumer, a dead peer) is cut off after `keep-alive`.
   */
  private void sendClose() {
    if (closeSent) return;
    closeSent = true;
    leave();
    metrics.socketClosedWith(closing.code());
    ctx.writeAndFlush(new CloseWebSocketFrame(closing.code(), closing.reason())).addListener(written ->
        ctx.executor().schedule(() -> ctx.close(), CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS));
    ctx.executor().schedule(() -> ctx.close(), settings.keepAlive().toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      // nothing written for `keep-alive`: a ping, which the client answers
      if (!closeSent) ctx.writeAndFlush(new PingWebSocketFrame(), ctx.voidPromise());
    } else if (event == HttpEdge.TERMINATE) {
      // the server's last step of going away (the socket was sent 1001 before): the connection ends
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  // ---- what the session does with its socket ----

  @Override
  public ActorRef<SocketSession.Out> self() {
    return self;
  }

  @Override
  public void send(String json) {
    if (closing == null) offer(json, null);
  }

  @Override
  public void close(SocketSession.Close close) {
    if (closing == null) closing = close;
    write();
  }

  @Override
  public <T> void whenDone(CompletionStage<T> answer, BiConsumer<T, Throwable> then) {
    // dropped once the socket has left: nothing may announce its window after its `Gone`
    answer.whenCompleteAsync((value, failure) -> {
      if (!left) then.accept(value, failure);
    }, ctx.executor());
  }

  // ---- in: the client's frames, messages at most at the incoming rate ----

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (!(message instanceof WebSocketFrame frame)) {
      ctx.fireChannelRead(message);
    } else if (frame instanceof CloseWebSocketFrame close) {
      onClose(close);
    } else if (frame instanceof PingWebSocketFrame ping) {
      if (!closeSent) ctx.writeAndFlush(new PongWebSocketFrame(ping.content()), ctx.voidPromise());
      else ping.release();
    } else if (frame instanceof PongWebSocketFrame) {
      frame.release();
    } else if (held != null) {
      held.add(frame);
    } else {
      onData(frame, false);
    }
  }

  /** The client's close: the answer to ours, or its own, which is echoed before the connection closes. */
  private void onClose(CloseWebSocketFrame close) {
    if (closeSent) {
      close.release();
      ctx.close();
      return;
    }
    closeSent = true;
    ctx.writeAndFlush(new CloseWebSocketFrame(true, 0, close.content())).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * A data frame: the first frame of a message takes a token (unless `paid`, when it waited for
   * one already), and waits if there is none yet.
   */
  private void onData(WebSocketFrame frame, boolean paid) {
    boolean first = !(frame instanceof ContinuationWebSocketFrame);
    if (first && !paid) {
      long wait = incoming.take(System.nanoTime());
      if (wait > 0) {
        hold(frame, wait);
        return;
      }
    }
    try {
      if (closing != null) return;
      if (frame instanceof TextWebSocketFrame && frame.isFinalFragment()) {
        onText(frame.content());
        return;
      }
      if (first) reading = new Reading(frame instanceof TextWebSocketFrame);
      Reading message = reading;
      if (message == null) return;
      message.add(frame.content());
      if (reading == message && frame.isFinalFragment()) message.end();
    } finally {
      frame.release();
    }
  }

  /** Stops reading until the token for `frame` comes; the frames read meanwhile wait behind it. */
  private void hold(WebSocketFrame frame, long waitNanos) {
    held = new ArrayDeque<>();
    held.add(frame);
    ctx.channel().config().setAutoRead(false);
    ctx.executor().schedule(this::onHeldTurn, waitNanos, TimeUnit.NANOSECONDS);
  }

  /** The token for the first held frame has come: it and those after it go on, as the rate allows. */
  private void onHeldTurn() {
    ArrayDeque<WebSocketFrame> frames = held;
    if (frames == null) return; // the channel closed meanwhile
    held = null;
    onData(frames.poll(), true);
    while (!frames.isEmpty()) {
      if (held != null) {
        // a later message must wait in turn: the rest wait behind it
        held.addAll(frames);
        return;
      }
      onData(frames.poll(), false);
    }
    if (held == null && !ended) ctx.channel().config().setAutoRead(true);
  }

  private void onText(ByteBuf text) {
    if (!ByteBufUtil.isText(text, StandardCharsets.UTF_8)) {
      close(SocketSession.INVALID_PAYLOAD, "text is not UTF-8");
      return;
    }
    session.onText(text.toString(StandardCharsets.UTF_8));
  }

  private void close(int code, String reason) {
    close(new SocketSession.Close(code, reason));
  }

  /**
   * A message that comes in parts: text collected (binary only counted), bounded by
   * `max-message-bytes` as its parts come, ended within `message-timeout`.
   */
  private final class Reading {
    private final CompositeByteBuf text;
    private final Future<?> timeout;
    private long bytes;

    Reading(boolean isText) {
      this.text = isText ? ctx.alloc().compositeBuffer() : null;
      Duration limit = settings.messageTimeout();
      this.timeout = ctx.executor().schedule(this::onTimeout, limit.toNanos(), TimeUnit.NANOSECONDS);
    }

    void add(ByteBuf part) {
      bytes += part.readableBytes();
      if (bytes > settings.maxMessageBytes()) {
        abandon();
        close(SocketSession.TOO_BIG, "message too big");
        return;
      }
      if (text != null) text.addComponent(true, part.retain());
    }

    /** After the last part was added: the message goes to the session. */
    void end() {
      reading = null;
      timeout.cancel(false);
      if (text == null) {
        session.onBinary();
      } else {
        try {
          onText(text);
        } finally {
          text.release();
        }
      }
    }

    private void onTimeout() {
      if (reading != this) return;
      abandon();
      close(SocketSession.POLICY_VIOLATION, "message not completed in time");
    }

    void abandon() {
      reading = null;
      timeout.cancel(false);
      if (text != null) text.release();
    }
  }
}
