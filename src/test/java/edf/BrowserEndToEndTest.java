package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The browser demo end to end, in real headless Chromium (Debian's), against the real server:
 * alice in two windows, bob in a third.
 */
class BrowserEndToEndTest {
  static final Path SCREENSHOTS = Path.of("target", "screenshots");
  static TestServer server;
  static String admin;
  final List<WebDriver> drivers = new ArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    server = TestServer.start(TestServer.BULK); // bob's bursts come from a script, not the browser
    admin = server.signIn("chaos-admin");
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /**
   * Records every Content-Security-Policy violation of every page the window opens (run before
   * the page's own scripts): the server's policy must not block anything the app does.
   */
  static final String RECORD_CSP_VIOLATIONS =
      "window.__cspViolations = [];"
          + "document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push("
          + "e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));";

  @AfterEach
  void closeBrowsers() {
    List<Object> violations = new ArrayList<>();
    for (WebDriver driver : drivers) {
      Object seen = ((JavascriptExecutor) driver).executeScript("return window.__cspViolations || []");
      if (seen instanceof List<?> list) violations.addAll(list);
    }
    drivers.forEach(WebDriver::quit);
    chaos("{\"httpFailureRate\":0,\"lostResponseRate\":0,\"processingFailureRate\":0,\"minDelayMs\":0,\"maxDelayMs\":0}");
    assertEquals(List.of(), violations, "Content-Security-Policy violations in the browser");
  }

  static void chaos(String json) {
    assertEquals(200, server.send(HttpMethods.PUT, "/api/chaos", admin, json).status());
  }

  WebDriver window(String user) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--no-first-run",
        "--disable-sync", "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
        "--window-size=1280,800");
    ChromeDriver driver = new ChromeDriver(options);
    drivers.add(driver);
    driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", RECORD_CSP_VIOLATIONS));
    driver.get(server.url("/"));
    WebElement name = waitFor(driver, d -> d.findElement(By.cssSelector("[data-testid=signin-user]")));
    name.clear();
    name.sendKeys(user);
    driver.findElement(By.cssSelector("[data-testid=signin-submit]")).click();
    waitFor(driver, d -> d.findElement(By.cssSelector("[data-testid=current-user]")).getText().contains(user));
    waitFor(driver, d -> "connected".equals(d.findElement(By.cssSelector("[data-testid=connection-badge]")).getAttribute("data-state")));
    return driver;
  }

  static <T> T waitFor(WebDriver driver, Function<WebDriver, T> condition) {
    return waitFor(driver, Duration.ofSeconds(20), condition);
  }

  static <T> T waitFor(WebDriver driver, Duration timeout, Function<WebDriver, T> condition) {
    try {
      return new WebDriverWait(driver, timeout)
          .ignoring(org.openqa.selenium.NoSuchElementException.class)
          .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
          .until(d -> {
            T value = condition.apply(d);
            return Boolean.FALSE.equals(value) ? null : value;
          });
    } catch (org.openqa.selenium.TimeoutException e) {
      // what the window showed when the wait gave up, for the report
      screenshot(driver, "timeout-" + System.currentTimeMillis());
      driver.findElements(By.cssSelector("[data-testid=log]")).forEach(log -> System.out.println("log at timeout:\n" + log.getText()));
      throw e;
    }
  }

  static void add(WebDriver driver, String text) {
    WebElement input = driver.findElement(By.cssSelector("[data-testid=new-todo-text]"));
    input.sendKeys(text);
    driver.findElement(By.cssSelector("[data-testid=new-todo-add]")).click();
  }

  /** The row of a todo: in the list, or, before the list has it (Safe mode, or before the 202), in the outbox. */
  static WebElement item(WebDriver driver, String text) {
    // one round trip, however long the list (a row at a time took seconds with a hundred rows)
    Object found = ((JavascriptExecutor) driver).executeScript(
        "return [...document.querySelectorAll('[data-testid=todo-item], [data-testid=outbox-item]')]"
            + ".find(e => e.querySelector('[data-testid=todo-text]')?.textContent === arguments[0]) ?? null",
        text);
    if (found == null) throw new org.openqa.selenium.NoSuchElementException("no item " + text);
    return (WebElement) found;
  }

  static long itemsWithText(WebDriver driver, String text) {
    return (Long) ((JavascriptExecutor) driver).executeScript(
        "return [...document.querySelectorAll('[data-testid=todo-item] [data-testid=todo-text]')].filter(e => e.textContent === arguments[0]).length",
        text);
  }

  /** A notice of this kind was shown: as a toast now, or, once its toast is gone, in the window's notice log. */
  static boolean toast(WebDriver driver, String kind, String containing) {
    return driver.findElements(By.cssSelector("[data-testid=toast][data-kind=" + kind + "]")).stream()
            .anyMatch(t -> t.getText().contains(containing))
        || driver.findElements(By.cssSelector("[data-testid=notice-log] li[data-kind=" + kind + "]")).stream()
            .anyMatch(li -> String.valueOf(li.getAttribute("textContent")).contains(containing));
  }

  static void screenshot(WebDriver driver, String name) {
    try {
      Path file = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(file, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aliceAddsATodoBothHerWindowsConfirmItAndBobSeesIt() {
    chaos("{\"minDelayMs\":300,\"maxDelayMs\":600}");
    WebDriver alice1 = window("alice");
    WebDriver alice2 = window("alice");
    WebDriver bob = window("bob");

    add(alice1, "Buy milk");
    for (WebDriver w : List.of(alice1, alice2)) {
      waitFor(w, d -> "confirmed".equals(item(d, "Buy milk").getAttribute("data-status")) || toast(d, "success", "Buy milk"));
      waitFor(w, d -> toast(d, "success", "Buy milk"));
    }
    waitFor(bob, d -> item(d, "Buy milk").isDisplayed());
    waitFor(bob, d -> toast(d, "info", "alice"));
    screenshot(alice1, "alice-confirmed");
    screenshot(bob, "bob-sees-it");
    assertEquals(1, itemsWithText(alice2, "Buy milk"));
  }

  @Test
  void theUiRetriesThroughHttpFailuresAndTheCommandSucceedsOnce() {
    WebDriver alice = window("alice");
    chaos("{\"httpFailureRate\":1}");
    add(alice, "Survive the 500s");
    waitFor(alice, d -> "retrying".equals(item(d, "Survive the 500s").getAttribute("data-status")));
    screenshot(alice, "retrying");
    chaos("{\"httpFailureRate\":0}");
    waitFor(alice, d -> "confirmed".equals(item(d, "Survive the 500s").getAttribute("data-status")));
    assertEquals(1, itemsWithText(alice, "Survive the 500s"));
    long onServer = server.get("/api/todos", admin).json().findValues("text").stream().filter(t -> t.asText().equals("Survive the 500s")).count();
    assertEquals(1, onServer, "the retried command ran once");
  }

  @Test
  void aProcessingFailureShowsARedToastAndOptimisticChangesRollBack() {
    WebDriver alice = window("alice");
    alice.findElement(By.cssSelector("[data-testid=mode-optimistic]")).click();
    add(alice, "Water the plants");
    waitFor(alice, d -> "confirmed".equals(item(d, "Water the plants").getAttribute("data-status")));

    // the accepted state lasts as long as the processing delay: long enough for the test to see it
    chaos("{\"processingFailureRate\":1,\"minDelayMs\":4000,\"maxDelayMs\":4000}");
    item(alice, "Water the plants").findElement(By.cssSelector("[data-testid=todo-toggle]")).click();
    // optimistic: the change shows once the 202 is in, before the server has processed it
    waitFor(alice, d -> "accepted".equals(item(d, "Water the plants").getAttribute("data-status"))
        && item(d, "Water the plants").findElement(By.cssSelector("[data-testid=todo-toggle]")).isSelected());
    screenshot(alice, "optimistic-accepted");
    waitFor(alice, d -> toast(d, "error", "failed") || toast(d, "error", "Processing"));
    waitFor(alice, d -> "failed".equals(item(d, "Water the plants").getAttribute("data-status")));
    assertTrue(!item(alice, "Water the plants").findElement(By.cssSelector("[data-testid=todo-toggle]")).isSelected(), "rolled back");
    screenshot(alice, "rolled-back");
  }

  // ---- delivery guarantees (issue 4) ----

  @Test
  void aCommandInFlightWhileTheSocketIsDownEndsConfirmedAfterTheReconnect() {
    chaos("{\"minDelayMs\":1500,\"maxDelayMs\":1500}");
    WebDriver alice = window("alice");
    WebElement seconds = alice.findElement(By.cssSelector("[data-testid=simulate-drop-seconds]"));
    seconds.clear();
    seconds.sendKeys("4");
    add(alice, "Survive the drop");
    waitFor(alice, d -> "accepted".equals(item(d, "Survive the drop").getAttribute("data-status")));
    alice.findElement(By.cssSelector("[data-testid=simulate-drop]")).click();
    waitFor(alice, d -> !"connected".equals(d.findElement(By.cssSelector("[data-testid=connection-badge]")).getAttribute("data-state")));
    screenshot(alice, "dropped-while-in-flight");
    // the outcome is pushed while the socket is down; the resumed socket replays it
    waitFor(alice, d -> "connected".equals(d.findElement(By.cssSelector("[data-testid=connection-badge]")).getAttribute("data-state")));
    waitFor(alice, d -> "confirmed".equals(item(d, "Survive the drop").getAttribute("data-status")));
    assertTrue(alice.findElement(By.cssSelector("[data-testid=log]")).getText().toLowerCase().contains("resumed"),
        "the log shows the resume");
    screenshot(alice, "confirmed-after-resume");
  }

  // ---- collaboration (issue 5) ----

  static WebElement rowById(WebDriver driver, String id) {
    return driver.findElement(By.cssSelector("[data-testid=todo-item][data-id='" + id + "']"));
  }

  @Test
  void twoPeopleEditOneTodoSeeEachOtherAndResolveTheConflictInTheOpen() {
    WebDriver alice = window("alice");
    WebDriver bob = window("bob");
    add(alice, "Plan the party");
    waitFor(alice, d -> "confirmed".equals(item(d, "Plan the party").getAttribute("data-status")));
    String id = item(alice, "Plan the party").getAttribute("data-id");
    waitFor(bob, d -> rowById(d, id).isDisplayed());

    // alice starts editing the text: bob sees her marker on that field
    rowById(alice, id).findElement(By.cssSelector("[data-testid=todo-edit]")).click();
    waitFor(bob, d -> rowById(d, id).findElements(By.cssSelector("[data-testid=editing-marker][data-user=alice]")).stream()
        .anyMatch(m -> "text".equals(m.getAttribute("data-field"))));
    screenshot(bob, "bob-sees-alice-editing");

    // bob starts editing too, from version 1
    rowById(bob, id).findElement(By.cssSelector("[data-testid=todo-edit]")).click();
    WebElement bobsInput = waitFor(bob, d -> rowById(d, id).findElement(By.cssSelector("[data-testid=todo-edit-input]")));

    // alice's change lands first
    WebElement alicesInput = rowById(alice, id).findElement(By.cssSelector("[data-testid=todo-edit-input]"));
    alicesInput.sendKeys(Keys.chord(Keys.CONTROL, "a"), "Plan the birthday party", Keys.ENTER);
    waitFor(alice, d -> "confirmed".equals(rowById(d, id).getAttribute("data-status")));

    // bob's save was based on version 1: a conflict he resolves from the UI
    bobsInput.sendKeys(Keys.chord(Keys.CONTROL, "a"), "Plan the surprise party", Keys.ENTER);
    WebElement conflict = waitFor(bob, d -> rowById(d, id).findElement(By.cssSelector("[data-testid=conflict]")));
    assertTrue(conflict.getText().contains("Plan the birthday party"), "shows theirs: " + conflict.getText());
    assertTrue(conflict.getText().contains("Plan the surprise party"), "shows mine: " + conflict.getText());
    screenshot(bob, "bob-conflict");
    conflict.findElement(By.cssSelector("[data-testid=conflict-keep-mine]")).click();
    waitFor(bob, d -> "confirmed".equals(rowById(d, id).getAttribute("data-status"))
        && rowById(d, id).findElement(By.cssSelector("[data-testid=todo-text]")).getText().equals("Plan the surprise party"));
    waitFor(alice, d -> rowById(d, id).findElement(By.cssSelector("[data-testid=todo-text]")).getText().equals("Plan the surprise party"));

    // alice looks at the todo again, then closes her window: she leaves bob's view
    rowById(alice, id).findElement(By.cssSelector("[data-testid=todo-edit]")).click();
    waitFor(bob, d -> !rowById(d, id).findElements(By.cssSelector("[data-testid=editing-marker][data-user=alice]")).isEmpty());
    alice.quit();
    drivers.remove(alice);
    waitFor(bob, d -> rowById(d, id).findElements(By.cssSelector("[data-testid=viewer][data-user=alice], [data-testid=editing-marker][data-user=alice]")).isEmpty()
        && d.findElements(By.cssSelector("[data-testid=online-user][data-user=alice]")).isEmpty());
    screenshot(bob, "alice-gone");
  }

  // ---- never losing the user's work (issue 12) ----

  static long onServer(String text) {
    return server.get("/api/todos", admin).json().findValues("text").stream().filter(t -> t.asText().equals(text)).count();
  }

  static String status(WebDriver driver, String text) {
    return item(driver, text).getAttribute("data-status");
  }

  @Test
  void aReloadWithTwoCommandsPendingShowsBothThenConfirmsEachOnce() {
    WebDriver alice = window("alice");
    // long enough that both are still queued when the page reloads, even when the 202s are slow
    chaos("{\"minDelayMs\":8000,\"maxDelayMs\":8000}");
    add(alice, "Pending one");
    add(alice, "Pending two");
    waitFor(alice, d -> "accepted".equals(status(d, "Pending one")) && "accepted".equals(status(d, "Pending two")));
    alice.navigate().refresh();
    // the reloaded page shows both before their outcomes come, then gets them by resume
    waitFor(alice, d -> item(d, "Pending one").isDisplayed() && item(d, "Pending two").isDisplayed());
    screenshot(alice, "reloaded-with-pending");
    waitFor(alice, d -> "confirmed".equals(status(d, "Pending one")) && "confirmed".equals(status(d, "Pending two")));
    assertEquals(1, itemsWithText(alice, "Pending one"));
    assertEquals(1, itemsWithText(alice, "Pending two"));
    assertEquals(1, onServer("Pending one"), "ran once");
    assertEquals(1, onServer("Pending two"), "ran once");
    assertTrue(alice.findElement(By.cssSelector("[data-testid=log]")).getText().contains("resuming after seq"),
        "the reloaded page resumed from its stored cursor");
  }

  @Test
  void anEditDraftSurvivesSwitchingToAnotherWindow() {
    WebDriver alice = window("alice");
    add(alice, "Draft me");
    waitFor(alice, d -> "confirmed".equals(status(d, "Draft me")));
    String id = item(alice, "Draft me").getAttribute("data-id");
    rowById(alice, id).findElement(By.cssSelector("[data-testid=todo-edit]")).click();
    WebElement input = waitFor(alice, d -> rowById(d, id).findElement(By.cssSelector("[data-testid=todo-edit-input]")));
    input.sendKeys(Keys.chord(Keys.CONTROL, "a"), "Draft me, kept");
    String original = alice.getWindowHandle();
    alice.switchTo().newWindow(WindowType.WINDOW);
    alice.get(server.url("/health"));
    alice.switchTo().window(original);
    ((JavascriptExecutor) alice).executeScript("document.activeElement && document.activeElement.blur()");
    WebElement kept = rowById(alice, id).findElement(By.cssSelector("[data-testid=todo-edit-input]"));
    assertEquals("Draft me, kept", kept.getAttribute("value"));
    rowById(alice, id).findElement(By.cssSelector("[data-testid=todo-edit-save]")).click();
    waitFor(alice, d -> "confirmed".equals(rowById(d, id).getAttribute("data-status"))
        && rowById(d, id).findElement(By.cssSelector("[data-testid=todo-text]")).getText().equals("Draft me, kept"));
  }

  @Test
  void aFailedAddKeepsItsTextAndRetryWorks() {
    WebDriver alice = window("alice");
    chaos("{\"processingFailureRate\":1}");
    add(alice, "Keep my words");
    waitFor(alice, d -> "failed".equals(status(d, "Keep my words")));
    WebElement failed = item(alice, "Keep my words");
    assertTrue(failed.findElement(By.cssSelector("[data-testid=command-status]")).getText().contains("(processing-failed)"),
        "a plain reason, the code second");
    screenshot(alice, "failed-add-kept");
    chaos("{\"processingFailureRate\":0}");
    failed.findElement(By.cssSelector("[data-testid=command-retry]")).click();
    waitFor(alice, d -> "confirmed".equals(status(d, "Keep my words")));
    assertEquals(1, itemsWithText(alice, "Keep my words"));
    assertEquals(1, onServer("Keep my words"));
  }

  @Test
  void goingOfflinePausesRetriesAndTheCommandSucceedsWhenBack() {
    WebDriver alice = window("alice");
    ChromeDriver chrome = (ChromeDriver) alice;
    chrome.executeCdpCommand("Network.enable", Map.of());
    chrome.executeCdpCommand("Network.emulateNetworkConditions",
        Map.of("offline", true, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
    waitFor(alice, d -> "offline".equals(d.findElement(By.cssSelector("[data-testid=connection-badge]")).getAttribute("data-state")));
    add(alice, "Made offline");
    waitFor(alice, d -> item(d, "Made offline").findElement(By.cssSelector("[data-testid=command-status]")).getText().contains("Waiting for network"));
    screenshot(alice, "offline-waiting");
    chrome.executeCdpCommand("Network.emulateNetworkConditions",
        Map.of("offline", false, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1));
    waitFor(alice, d -> "connected".equals(d.findElement(By.cssSelector("[data-testid=connection-badge]")).getAttribute("data-state")));
    waitFor(alice, d -> "confirmed".equals(status(d, "Made offline")));
    assertEquals(1, onServer("Made offline"));
  }

  // ---- presence and calm notifications under another user's burst (issue 12) ----

  /**
   * Bob's changes through the HTTP API, as any client sends them (a token from POST /api/session,
   * an Idempotency-Key per command), eight at a time: per todo an add, a rename and a completion.
   */
  static List<String> burstOfChanges(String token, String prefix, int todos) {
    return eightAtATime(todos, i -> {
      String id = java.util.UUID.randomUUID().toString();
      String text = prefix + " " + i;
      accepted(server.post("/api/todos", token, "{\"id\":\"" + id + "\",\"text\":\"" + text + "\"}", idempotencyKey()));
      accepted(server.send(HttpMethods.PATCH, "/api/todos/" + id, token, "{\"text\":\"" + text + ", renamed\"}", idempotencyKey()));
      accepted(server.send(HttpMethods.PATCH, "/api/todos/" + id, token, "{\"completed\":true}", idempotencyKey()));
      return id;
    });
  }

  static <T> List<T> eightAtATime(int n, java.util.function.IntFunction<T> task) {
    java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<T>> sent = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        sent.add(senders.submit(() -> task.apply(index)));
      }
      List<T> results = new ArrayList<>();
      for (var f : sent) results.add(f.get());
      return results;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      senders.shutdown();
    }
  }

  static org.apache.pekko.http.javadsl.model.HttpHeader idempotencyKey() {
    return org.apache.pekko.http.javadsl.model.headers.RawHeader.create("Idempotency-Key", java.util.UUID.randomUUID().toString());
  }

  static void accepted(TestServer.Response response) {
    assertEquals(202, response.status(), response.body());
  }

  /** Rows of the list whose text starts with the prefix, renamed and completed. */
  static long doneRows(WebDriver driver, String prefix) {
    return (Long) ((JavascriptExecutor) driver).executeScript(
        "return [...document.querySelectorAll('[data-testid=todo-item]')].filter(r =>"
            + " /, renamed$/.test(r.querySelector('[data-testid=todo-text]')?.textContent ?? '')"
            + " && (r.querySelector('[data-testid=todo-text]')?.textContent ?? '').startsWith(arguments[0])"
            + " && r.querySelector('[data-testid=todo-toggle]')?.checked).length",
        prefix + " ");
  }

  static int toasts(WebDriver driver) {
    return driver.findElements(By.cssSelector("[data-testid=toast]")).size();
  }

  /**
   * The ONLINE list shows alice with this many windows, and as many users as the stats panel's
   * "N users online" (the server's count of users with a socket).
   */
  static boolean onlineAgrees(WebDriver driver, int aliceWindows) {
    List<WebElement> users = driver.findElements(By.cssSelector("[data-testid=online-user]"));
    String counted = driver.findElement(By.cssSelector("[data-testid=users-online]")).getAttribute("data-users");
    return users.stream().anyMatch(u -> "alice".equals(u.getAttribute("data-user")) && String.valueOf(aliceWindows).equals(u.getAttribute("data-windows")))
        && String.valueOf(users.size()).equals(counted);
  }

  @Test
  void aBackgroundBurstOfRemoteChangesLeavesPresenceIntactAndOnlyAFewGroupedToasts() {
    WebDriver alice1 = window("alice");
    WebDriver alice2 = window("alice");
    for (WebDriver w : List.of(alice1, alice2)) waitFor(w, d -> onlineAgrees(d, 2));

    String bob = server.signIn("bob");
    java.util.concurrent.CompletableFuture<List<String>> burst =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> burstOfChanges(bob, "Burst", 100));
    // while bob's 300 changes arrive, the toasts on each page are counted every time the wait looks
    int[] mostToasts = {0};
    waitFor(alice1, Duration.ofSeconds(120), d -> {
      mostToasts[0] = Math.max(mostToasts[0], Math.max(toasts(d), toasts(alice2)));
      return burst.isDone() && doneRows(d, "Burst") == 100 && doneRows(alice2, "Burst") == 100;
    });
    List<String> bobsTodos = burst.join(); // every command got its 202
    screenshot(alice1, "after-burst");

    for (WebDriver w : List.of(alice1, alice2)) {
      waitFor(w, d -> toast(d, "info", "bob made"));
      // presence intact: both of alice's windows online, agreeing with the count of users
      waitFor(w, d -> onlineAgrees(d, 2));
      assertTrue(toasts(w) <= 3, "a few toasts, not one per change: " + toasts(w));
    }
    assertTrue(mostToasts[0] <= 3, "at most a few toasts at any time during the burst, not one per change: " + mostToasts[0]);

    // bob tidies up, so that the tests after this one see a short list again
    eightAtATime(bobsTodos.size(), i -> {
      accepted(server.send(HttpMethods.DELETE, "/api/todos/" + bobsTodos.get(i), bob, null, idempotencyKey()));
      return null;
    });
    waitFor(alice1, Duration.ofSeconds(60), d -> doneRows(d, "Burst") == 0);
  }
}
