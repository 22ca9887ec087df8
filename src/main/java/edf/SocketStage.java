package edf;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.InHandler;
import org.apache.pekko.stream.stage.OutHandler;
import scala.Tuple2;
import scala.jdk.javaapi.DurationConverters;
import scala.runtime.BoxedUnit;

/**
 * A whole WebSocket connection in one stage, both directions: the client's messages come in, what
 * the client is sent goes out. One stage per socket keeps the cost of an idle socket low (no
 * source, sink, throttle or buffer stages of its own, and no futures per message).
 *
 * <p>Out: the stage's actor is the socket's address for the {@link ConnectionRegistry} (it
 * registers once the stage runs, and the registry watches it), and what it is sent waits in an
 * {@link OutgoingBuffer} until the client reads it: topic traffic merged, personal messages kept.
 * When the buffer refuses a message the socket is closed at once with {@link
 * SocketSession#SLOW_CONSUMER} (the client resumes what waited); a {@link SocketSession.Close}
 * closes it once what waits is written.
 *
 * <p>In: at most `edf.websocket.max-incoming-per-second` a second (a token bucket with the burst
 * of Pekko's {@code throttle}: a message over the rate waits, none is dropped); a strict text
 * message is read as it is, a streamed one through a sub-stream with the size bound (over it:
 * {@link SocketSession#TOO_BIG}) and within `message-timeout` ({@link
 * SocketSession#POLICY_VIOLATION}); binary messages are drained. The text goes to the {@link
 * SocketSession}, one message at a time. When the stage stops, for whatever reason, the session
 * says its window is gone.
 *
 * <p>The close code chosen here is set in `closing`, which {@link CloseCodes} writes into the close
 * frame; a close started by the client completes the stage and is echoed as it is.
 */
final class SocketStage extends GraphStage<FlowShape<Message, Message>> {
  private final Inlet<Message> in = Inlet.create("SocketStage.in");
  private final Outlet<Message> out = Outlet.create("SocketStage.out");
  private final FlowShape<Message, Message> shape = FlowShape.of(in, out);

  /**
   * What one socket runs with, given as an attribute of its materialization: the stage itself (and
   * the whole flow {@link CloseCodes} builds around it) is one blueprint shared by every socket,
   * since Pekko HTTP keeps a socket's blueprint referenced for as long as the socket is open.
   * `closing` holds the close code chosen here; `sessions` makes the socket's session once it runs.
   */
  record Start(
      Settings settings,
      AtomicReference<SocketSession.Close> closing,
      Function<SocketSession.Socket, SocketSession> sessions) implements Attributes.Attribute {}

