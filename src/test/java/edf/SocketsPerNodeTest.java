package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.UnixOperatingSystemMXBean;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * edf.limits.sockets-per-node (docs/protocol.md, "Limits"): a node full of sockets refuses the
 * next upgrade with 503 `node-full` before it becomes a socket, and lets one in again once one closes.
 */
class SocketsPerNodeTest {

  @Test
  void anUpgradeBeyondTheNodesSocketsGets503NodeFullAndClosingOneLetsTheNextIn() throws Exception {
    int metricsPort = MetricsTest.freePort();
    try (TestServer server = TestServer.start("edf.limits.sockets-per-node = 2\n" + MetricsTest.served(metricsPort))) {
      WsClient ann = server.connect(server.signIn("ann"));
      WsClient bob = server.connect(server.signIn("bob"));
      ann.awaitType("welcome");
      bob.awaitType("welcome");

      String ticket = server.ticket(server.signIn("carl"));
      RawHttp.Response refused = RawHttp.upgrade(server.port, "/ws?ticket=" + ticket, "127.0.0.1:" + server.port, null);
      assertEquals(503, refused.status(), refused.body());
      assertTrue(refused.header("Content-Type").startsWith("application/problem+json"), refused.headers().toString());
      assertEquals("urn:edf:problem:node-full", new ObjectMapper().readTree(refused.body()).get("type").asText(), refused.body());
      assertEquals(Long.toString(SocketUpgrade.NODE_FULL_RETRY_AFTER_SECONDS), refused.header("Retry-After"));
      String metrics = MetricsTest.scrape(metricsPort);
      assertEquals(1, MetricsTest.value(metrics, "edf_websocket_upgrades_refused_total{reason=\"node-full\"}"));
      assertEquals(2, MetricsTest.value(metrics, "edf_websockets_limit"));

      ann.close();
      assertEquals(1000, ann.closeCode());
      Eventually.get(() -> MetricsTest.value(metricsPort, "edf_websockets") == 1 ? true : null);
      // the refused upgrade did not use its ticket
      WsClient carl = WsClient.connect(server, "/ws?ticket=" + ticket);
      carl.awaitType("welcome");
      carl.close();
      bob.close();
    }
  }

  @Test
  void anUpgradePipelinedAfterAnotherTakesNoSecondSlot() throws Exception {
    try (TestServer server = TestServer.start("edf.limits.sockets-per-node = 2\n");
        Socket raw = new Socket("127.0.0.1", server.port)) {
      String upgrades = upgrade(server, server.ticket(server.signIn("dora"))) + upgrade(server, server.ticket(server.signIn("ed")));
      raw.getOutputStream().write(upgrades.getBytes(StandardCharsets.US_ASCII));
      raw.getOutputStream().flush();
      raw.setSoTimeout(20_000);
      InputStream in = raw.getInputStream();
      StringBuilder head = new StringBuilder();
      while (head.indexOf("\r\n\r\n") < 0) {
        int b = in.read();
        if (b < 0) break;
        head.append((char) b);
      }
      assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
      // one connection, one slot: room for one more socket, and then none
      WsClient fay = server.connect(server.signIn("fay"));
      fay.awaitType("welcome");
      RawHttp.Response full = RawHttp.upgrade(server.port, "/ws?ticket=" + server.ticket(server.signIn("gus")), "127.0.0.1:" + server.port, null);
      assertEquals(503, full.status(), "the pipelined upgrade's connection still holds its one slot: " + full.body());
      fay.close();
    }
  }

  private static String upgrade(TestServer server, String ticket) {
    return "GET /ws?ticket=" + ticket + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port
        + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
  }

  @Test
  void theLimitIsAutoOrAPositiveNumber() {
    assertEquals(7, Limits.socketsPerNode("7"));
    var os = (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    int auto = Limits.socketsPerNode("auto");
    assertTrue(auto <= os.getMaxFileDescriptorCount() - Limits.RESERVED_FILES, "auto leaves the reserve free: " + auto);
    assertTrue(auto > os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount() - 2L * Limits.RESERVED_FILES,
        "auto is what the open-file limit leaves: " + auto);
    assertThrows(IllegalArgumentException.class, () -> Limits.socketsPerNode("0"));
    assertThrows(IllegalArgumentException.class, () -> Limits.socketsPerNode("many"));
  }
}
