package edf;

import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BufferOverflowException;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * The one stage between a socket's inbox (its {@code ActorSource}) and the WebSocket: it takes
 * every message at once and holds what the client has not read yet in an {@link OutgoingBuffer},
 * merging topic traffic and keeping personal messages. When the client falls so far behind that
 * the buffer refuses a message, the socket is closed at once with {@link
 * SocketSession#SLOW_CONSUMER} (what waits is dropped: the client resumes it from the user's
 * history). When the inbox completes (a {@link SocketSession.Close}), what waits is written first.
 */
final class OutgoingStage extends GraphStage<FlowShape<SocketSession.Out, Message>> {
  static final String SLOW_CONSUMER_REASON = "slow consumer: reconnect and resume";

  private final Inlet<SocketSession.Out> in = Inlet.create("OutgoingStage.in");
  private final Outlet<Message> out = Outlet.create("OutgoingStage.out");
  private final FlowShape<SocketSession.Out, Message> shape = FlowShape.of(in, out);
  private final int maxPersonal;
  private final int maxTopicKeys;
  private final AtomicReference<SocketSession.Close> closing;
  private final Runnable started;

  /**
   * `started` runs once the stage reads its inbox (the socket registers then: a replay told to the
   * inbox before that would wait in the inbox's own small buffer).
   */
  OutgoingStage(int maxPersonal, int maxTopicKeys, AtomicReference<SocketSession.Close> closing, Runnable started) {
    this.maxPersonal = maxPersonal;
    this.maxTopicKeys = maxTopicKeys;
    this.closing = closing;
    this.started = started;
  }

  @Override
  public FlowShape<SocketSession.Out, Message> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new GraphStageLogic(shape) {
      private final OutgoingBuffer buffer = new OutgoingBuffer(maxPersonal, maxTopicKeys);

      @Override
      public void preStart() {
        pull(in);
        started.run();
      }

      private void tooSlow() {
        closing.compareAndSet(null, new SocketSession.Close(SocketSession.SLOW_CONSUMER, SLOW_CONSUMER_REASON));
        completeStage();
      }

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            SocketSession.Out next = grab(in);
            // a Close never gets here: it completes the inbox
            boolean taken = next instanceof SocketSession.Replayed replayed
                ? buffer.replay(replayed.json())
                : buffer.offer(((SocketSession.Push) next).json(), ((SocketSession.Push) next).topicKey());
            if (!taken) {
              tooSlow();
              return;
            }
            if (isAvailable(out)) push(out, TextMessage.create(buffer.poll()));
            pull(in);
          }

          @Override
          public void onUpstreamFinish() {
            if (buffer.isEmpty()) completeStage();
          }

          @Override
          public void onUpstreamFailure(Throwable failure) {
            if (failure instanceof BufferOverflowException) {
              tooSlow();
            } else {
              failStage(failure);
            }
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            String next = buffer.poll();
            if (next != null) push(out, TextMessage.create(next));
            if (buffer.isEmpty() && isClosed(in)) completeStage();
          }
        });
      }
    };
  }
}
