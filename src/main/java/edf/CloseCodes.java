package edf;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.FrameEvent$;
import org.apache.pekko.http.impl.engine.ws.FrameStart;
import org.apache.pekko.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import org.apache.pekko.http.impl.engine.ws.WebSocket$;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.javadsl.Flow;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * The one flow every server WebSocket runs, and the one place that uses Pekko HTTP's internal
 * WebSocket API: it lets the server close a socket with a close code of its choosing (1001, 1009,
 * 4008...).
 *
 * <p>Pekko HTTP's public API closes a server socket with 1000 when the handler completes and 1011
 * when it fails, and offers no other code. So this builds the same stack that {@code
 * handleMessages} builds, over Pekko HTTP's frame-level upgrade (an internal API, pinned with the
 * Pekko HTTP version in pom.xml), joined to the socket's {@link SocketStage}, and rewrites the
 * outgoing close frame when the socket has chosen a code. A close started by the client is echoed
 * unchanged.
 *
 * <p>The flow is built once per actor system (an extension) and materialized for each socket with
 * that socket's {@link SocketStage.Start} as an attribute: Pekko HTTP keeps the blueprint of a
 * socket's flow referenced for as long as the socket is open, and one built per socket cost about
 * 9 KB of heap per idle socket (docs/benchmarks.md).
 *
 * <p>If an upgrade of Pekko HTTP stops offering the frame-level upgrade, every socket falls back to
 * the public API (closing with 1000 or 1011 only) and an error is logged for each; the tests that
 * expect 1001 (shutdown), 1009 (too big), 4008 (slow consumer) and 4029 (too many sockets) then fail.
 */
final class CloseCodes implements Extension {
  private static final FiniteDuration CLOSE_TIMEOUT = FiniteDuration.create(3, TimeUnit.SECONDS);

  private static final byte CLOSE_OPCODE = 0x8;

  private final LoggingAdapter log;
  /** Every socket's flow: Pekko HTTP's message stack over frames, the socket's stage, the rewrite. */
  private final Graph<FlowShape<FrameEvent, FrameEvent>, Object> frames;

  @SuppressWarnings({"unchecked", "rawtypes"})
  private CloseCodes(ActorSystem<?> system) {
    this.log = Logging.getLogger(system.classicSystem(), SocketSession.class);
    var settings = ((ServerSettings) ServerSettings.apply(system.classicSystem())).websocketSettings();
    var messages =
        Flow.<org.apache.pekko.http.scaladsl.model.ws.Message>create()
            .map(Message::adapt)
            .via(new SocketStage())
            .map(Message::asScala)
            .asScala();
    Flow<FrameEvent, FrameEvent, NotUsed> flow =
        WebSocket$.MODULE$.stack(true, settings, CLOSE_TIMEOUT, log).join(messages).asJava().via(new Rewrite());
    this.frames = (Graph) flow;
  }

  private static final ExtensionId<CloseCodes> ID =
      new ExtensionId<>() {
        @Override
        public CloseCodes createExtension(ActorSystem<?> system) {
          return new CloseCodes(system);
        }
      };

  /** Upgrades to a socket run by a {@link SocketStage} with `start`, closed with the code it chooses. */
  static HttpResponse handleMessages(WebSocketUpgrade upgrade, SocketStage.Start start, ActorSystem<?> system) {
    return ID.apply(system).handle(upgrade, start);
  }

  private HttpResponse handle(WebSocketUpgrade upgrade, SocketStage.Start start) {
    Attributes socket = Attributes.apply(start);
    if (!(upgrade instanceof UpgradeToWebSocketLowLevel lowLevel)) {
      log.error(
          "Pekko HTTP's WebSocket upgrade is a {}, not the frame-level upgrade CloseCodes relies on: this socket "
              + "closes with 1000 or 1011 only (1001, 1009, 4008, 4029 are lost). Check CloseCodes against this Pekko HTTP version.",
          upgrade.getClass().getName());
      return upgrade.handleMessagesWith(Flow.fromGraph(new SocketStage()).addAttributes(socket));
    }
    return lowLevel.handleFrames(frames.addAttributes(socket), Option.empty());
  }

  /** Writes the socket's chosen close code (its {@link SocketStage.Start#closing}) into its close frame. */
  private static final class Rewrite extends GraphStage<FlowShape<FrameEvent, FrameEvent>> {
    private final Inlet<FrameEvent> in = Inlet.create("CloseCodes.in");
    private final Outlet<FrameEvent> out = Outlet.create("CloseCodes.out");
    private final FlowShape<FrameEvent, FrameEvent> shape = FlowShape.of(in, out);

    @Override
    public FlowShape<FrameEvent, FrameEvent> shape() {
      return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
      AtomicReference<SocketSession.Close> closing = SocketStage.start(attributes).closing();
      return new GraphStageLogic(shape) {
        {
          setHandler(in, new AbstractInHandler() {
            @Override
            public void onPush() {
              push(out, rewrite(grab(in), closing.get()));
            }
          });
          setHandler(out, new AbstractOutHandler() {
            @Override
            public void onPull() {
              pull(in);
            }
          });
        }
      };
    }
  }

  private static FrameEvent rewrite(FrameEvent frame, SocketSession.Close close) {
    if (close != null
        && frame instanceof FrameStart start
        && start.header().opcode().code() == CLOSE_OPCODE) {
      return FrameEvent$.MODULE$.closeFrame(close.code(), close.reason(), Option.empty());
    }
    return frame;
  }
}
