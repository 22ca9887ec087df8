package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two nodes of one Pekko cluster in this JVM: commands on one, the user's socket on the other. */
class MultiNodeTest {

  static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static String node(int clusterPort, int seedPort) {
    return """
        edf.auth.secret = "shared-by-both-nodes-of-this-test-32b"
        pekko.remote.artery.canonical.port = %d
        pekko.cluster.seed-nodes = ["pekko://edf-test@127.0.0.1:%d"]
        """.formatted(clusterPort, seedPort);
  }

  /**
   * Everything the socket got until the outcome of each of `sent` had come (outcomes of different
   * todos may come in any order), and whatever was on its way after that.
   */
  static List<JsonNode> untilOutcomesOf(WsClient socket, List<String> sent) {
    java.util.Set<String> waiting = new java.util.HashSet<>(sent);
    List<JsonNode> got = socket.collectUntil(m -> {
      if (m.path("type").asText().startsWith("command.")) waiting.remove(m.path("commandId").asText());
      return waiting.isEmpty();
    });
    got.addAll(socket.barrier());
    return got;
  }

  static boolean todoChanged(JsonNode message) {
    return message.path("type").asText().equals("todo.changed");
  }

  @Test
  void outcomesOfCommandsSentToOneNodeReachTheSocketOnTheOtherInOrderAndOnce() throws Exception {
    int seed = freePort();
    String db = TestServer.freshDatabase();
    try (TestServer one = TestServer.start(db, node(seed, seed))) {
      String alice = one.signIn("alice");
      List<String> before = new ArrayList<>();
      for (int i = 0; i < 3; i++) before.add(one.post("/api/todos", alice, "{\"text\":\"before #" + i + "\"}").json().get("commandId").asText());
      try (TestServer two = TestServer.start(db, node(freePort(), seed))) {
        // the token is good on both nodes; the socket is on node two
        WsClient socket = two.connect(alice);
        // the welcome first: it may come before or after a reply to subscribe, and an await passes over what it does not match
        long start = socket.awaitType("welcome").get("seq").asLong();
        socket.subscribe("todos");
        // the cluster's pub-sub learns about the new node's subscribers within a few seconds;
        // until then the user's ledger sends the outcomes to node two directly

        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) sent.add(one.post("/api/todos", alice, "{\"text\":\"across #" + i + "\"}").json().get("commandId").asText());
        List<JsonNode> got = untilOutcomesOf(socket, sent);
        List<JsonNode> outcomes = got.stream().filter(m -> m.path("type").asText().startsWith("command.")).toList();
        List<String> outcomeIds = outcomes.stream().map(m -> m.get("commandId").asText()).toList();
        for (String id : sent) assertEquals(1, outcomeIds.stream().filter(id::equals).count(), "once: " + id);
        for (int i = 1; i < outcomes.size(); i++) {
          assertEquals(outcomes.get(i - 1).get("seq").asLong() + 1, outcomes.get(i).get("seq").asLong(), "in order");
        }
        assertTrue(outcomes.get(0).get("seq").asLong() > start);

        // node two's read side was built from the stored events and follows them
        Eventually.get(() -> two.get("/api/todos", alice).json().size() == 23 ? true : null);
        assertEquals(23, two.get("/api/todos", alice).json().size(), "3 todos from before node two joined, 20 after");

        // todo events are topic traffic, neither numbered nor repaired: they cross once the
        // cluster's pub-sub knows node two (a client refetches the list when it subscribes)
        if (got.stream().noneMatch(MultiNodeTest::todoChanged)) {
          Eventually.get(() -> {
            one.post("/api/todos", alice, "{\"text\":\"seen across?\"}");
            try {
              return socket.await(MultiNodeTest::todoChanged, java.time.Duration.ofSeconds(1));
            } catch (AssertionError notYet) {
              return null;
            }
          }, java.time.Duration.ofSeconds(60));
        }

        // a ticket opens one socket in the whole cluster
        String ticket = one.ticket(alice);
        try (WsClient first = WsClient.connect(one, "/ws?ticket=" + ticket)) {
          assertEquals(101, first.upgradeStatus);
          assertEquals(401, WsClient.connect(two, "/ws?ticket=" + ticket).upgradeStatus);
        }
        // a chaos change made on one node is in force on the other
        assertEquals(200, one.send(org.apache.pekko.http.javadsl.model.HttpMethods.PUT, "/api/chaos", alice, "{\"processingFailureRate\":0.75}").status());
        Eventually.get(() -> two.get("/api/chaos", alice).json().get("processingFailureRate").asDouble() == 0.75 ? true : null);
        assertEquals("alice", two.get("/api/chaos", alice).json().get("changedBy").asText(), "and who made it travels along");
        socket.close();
      }
    }
  }

  /**
   * The receptionist, which the cluster's pub-sub learns its subscribers from, gossips once an
   * hour here: node one's pub-sub never hears of node two's registry, as in the seconds after a
   * node joins. Outcomes must still reach the socket on node two, in order and once.
   */
  @Test
  void outcomesReachASocketOnANodeThatThePublishersPubSubHasNotHeardOf() throws Exception {
    String slowPubSub = """
        pekko.cluster.typed.receptionist.distributed-data.gossip-interval = 1h
        """;
    int seed = freePort();
    String db = TestServer.freshDatabase();
    try (TestServer one = TestServer.start(db, node(seed, seed) + slowPubSub)) {
      String alice = one.signIn("alice");
      // alice's ledger starts on node one, the only node yet
      one.post("/api/todos", alice, "{\"text\":\"before\"}");
      try (TestServer two = TestServer.start(db, node(freePort(), seed) + slowPubSub)) {
        WsClient socket = two.connect(alice);
        long start = socket.awaitType("welcome").get("seq").asLong();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) sent.add(one.post("/api/todos", alice, "{\"text\":\"direct #" + i + "\"}").json().get("commandId").asText());
        List<JsonNode> got = untilOutcomesOf(socket, sent);
        List<JsonNode> outcomes = got.stream().filter(m -> m.path("type").asText().startsWith("command.")).toList();
        assertEquals(sent.size(), outcomes.size(), "each outcome once");
        for (int i = 0; i < outcomes.size(); i++) assertEquals(start + 1 + i, outcomes.get(i).get("seq").asLong(), "in order");
        socket.close();
      }
    }
  }

  @Test
  void aNodeThatLeavesHandsItsTodosAndTheirQueuesOverAndNothingIsLost() throws Exception {
    int seed = freePort();
    String db = TestServer.freshDatabase();
    TestServer one = TestServer.start(db, node(seed, seed) + "edf.shutdown.drain-timeout = 100ms\n");
    try (TestServer two = TestServer.start(db, node(freePort(), seed))) {
      String alice = one.signIn("alice");
      WsClient socket = two.connect(alice);
      socket.awaitType("welcome");
      // processing is slow: the commands are still queued when node one leaves
      assertEquals(200, one.send(org.apache.pekko.http.javadsl.model.HttpMethods.PUT, "/api/chaos", alice, "{\"minDelayMs\":1500,\"maxDelayMs\":1500}").status());
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < 12; i++) sent.add(one.post("/api/todos", alice, "{\"text\":\"hand me over #" + i + "\"}").json().get("commandId").asText());
      one.close();

      List<JsonNode> got = untilOutcomesOf(socket, sent);
      List<String> outcomeIds = got.stream().filter(m -> m.path("type").asText().equals("command.succeeded")).map(m -> m.get("commandId").asText()).toList();
      for (String id : sent) assertEquals(1, outcomeIds.stream().filter(id::equals).count(), "once, and a success: " + id);
      Eventually.get(() -> two.get("/api/todos", two.signIn("alice")).json().size() == 12 ? true : null);
      socket.close();
    } finally {
      one.close();
    }
  }
}
