package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Presence stays true over real sockets against the real server: through another user's burst of
 * hundreds of changes, and for a subscriber who arrives after windows left.
 */
class PresenceIntegrityTest extends ServerTest {
  @BeforeAll
  static void start() {
    startServer(TestServer.BULK + "edf.presence.silence-timeout = 2s\nedf.presence.refresh-interval = 200ms");
  }

  /** Sends pings (and whatever else a test adds) for the windows that are meant to stay alive. */
  final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopHeartbeat() {
    heartbeat.shutdownNow();
  }

  /**
   * What a subscriber of `todos` knows about presence: its `presence.snapshot`, then every
   * `presence.changed` and `presence.left` applied in order.
   */
  static final class PresenceView {
    final Map<String, JsonNode> windows = new LinkedHashMap<>();
    final List<String> departures = new ArrayList<>();
    boolean snapshot;

    void apply(JsonNode m) {
      switch (m.path("type").asText()) {
        case "presence.snapshot" -> {
          windows.clear();
          m.get("windows").forEach(w -> windows.put(w.get("windowId").asText(), w));
          snapshot = true;
        }
        case "presence.changed" -> windows.put(m.get("windowId").asText(), m);
        case "presence.left" -> {
          windows.remove(m.get("windowId").asText());
          departures.add(m.get("windowId").asText());
        }
        default -> {}
      }
    }

    boolean has(String windowId) {
      return windows.containsKey(windowId);
    }

    /** Reads the socket's messages into this view until it holds. */
    void awaitOn(WsClient socket, Predicate<PresenceView> holds) {
      if (snapshot && holds.test(this)) return;
      try {
        socket.await(m -> {
          apply(m);
          return snapshot && holds.test(this);
        }, Duration.ofSeconds(60));
      } catch (AssertionError e) {
        throw new AssertionError("the presence view never got there; it is " + this); // not the socket's hundreds of messages
      }
    }

    @Override
    public String toString() {
      return windows.keySet() + ", departures " + departures;
    }
  }

  static String windowOf(WsClient socket) {
    return socket.await(m -> m.has("windowId") && m.path("type").asText().matches("welcome|resumed|resync"), Duration.ofSeconds(10))
        .get("windowId").asText();
  }

  static String presence(String entityId, String field) {
    return "{\"type\":\"presence\",\"entityId\":" + (entityId == null ? "null" : "\"" + entityId + "\"")
        + ",\"field\":" + (field == null ? "null" : "\"" + field + "\"") + "}";
  }

  static final String PING = "{\"type\":\"ping\"}";

  String command(String token, String method, String path, String body) {
    TestServer.Response r = server.send(HttpMethods.lookup(method).get(), path, token, body,
        RawHeader.create("Idempotency-Key", UUID.randomUUID().toString()));
    assertEquals(202, r.status(), r.body());
    return r.json().get("commandId").asText();
  }

  String createTodo(String token, String text) {
    String id = UUID.randomUUID().toString();
    command(token, "POST", "/api/todos", "{\"id\":\"" + id + "\",\"text\":\"" + text + "\"}");
    Eventually.get(() -> server.get("/api/todos/" + id, token).status() == 200 ? id : null);
    return id;
  }

  /** Bob's burst: per todo a create, a rename and a completion, eight todos at a time; the command ids. */
  CompletableFuture<List<String>> burst(int todos) {
    ExecutorService senders = Executors.newFixedThreadPool(8);
    List<CompletableFuture<List<String>>> perTodo = new ArrayList<>();
    for (int i = 0; i < todos; i++) {
      int n = i;
      perTodo.add(CompletableFuture.supplyAsync(() -> {
        String id = UUID.randomUUID().toString();
        return List.of(
            command(bob, "POST", "/api/todos", "{\"id\":\"" + id + "\",\"text\":\"Burst " + n + "\"}"),
            command(bob, "PATCH", "/api/todos/" + id, "{\"text\":\"Burst " + n + ", renamed\"}"),
            command(bob, "PATCH", "/api/todos/" + id, "{\"completed\":true}"));
      }, senders));
    }
    return CompletableFuture.allOf(perTodo.toArray(CompletableFuture[]::new))
        .thenApply(done -> perTodo.stream().flatMap(f -> f.join().stream()).toList())
        .whenComplete((ids, failure) -> senders.shutdown());
  }

