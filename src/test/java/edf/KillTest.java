package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A 202 survives `kill -9`: the server runs as a child JVM; two users send a few hundred commands
 * that wait in their todos' queues; the server is killed and started again on the same database;
 * the users' sockets reconnect with their epoch and last seq and get every outcome exactly once.
 * On the embedded H2 database (the default) and on a real PostgreSQL server.
 */
class KillTest {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final int TODOS_PER_USER = 10;
  static final int COMMANDS_PER_USER = 150;

  /** Processing is slow (300-500 ms per command and todo), so most commands are still queued at the kill. */
  static final List<String> SLOW_PROCESSING = List.of(
      "-Dedf.chaos.http-failure-rate=0", "-Dedf.chaos.lost-response-rate=0", "-Dedf.chaos.processing-failure-rate=0",
      "-Dedf.chaos.min-http-delay=0ms", "-Dedf.chaos.max-http-delay=0ms",
      "-Dedf.chaos.min-delay=300ms", "-Dedf.chaos.max-delay=500ms",
      // the commands are sent all at once, as a bulk script would
      "-Dedf.limits.commands.per-second=100000", "-Dedf.limits.commands.burst=100000");

  @Test
  void everyAcceptedCommandSurvivesAKillOnTheEmbeddedDatabase() throws Exception {
    Path dir = Path.of("target", "kill-test", UUID.randomUUID().toString());
    String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("edf") + ";WRITE_DELAY=0";
    killAndRestart(Map.of("EDF_DB_URL", url), dir.resolve("server.log"));
  }

  @Test
  void everyAcceptedCommandSurvivesAKillOnPostgres() throws Exception {
    try (Postgres.Database db = Postgres.freshDatabase()) {
      killAndRestart(db.env(), Path.of("target", "kill-test", db.name() + ".log"));
    }
  }

  /** One user's window: its socket, and what it received before and after the restart. */
  static final class Window {
    final String user;
    RawWsClient socket;
    String epoch;
    final List<JsonNode> before = new ArrayList<>();
    final List<JsonNode> after = new ArrayList<>();

    Window(String user) {
      this.user = user;
    }

    List<JsonNode> all() {
      List<JsonNode> all = new ArrayList<>(before);
      all.addAll(after);
      return all;
    }
  }

  record Sent(String user, String key, String method, String path, String body, String commandId) {}

