package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * edf.limits.sockets-per-node (docs/protocol.md, "Limits"): a node full of sockets refuses the
 * next upgrade with 503 `node-full` before it becomes a socket, and lets one in again once one closes.
 */
class SocketsPerNodeTest {

  @Test
  void anUpgradeBeyondTheNodesSocketsGets503NodeFullAndClosingOneLetsTheNextIn() throws Exception {
    try (TestServer server = TestServer.start("edf.limits.sockets-per-node = 2\nedf.metrics.port = 0\n")) {
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
      String metrics = MetricsTest.scrape(server);
      assertEquals(1, MetricsTest.value(metrics, "edf_websocket_upgrades_refused_node_full_total"));
      assertEquals(2, MetricsTest.value(metrics, "edf_websockets_limit"));

      ann.close();
      assertEquals(1000, ann.closeCode());
      Eventually.get(() -> MetricsTest.value(server, "edf_websockets") == 1 ? true : null);
      // the refused upgrade did not use its ticket
      WsClient carl = WsClient.connect(server, "/ws?ticket=" + ticket);
      carl.awaitType("welcome");
      carl.close();
      bob.close();
    }
  }

  @Test
  void theLimitIsAutoOrAPositiveNumber() {
    assertEquals(7, Limits.socketsPerNode("7"));
    assertTrue(Limits.socketsPerNode("auto") > 0);
    assertThrows(IllegalArgumentException.class, () -> Limits.socketsPerNode("0"));
    assertThrows(IllegalArgumentException.class, () -> Limits.socketsPerNode("many"));
  }
}