  @Test
  void aBurstOfAnotherUsersChangesLeavesEveryLiveWindowPresent() {
    String watched = createTodo(alice, "Watched during the burst");
    try (WsClient a1 = server.connect(alice);
        WsClient a2 = server.connect(alice);
        WsClient b = server.connect(bob);
        WsClient observer = server.connect(server.signIn("carol"))) {
      String w1 = windowOf(a1);
      String w2 = windowOf(a2);
      observer.subscribe("todos");
      PresenceView view = new PresenceView();
      a1.subscribe("todos");
      a2.subscribe("todos");
      a1.send(presence(watched, "text"));
      a2.send(presence(null, null));
      view.awaitOn(observer, v -> v.has(w1) && v.has(w2));

      // alice's first window does what a browser does: a ping every 200 ms and its presence every
      // second (an ask of the busy read side); her second window stalls at first, like a
      // background tab, and pings again once it has dropped out
      AtomicBoolean secondAlive = new AtomicBoolean(false);
      int[] ticks = {0};
      heartbeat.scheduleAtFixedRate(() -> {
        a1.send(++ticks[0] % 5 == 0 ? presence(watched, "text") : PING);
        if (secondAlive.get()) a2.send(PING);
      }, 0, 200, TimeUnit.MILLISECONDS);

      CompletableFuture<List<String>> commands = burst(100);
      view.awaitOn(observer, v -> !v.has(w2));
      secondAlive.set(true);
      view.awaitOn(observer, v -> v.has(w2)); // back with its first ping, no new presence message

      List<String> ids = commands.join();
      assertEquals(300, ids.size());
      Set<String> outstanding = new HashSet<>(ids);
      b.await(m -> {
        if (m.path("type").asText().startsWith("command.") && outstanding.remove(m.path("commandId").asText())) {
          assertEquals("command.succeeded", m.get("type").asText(), m.toString());
        }
        return outstanding.isEmpty();
      }, Duration.ofSeconds(120));

      // every departure of alice's live windows during the burst was healed
      view.awaitOn(observer, v -> v.has(w1) && v.has(w2));
      assertEquals(watched, view.windows.get(w1).path("entityId").asText(), "still on the todo it watches: " + view.windows.get(w1));
      assertEquals("text", view.windows.get(w1).path("field").asText());
      try (WsClient late = server.connect(server.signIn("dave"))) {
        late.subscribe("todos");
        JsonNode snapshot = late.awaitType("presence.snapshot");
        PresenceView fresh = new PresenceView();
        fresh.apply(snapshot);
        assertTrue(fresh.has(w1) && fresh.has(w2), "a new subscriber sees both of alice's windows: " + snapshot);
        assertEquals(watched, fresh.windows.get(w1).path("entityId").asText());
      }
      // nothing on its way to the observer takes them away again
      observer.barrier().forEach(view::apply);
      assertTrue(view.has(w1) && view.has(w2), view.toString());
    }
  }

  @Test
  void aSubscriberArrivingAfterWindowsLeftGetsASnapshotWithoutThem() {
    try (WsClient observer = server.connect(server.signIn("erin"));
        WsClient staying = server.connect(alice);
        WsClient closing = server.connect(alice);
        WsClient silent = server.connect(bob)) {
      String stayingWindow = windowOf(staying);
      String closingWindow = windowOf(closing);
      String silentWindow = windowOf(silent);
      observer.subscribe("todos");
      PresenceView view = new PresenceView();
      AtomicBoolean silentSpeaks = new AtomicBoolean(false);
      heartbeat.scheduleAtFixedRate(() -> {
        staying.send(PING);
        if (silentSpeaks.get()) silent.send(PING);
      }, 0, 200, TimeUnit.MILLISECONDS);
      staying.send(presence(null, null));
      closing.send(presence(null, null));
      silent.send(presence(null, null));
      view.awaitOn(observer, v -> v.has(stayingWindow) && v.has(closingWindow) && v.has(silentWindow));

      // one window closes its socket, the other goes silent with its socket open
      closing.close();
      view.awaitOn(observer, v -> !v.has(closingWindow) && !v.has(silentWindow));
      assertFalse(silent.isClosed(), "the silent window's socket is still open");

      try (WsClient late = server.connect(alice)) {
        late.subscribe("todos");
        JsonNode snapshot = late.awaitType("presence.snapshot");
        PresenceView fresh = new PresenceView();
        fresh.apply(snapshot);
        assertTrue(fresh.has(stayingWindow), "the window still here is in the snapshot: " + snapshot);
        assertFalse(fresh.has(closingWindow), "the closed window is not: " + snapshot);
        assertFalse(fresh.has(silentWindow), "the silent window is not: " + snapshot);
      }

      // and the silent one is back for everyone once it speaks again
      silentSpeaks.set(true);
      view.awaitOn(observer, v -> v.has(silentWindow));
      try (WsClient later = server.connect(alice)) {
        later.subscribe("todos");
        PresenceView fresh = new PresenceView();
        fresh.apply(later.awaitType("presence.snapshot"));
        assertTrue(fresh.has(silentWindow) && fresh.has(stayingWindow) && !fresh.has(closingWindow), fresh.toString());
      }
    }
  }
}
