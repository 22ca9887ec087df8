package edf;

import static edf.RoutesTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /api/todos in pages: `limit`, an opaque `cursor`, and the next page in a Link header. */
class PagingTest extends ServerTest {
  static final Pattern NEXT = Pattern.compile("<([^>]+)>;\\s*rel=\"?next\"?");

  @BeforeAll
  static void start() {
    startServer("edf.limits { page-size = 2, max-page-size = 3 }");
  }

  static String create(String text) {
    String id = UUID.randomUUID().toString();
    TestServer.Response r = server.post("/api/todos", alice, "{\"id\":\"" + id + "\",\"text\":\"" + text + "\"}",
        RawHeader.create("Idempotency-Key", UUID.randomUUID().toString()));
    assertEquals(202, r.status(), r.body());
    Eventually.get(() -> server.get("/api/todos/" + id, alice).status() == 200 ? true : null);
    return id;
  }

  /** The next page's path from the Link header, or null on the last page. */
  static String next(TestServer.Response page) {
    String link = page.header("Link");
    if (link == null) return null;
    Matcher m = NEXT.matcher(link);
    assertEquals(true, m.find(), link);
    return m.group(1);
  }

  static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.forEach(t -> ids.add(t.get("id").asText()));
    return ids;
  }

  @Test
  void pagesFollowTheLinkHeaderInCreationOrderAndCreatesInBetweenShiftNothing() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) created.add(create("page " + i));

    List<String> seen = new ArrayList<>();
    TestServer.Response first = server.get("/api/todos", alice);
    assertEquals(200, first.status());
    assertEquals(2, first.json().size(), "page-size without ?limit=");
    assertEquals(true, first.json().isArray(), "the body is still a JSON array");
    seen.addAll(ids(first.json()));
    String path = next(first);
    assertNotNull(path, "more follow: " + first.headers());
    created.add(create("made between pages"));
    int pages = 1;
    while (path != null) {
      TestServer.Response page = server.get(path, alice);
      assertEquals(200, page.status(), page.body());
      seen.addAll(ids(page.json()));
      path = next(page);
      pages++;
    }
    assertEquals(created, seen, "every todo once, in creation order");
    assertEquals(3, pages);

    TestServer.Response big = server.get("/api/todos?limit=3", alice);
    assertEquals(created.subList(0, 3), ids(big.json()));
    TestServer.Response rest = server.get(next(big), alice);
    assertEquals(created.subList(3, 6), ids(rest.json()));
    assertNull(next(rest), "no Link on the last page: " + rest.headers());
  }

  @Test
  void aLimitOutOfRangeOrAMalformedCursorGets400NamingIt() {
    for (String limit : List.of("0", "-1", "4", "x", "1.5", "99999999999")) {
      assertProblem(server.get("/api/todos?limit=" + limit, alice), 400, "limit");
    }
    String notOurs = Base64.getUrlEncoder().encodeToString("2026-01-01T00:00:00Z not-a-uuid".getBytes(StandardCharsets.UTF_8));
    for (String cursor : List.of("!!!", "abc", notOurs, "")) {
      assertProblem(server.get("/api/todos?cursor=" + cursor, alice), 400, "cursor");
    }
  }
}
