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
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.scaladsl.BidiFlow;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * Lets the server close a WebSocket with a close code of its choosing (1001, 1009, 4008...): the
 * one place that uses Pekko HTTP's internal WebSocket API.
 *
 * <p>Pekko HTTP's public API closes a server socket with 1000 when the handler completes and 1011
 * when it fails, and offers no other code. So this builds the same stack that {@code
 * handleMessages} builds, over Pekko HTTP's frame-level upgrade (an internal API, pinned with the
 * Pekko HTTP version in pom.xml), and rewrites the outgoing close frame when the session has chosen
 * a code. A close started by the client is echoed unchanged. The stack's blueprint is built once per
 * actor system (an extension) and joined to each socket's handler.
 *
 * <p>If an upgrade of Pekko HTTP stops offering the frame-level upgrade, every socket falls back to
 * the public API (closing with 1000 or 1011 only) and an error is logged for each; the tests that
 * expect 1001 (shutdown), 1009 (too big), 4008 (slow consumer) and 4029 (too many sockets) then fail.
 */
final class CloseCodes implements Extension {
  private static final FiniteDuration CLOSE_TIMEOUT = FiniteDuration.create(3, TimeUnit.SECONDS);

  private static final byte CLOSE_OPCODE = 0x8;

  private final LoggingAdapter log;
  /** Pekko HTTP's message-level WebSocket stack over frames, with this server's settings. */
  private final BidiFlow<FrameEvent, org.apache.pekko.http.scaladsl.model.ws.Message,
      org.apache.pekko.http.scaladsl.model.ws.Message, FrameEvent, NotUsed> stack;

  private CloseCodes(ActorSystem<?> system) {
    this.log = Logging.getLogger(system.classicSystem(), SocketSession.class);
    var settings = ((ServerSettings) ServerSettings.apply(system.classicSystem())).websocketSettings();
    this.stack = WebSocket$.MODULE$.stack(true, settings, CLOSE_TIMEOUT, log);
  }

  private static final ExtensionId<CloseCodes> ID =
      new ExtensionId<>() {
        @Override
        public CloseCodes createExtension(ActorSystem<?> system) {
          return new CloseCodes(system);
        }
      };

  /** Upgrades to a socket served by `handler`, closed with `closing`'s code when one was chosen. */
  static HttpResponse handleMessages(
      WebSocketUpgrade upgrade,
      Flow<Message, Message, NotUsed> handler,
      AtomicReference<SocketSession.Close> closing,
      ActorSystem<?> system) {
    return ID.apply(system).handle(upgrade, handler, closing);
  }

  private HttpResponse handle(
      WebSocketUpgrade upgrade, Flow<Message, Message, NotUsed> handler, AtomicReference<SocketSession.Close> closing) {
    if (!(upgrade instanceof UpgradeToWebSocketLowLevel lowLevel)) {
      log.error(
          "Pekko HTTP's WebSocket upgrade is a {}, not the frame-level upgrade CloseCodes relies on: this socket "
              + "closes with 1000 or 1011 only (1001, 1009, 4008, 4029 are lost). Check CloseCodes against this Pekko HTTP version.",
          upgrade.getClass().getName());
      return upgrade.handleMessagesWith(handler);
    }
    var scalaHandler =
        Flow.<org.apache.pekko.http.scaladsl.model.ws.Message>create()
            .map(Message::adapt)
            .via(handler)
            .map(Message::asScala)
            .asScala();
    Flow<FrameEvent, FrameEvent, NotUsed> frames =
        stack.join(scalaHandler).asJava().map(frame -> rewrite(frame, closing.get()));
    @SuppressWarnings({"unchecked", "rawtypes"})
    Graph<FlowShape<FrameEvent, FrameEvent>, Object> graph = (Graph) frames;
    return lowLevel.handleFrames(graph, Option.empty());
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