  @Override
  public FlowShape<Message, Message> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new Logic(start(attributes));
  }

  /** The socket's {@link Start}: every materialization of a socket's flow carries one. */
  static Start start(Attributes attributes) {
    return attributes.getAttribute(Start.class)
        .orElseThrow(() -> new IllegalStateException("a socket's flow runs with its SocketStage.Start attribute"));
  }

  /**
   * A plain {@link GraphStageLogic}, not a {@code TimerGraphStageLogic} (which keeps a map of timers
   * for every socket): the two timers, rare, are scheduled when needed and come back through {@link
   * #inside}.
   */
  private final class Logic extends GraphStageLogic implements InHandler, OutHandler, SocketSession.Socket {
    private final Settings settings;
    private final AtomicReference<SocketSession.Close> closing;
    private final Function<SocketSession.Socket, SocketSession> sessions;
    private final OutgoingBuffer buffer;
    private final TokenBucket incoming;
    private SocketSession session;
    private ActorRef<SocketSession.Out> self;
    /** A close was asked for: the stage completes once the buffer is empty, and takes nothing more. */
    private boolean closeAsked;
    /** The streamed text message being read, while there is one. */
    private StreamedText reading;
    /** Runs what other threads hand in (answers, timers) inside the stage; made when first needed. */
    private AsyncCallback<Runnable> inside;

    Logic(Start start) {
      super(shape);
      this.settings = start.settings();
      this.closing = start.closing();
      this.sessions = start.sessions();
      this.buffer = new OutgoingBuffer(settings.maxPersonalBacklog(), settings.outgoingBuffer());
      this.incoming = TokenBucket.likeThrottle(settings.maxIncomingPerSecond(), System.nanoTime());
      setHandlers(in, out, this);
    }

    @Override
    public void preStart() {
      self = Adapter.toTyped(getStageActor(this::onOut).ref());
      session = sessions.apply(this);
      pull(in);
      session.started();
    }

    @Override
    public void postStop() {
      if (reading != null) reading.timeout.cancel();
      if (session != null) session.stopped();
    }

    // ---- out: what the registry sends, written as fast as the client reads ----

    private BoxedUnit onOut(Tuple2<org.apache.pekko.actor.ActorRef, Object> message) {
      // after a close is asked for nothing more is taken (the socket is on its way out)
      if (closeAsked) return BoxedUnit.UNIT;
      if (message._2() instanceof SocketSession.Push push) {
        offer(push.json(), push.topicKey());
      } else if (message._2() instanceof SocketSession.Replayed replayed) {
        buffer.replay(replayed.json());
        write();
      } else if (message._2() instanceof SocketSession.Close close) {
        close(close);
      }
      return BoxedUnit.UNIT;
    }

    private void offer(String json, String topicKey) {
      if (!buffer.offer(json, topicKey)) {
        closing.compareAndSet(null, new SocketSession.Close(SocketSession.SLOW_CONSUMER, SocketSession.SLOW_CONSUMER_REASON));
        completeStage();
        return;
      }
      write();
    }

    /** Writes the next message if the client can take it; completes after the last one if asked to close. */
    private void write() {
      if (isAvailable(out)) {
        String next = buffer.poll();
        if (next != null) push(out, TextMessage.create(next));
      }
      if (closeAsked && buffer.isEmpty()) completeStage();
    }

    @Override
    public void onPull() {
      write();
    }

    // ---- what the session does with its socket ----

    @Override
    public ActorRef<SocketSession.Out> self() {
      return self;
    }

    @Override
    public void send(String json) {
      if (!closeAsked) offer(json, null);
    }

    @Override
    public void close(SocketSession.Close close) {
      closing.compareAndSet(null, close);
      closeAsked = true;
      write();
    }

    @Override
    public <T> void whenDone(CompletionStage<T> answer, BiConsumer<T, Throwable> then) {
      AsyncCallback<Runnable> callback = inside();
      answer.whenComplete((value, failure) -> callback.invoke(() -> then.accept(value, failure)));
    }

    /** Runs `then` inside the stage after `delay`, unless the stage has stopped by then. */
    private Cancellable later(java.time.Duration delay, Runnable then) {
      AsyncCallback<Runnable> callback = inside();
      return materializer().scheduleOnce(DurationConverters.toScala(delay), () -> callback.invoke(then));
    }

    private AsyncCallback<Runnable> inside() {
      if (inside == null) inside = createAsyncCallback(Runnable::run);
      return inside;
    }

    // ---- in: the client's messages, at most at the incoming rate ----

    @Override
    public void onPush() {
      Message message = grab(in);
      long wait = incoming.take(System.nanoTime());
      if (wait == 0) {
        read(message);
      } else {
        later(java.time.Duration.ofNanos(wait), () -> read(message));
      }
    }

    private void read(Message message) {
      if (closeAsked) return;
      if (!message.isText()) {
        message.asBinaryMessage().getStreamedData().runWith(Sink.ignore(), subFusingMaterializer());
        session.onBinary();
        pullNext();
        return;
      }
      TextMessage text = message.asTextMessage();
      if (text.isStrict()) {
        onText(text.getStrictText());
      } else {
        reading = new StreamedText();
        reading.start(text.getStreamedText());
      }
    }

    private void onText(String text) {
      if (utf8Length(text) > settings.maxMessageBytes()) {
        close(new SocketSession.Close(SocketSession.TOO_BIG, "message too big"));
        return;
      }
      session.onText(text);
      pullNext();
    }

    /** Asks for the client's next message, unless the socket is on its way out. */
    private void pullNext() {
      if (!closeAsked && !isClosed(in)) pull(in);
    }

    /**
     * A text message that comes in parts: read through a sub-stream of this stage, its parts
     * counted against the size bound as they come, within the message timeout.
     */
    private final class StreamedText extends AbstractInHandler {
      private final SubSinkInlet<String> parts = new SubSinkInlet<>("SocketStage.text");
      private final StringBuilder text = new StringBuilder();
      private Cancellable timeout;
      private long bytes;

      /** Starts reading `source`, the message's parts (the timeout first: the parts may all be there). */
      void start(Source<String, ?> source) {
        timeout = later(settings.messageTimeout(), this::onTimeout);
        parts.setHandler(this);
        parts.pull();
        source.runWith(parts.sink(), subFusingMaterializer());
      }

      private void onTimeout() {
        // a timeout that fired just before the message completed comes too late
        if (reading != this) return;
        abandon();
        close(new SocketSession.Close(SocketSession.POLICY_VIOLATION, "message not completed in time"));
      }

      @Override
      public void onPush() {
        String part = parts.grab();
        bytes += utf8Length(part);
        if (bytes > settings.maxMessageBytes()) {
          abandon();
          close(new SocketSession.Close(SocketSession.TOO_BIG, "message too big"));
          return;
        }
        text.append(part);
        parts.pull();
      }

      @Override
      public void onUpstreamFinish() {
        done();
        onText(text.toString());
      }

      @Override
      public void onUpstreamFailure(Throwable failure) {
        // the message broke off (the connection failed under it): as if it never completed
        done();
        close(new SocketSession.Close(SocketSession.POLICY_VIOLATION, "message not completed in time"));
      }

      void abandon() {
        done();
        parts.cancel();
      }

      private void done() {
        timeout.cancel();
        reading = null;
      }
    }
  }

  private static long utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
