package edf;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
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
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * Lets the server close a WebSocket with a close code of its choosing (1001, 1009, 4008...).
 *
 * <p>Pekko HTTP's public API closes a server socket with 1000 when the handler completes and 1011
 * when it fails, and offers no other code. So this builds the same stack that {@code
 * handleMessages} builds, over Pekko HTTP's frame-level upgrade (an internal API, pinned with the
 * Pekko HTTP version in pom.xml), and rewrites the outgoing close frame when the session has chosen
 * a code. A close started by the client is echoed unchanged.
 */
final class CloseCodes {
  private static final FiniteDuration CLOSE_TIMEOUT = FiniteDuration.create(3, TimeUnit.SECONDS);

  private static final byte CLOSE_OPCODE = 0x8;

  private CloseCodes() {}

  static HttpResponse handleMessages(
      WebSocketUpgrade upgrade,
      Flow<Message, Message, NotUsed> handler,
      AtomicReference<SocketSession.Close> closing,
      ActorSystem<?> system) {
    if (!(upgrade instanceof UpgradeToWebSocketLowLevel lowLevel)) {
      return upgrade.handleMessagesWith(handler);
    }
    LoggingAdapter log = Logging.getLogger(system.classicSystem(), SocketSession.class);
    var settings =
        ((ServerSettings) ServerSettings.apply(system.classicSystem())).websocketSettings();
    var scalaHandler =
        Flow.<org.apache.pekko.http.scaladsl.model.ws.Message>create()
            .map(Message::adapt)
            .via(handler)
            .map(Message::asScala)
            .asScala();
    Flow<FrameEvent, FrameEvent, NotUsed> frames =
        WebSocket$.MODULE$
            .stack(true, settings, CLOSE_TIMEOUT, log)
            .join(scalaHandler)
            .asJava()
            .map(frame -> rewrite(frame, closing.get()));
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
