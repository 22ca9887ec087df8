package edf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.event.Logging;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server's port ({@link HttpEdge}): a WebSocket upgrade of GET /ws stays on Netty, anything
 * else is Pekko HTTP's, and the socket keeps itself alive with pings.
 */
class HttpEdgeTest extends ServerTest {
  static final ObjectMapper MAPPER = new ObjectMapper();

  @BeforeAll
  static void start() {
    startServer("edf.websocket.keep-alive = 300ms");
  }

  @Test
  void aSocketThatIsWrittenNothingGetsAPingAfterKeepAlive() throws Exception {
    try (RawFrameClient client = new RawFrameClient(server.port, "/ws?ticket=" + server.ticket(alice))) {
      RawFrameClient.Frame frame;
      do {
        frame = client.readWithPings();
      } while (frame.opcode() == 1);
      assertEquals(9, frame.opcode(), "a ping, not a close: " + frame.closeCode());
    }
  }

  @Test
  void aClientsPingIsAnsweredWithAPongThatCarriesItsData() throws Exception {
    try (RawFrameClient client = new RawFrameClient(server.port, "/ws?ticket=" + server.ticket(alice))) {
      byte[] data = "are you there".getBytes(StandardCharsets.UTF_8);
      client.sendFrame(0x9, true, data);
      RawFrameClient.Frame frame;
      do {
        frame = client.read();
      } while (frame.opcode() == 1);
      assertEquals(10, frame.opcode(), "a pong");
      assertArrayEquals(data, frame.payload());
    }
  }

  @Test
  void openingAndRefusingSocketsLogsNoWarning() throws Exception {
    CapturedLog.startCapturing();
    try {
      try (RawFrameClient client = new RawFrameClient(server.port, "/ws?ticket=" + server.ticket(alice))) {
        assertEquals(1, client.read().opcode(), "the welcome");
      }
      assertEquals(401, WsClient.connect(server, "/ws?ticket=not-a-ticket").upgradeStatus);
      // everything logged before this marker (through the same event stream) has reached the log
      String marker = "http-edge-marker-" + UUID.randomUUID();
      Logging.getLogger(server.system.classicSystem(), HttpEdgeTest.class).warning(marker);
      Eventually.get(() -> CapturedLog.lines().stream().anyMatch(l -> l.contains(marker)) ? true : null);
      List<String> warnings =
          CapturedLog.lines().stream().filter(l -> l.contains("WARN") && !l.contains(marker)).toList();
      assertEquals(List.of(), warnings);
    } finally {
      CapturedLog.stopCapturing();
    }
  }

  @Test
  void anUpgradeThatIsNotVersion13IsRefusedAndItsTicketStaysUnused() throws Exception {
    String ticket = server.ticket(alice);
    RawHttp.Response refused = RawHttp.request(server.port, "GET", "/ws?ticket=" + ticket, "127.0.0.1:" + server.port,
        "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", null);
    assertEquals(400, refused.status(), refused.toString());
    assertEquals("application/problem+json", refused.header("content-type"));
    assertEquals("urn:edf:problem:bad-upgrade", MAPPER.readTree(refused.body()).path("type").asText());
    assertEquals("nosniff", refused.header("x-content-type-options"), "the headers every answer carries");
    assertEquals(101, RawHttp.upgrade(server.port, "/ws?ticket=" + ticket, "127.0.0.1:" + server.port, null).status(),
        "the ticket was not used by the refused upgrade");
  }

  @Test
  void aConnectionThatSendsNothingOrHalfAnUpgradeIsClosedAfterTheIdleTimeout() throws Exception {
    try (TestServer idle = TestServer.start("pekko.http.server.idle-timeout = 300ms")) {
      for (String sent : new String[] {"", "GET /w", "GET /ws?ticket=x HTTP/1.1\r\nUpgrade: websocket\r\n"}) {
        try (Socket socket = new Socket("127.0.0.1", idle.port)) {
          socket.setSoTimeout(20_000);
          socket.getOutputStream().write(sent.getBytes(StandardCharsets.US_ASCII));
          assertEquals(-1, socket.getInputStream().read(), "closed by the server, nothing answered: \"" + sent + "\"");
        }
      }
    }
  }

  @Test
  void aRequestBeingAnsweredWhenTheServerGoesAwayStillGetsItsAnswer() throws Exception {
    TestServer going = TestServer.start("edf.shutdown.drain-timeout = 100ms");
    try (Socket socket = new Socket("127.0.0.1", going.port)) {
      String erin = going.signIn("erin");
      // the flaky network holds the command 2 s before the routes answer it
      going.send(HttpMethods.PUT, "/api/chaos", erin, "{\"minHttpDelayMs\":2000,\"maxHttpDelayMs\":2000}");
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      String host = "Host: 127.0.0.1:" + going.port + "\r\n";
      // one answer first, so the connection is the server's before the command goes out on it
      out.write(("GET /health HTTP/1.1\r\n" + host + "\r\n").getBytes(StandardCharsets.US_ASCII));
      assertEquals("HTTP/1.1 200", new String(in.readNBytes(12), StandardCharsets.US_ASCII));
      in.skipNBytes(in.available());
      String body = "{\"text\":\"in flight\"}";
      out.write(("POST /api/todos HTTP/1.1\r\n" + host + "Authorization: Bearer " + erin + "\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
      CoordinatedShutdown.get(going.system).runAll(CoordinatedShutdown.unknownReason()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(answer.startsWith("HTTP/1.1 202") || answer.startsWith("HTTP/1.1 503"), "answered, not cut off: " + answer);
    } finally {
      going.close();
    }
  }

  @Test
  void aPlainGetOfTheSocketPathIsPekkoHttpsAndRefusedAsNotAnUpgrade() throws Exception {
    RawHttp.Response plain = RawHttp.request(server.port, "GET", "/ws?ticket=" + server.ticket(alice), "127.0.0.1:" + server.port, "", null);
    assertEquals(400, plain.status(), plain.toString());
    assertEquals("application/problem+json", plain.header("content-type"));
    assertTrue(plain.body().contains("WebSocket"), plain.body());
  }

  @Test
  void aBodyRefusedBeforeItIsWholeCanStillBeSentAndTheAnswerRead() throws Exception {
    // 413 goes out on the Content-Length alone, while the client is still sending: the server
    // closes its side and drops the rest for a moment, so the client neither gets a reset for
    // writing on nor loses the answer
    try (Socket socket = new Socket("127.0.0.1", server.port)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      int length = 4 * 1024 * 1024;
      out.write(("POST /api/todos HTTP/1.1\r\nHost: 127.0.0.1:" + server.port + "\r\nAuthorization: Bearer " + alice
          + "\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      assertEquals("HTTP/1.1 413", new String(in.readNBytes(12), StandardCharsets.US_ASCII));
      byte[] chunk = new byte[64 * 1024];
      for (int sent = 0; sent < length; sent += chunk.length) out.write(chunk);
      out.flush();
      in.readAllBytes();
    }
  }
}
