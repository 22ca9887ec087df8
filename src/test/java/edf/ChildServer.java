package edf;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The server as its own JVM (`edf.Main`, as `mvn compile exec:java` runs it), so that a test can
 * kill it with SIGKILL and start it again on the same database. Its output goes to a log file.
 */
final class ChildServer implements AutoCloseable {
  final int port;
  final Process process;
  final Path log;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ChildServer(int port, Process process, Path log) {
    this.port = port;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts the server and waits until it answers GET /health.
   *
   * @param env EDF_* variables (EDF_DB_URL and so on); EDF_PORT is chosen here
   * @param properties -D settings, e.g. the chaos for this run
   */
  static ChildServer start(Map<String, String> env, List<String> properties, Path log) throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.addAll(properties);
    command.add("-cp");
    command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add("edf.Main");
    Files.createDirectories(log.getParent());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    builder.environment().put("EDF_PORT", String.valueOf(port));
    ChildServer server = new ChildServer(port, builder.start(), log);
    Eventually.get(() -> server.healthy() ? Boolean.TRUE : null, Duration.ofSeconds(60));
    return server;
  }

  private boolean healthy() {
    if (!process.isAlive()) throw new IllegalStateException("the server exited: see " + log);
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url("/health"))).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  String wsUrl(String path) {
    return "ws://127.0.0.1:" + port + path;
  }

  HttpResponse<String> send(String method, String path, String token, String body, String... headers) throws Exception {
    return sendAsync(method, path, token, body, headers).get(60, TimeUnit.SECONDS);
  }

  java.util.concurrent.CompletableFuture<HttpResponse<String>> sendAsync(String method, String path, String token, String body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (token != null) request.header("Authorization", "Bearer " + token);
    for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** SIGKILL: no shutdown hook, no drain, no flush. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("the server did not die");
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) kill();
    }
  }
}