  void killAndRestart(Map<String, String> env, Path log) throws Exception {
    List<Window> windows = List.of(new Window("alice"), new Window("alice"), new Window("bob"));
    List<Sent> sent = new ArrayList<>();
    ChildServer server = ChildServer.start(env, SLOW_PROCESSING, log);
    try {
      Map<String, String> tokens = signIn(server);
      for (Window w : windows) {
        w.socket = RawWsClient.reading(server.wsUrl("/ws?ticket=" + ticket(server, tokens.get(w.user))));
        JsonNode welcome = MAPPER.readTree(w.socket.received.poll(10, TimeUnit.SECONDS));
        assertEquals("welcome", welcome.get("type").asText());
        w.epoch = welcome.get("epoch").asText();
      }
      for (String user : tokens.keySet()) {
        List<String> ids = new ArrayList<>();
        List<Sent> creates = new ArrayList<>();
        for (int i = 0; i < TODOS_PER_USER; i++) {
          String id = UUID.randomUUID().toString();
          ids.add(id);
          creates.add(new Sent(user, user + "-" + i, "POST", "/api/todos", "{\"id\":\"" + id + "\",\"text\":\"" + user + " #" + i + "\"}", null));
        }
        sent.addAll(sendAll(server, tokens, creates));
        List<Sent> updates = new ArrayList<>();
        for (int i = TODOS_PER_USER; i < COMMANDS_PER_USER; i++) {
          String id = ids.get(i % TODOS_PER_USER);
          updates.add(new Sent(user, user + "-" + i, "PATCH", "/api/todos/" + id, "{\"text\":\"" + user + " #" + i + "\"}", null));
        }
        sent.addAll(sendAll(server, tokens, updates));
      }
      server.kill();
    } finally {
      server.close();
    }
    for (Window w : windows) {
      for (String m; (m = w.socket.received.poll()) != null; ) w.before.add(MAPPER.readTree(m));
    }
    long outcomesBefore = windows.stream().mapToLong(w -> w.before.stream().filter(KillTest::outcome).count()).sum();
    // (alice has two windows, bob one)
    assertTrue(outcomesBefore <= 3 * COMMANDS_PER_USER - 50, "many were still queued at the kill: " + outcomesBefore + " outcomes had come");

    ChildServer again = ChildServer.start(env, SLOW_PROCESSING, log);
    try {
      Map<String, String> tokens = signIn(again);
      for (Window w : windows) {
        long lastSeq = w.before.stream().filter(KillTest::outcome).mapToLong(m -> m.get("seq").asLong()).max().orElse(0);
        RawWsClient socket = RawWsClient.reading(again.wsUrl(
            "/ws?ticket=" + ticket(again, tokens.get(w.user)) + "&epoch=" + w.epoch + "&lastSeq=" + lastSeq));
        List<String> expected = sent.stream().filter(s -> s.user().equals(w.user)).map(Sent::commandId).toList();
        // what was missed comes first, then `resumed`, then what is processed from now on
        while (w.after.stream().noneMatch(KillTest::connectionMessage)
            || !w.all().stream().filter(KillTest::outcome).map(m -> m.get("commandId").asText()).toList().containsAll(expected)) {
          String m = socket.received.poll(60, TimeUnit.SECONDS);
          assertTrue(m != null, "outcomes stopped coming for " + w.user + " after " + w.after.size() + " messages");
          w.after.add(MAPPER.readTree(m));
        }
        JsonNode resumed = w.after.stream().filter(KillTest::connectionMessage).findFirst().orElseThrow();
        assertEquals("resumed", resumed.path("type").asText(), "resumed, not resync: the epoch survived: " + resumed);
        assertEquals(lastSeq + 1, resumed.get("from").asLong());

        List<JsonNode> outcomes = w.all().stream().filter(KillTest::outcome).toList();
        for (String commandId : expected) {
          assertEquals(1, outcomes.stream().filter(m -> m.get("commandId").asText().equals(commandId)).count(), "exactly once: " + commandId);
        }
        assertEquals(expected.size(), outcomes.size(), "no outcome of another user's command");
        for (int i = 0; i < outcomes.size(); i++) {
          assertEquals(i + 1, outcomes.get(i).get("seq").asLong(), "seq goes on without a gap or a repeat");
          assertEquals(w.epoch, outcomes.get(i).get("epoch").asText());
        }
      }

      // every confirmed todo is listed, as its last outcome showed it
      Map<String, JsonNode> confirmed = new LinkedHashMap<>();
      for (Window w : windows) {
        for (JsonNode m : w.all()) {
          if (m.path("type").asText().equals("command.succeeded")) {
            JsonNode todo = m.get("data");
            JsonNode known = confirmed.get(todo.get("id").asText());
            if (known == null || known.get("version").asLong() < todo.get("version").asLong()) confirmed.put(todo.get("id").asText(), todo);
          }
        }
      }
      assertEquals(2 * TODOS_PER_USER, confirmed.size());
      String alice = tokens.get("alice");
      Eventually.get(() -> {
        try {
          Map<String, Long> listed = new HashMap<>();
          for (JsonNode todo : MAPPER.readTree(again.send("GET", "/api/todos", alice, null).body())) {
            listed.put(todo.get("id").asText(), todo.get("version").asLong());
          }
          for (JsonNode todo : confirmed.values()) {
            if (!Long.valueOf(todo.get("version").asLong()).equals(listed.get(todo.get("id").asText()))) return null;
          }
          return Boolean.TRUE;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, Duration.ofSeconds(30));

      // a retry of an accepted command with its Idempotency-Key is still recognised
      for (Sent s : List.of(sent.get(0), sent.get(sent.size() - 1))) {
        HttpResponse<String> retry = again.send(s.method(), s.path(), tokens.get(s.user()), s.body(), "Idempotency-Key", s.key());
        assertEquals(202, retry.statusCode(), retry.body());
        assertEquals(s.commandId(), MAPPER.readTree(retry.body()).get("commandId").asText());
      }
      assertFalse(windows.stream().anyMatch(w -> w.after.stream().anyMatch(m -> m.path("type").asText().equals("resync"))));
    } finally {
      again.close();
    }
  }

  static boolean connectionMessage(JsonNode m) {
    return List.of("welcome", "resumed", "resync").contains(m.path("type").asText());
  }

  static boolean outcome(JsonNode m) {
    return m.path("type").asText().startsWith("command.");
  }

  static Map<String, String> signIn(ChildServer server) throws Exception {
    Map<String, String> tokens = new LinkedHashMap<>();
    for (String user : List.of("alice", "bob")) {
      HttpResponse<String> r = server.send("POST", "/api/session", null, "{\"userId\":\"" + user + "\"}");
      assertEquals(200, r.statusCode(), r.body());
      tokens.put(user, MAPPER.readTree(r.body()).get("token").asText());
    }
    return tokens;
  }

  static String ticket(ChildServer server, String token) throws Exception {
    return MAPPER.readTree(server.send("POST", "/api/ws-ticket", token, null).body()).get("ticket").asText();
  }

  /** Sends the commands all at once and returns them with the commandIds of their 202s. */
  static List<Sent> sendAll(ChildServer server, Map<String, String> tokens, List<Sent> commands) throws Exception {
    List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
    for (Sent c : commands) {
      pending.add(server.sendAsync(c.method(), c.path(), tokens.get(c.user()), c.body(), "Idempotency-Key", c.key()));
    }
    List<Sent> accepted = new ArrayList<>();
    for (int i = 0; i < commands.size(); i++) {
      Sent c = commands.get(i);
      HttpResponse<String> r = pending.get(i).get(60, TimeUnit.SECONDS);
      assertEquals(202, r.statusCode(), r.body());
      accepted.add(new Sent(c.user(), c.key(), c.method(), c.path(), c.body(), MAPPER.readTree(r.body()).get("commandId").asText()));
    }
    return accepted;
  }
}
