package edf;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's own WebSocket client, for what Pekko's client does not show: the exact close code of
 * a normal-range close (1001), and a socket that does not read at all until told to.
 */
final class RawWsClient implements WebSocket.Listener {
  final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
  final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private final boolean reading;
  final WebSocket socket;

  private RawWsClient(String url, boolean reading) {
    this.reading = reading;
    try {
      this.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(url), this).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client that reads everything as it comes. */
  static RawWsClient reading(String url) {
    return new RawWsClient(url, true);
  }

  /** A client that reads nothing until {@link #startReading()}: the server sees a stalled peer. */
  static RawWsClient stalled(String url) {
    return new RawWsClient(url, false);
  }

  void startReading() {
    socket.request(Long.MAX_VALUE);
  }

  /** Reads `n` more messages (each small enough to come in one piece), then stalls again. */
  void read(long n) {
    socket.request(n);
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    if (reading) webSocket.request(Long.MAX_VALUE);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      received.add(partial.toString());
      partial.setLength(0);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeCode.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closeCode.completeExceptionally(error);
  }

  int awaitClose() {
    try {
      return closeCode.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("no close frame", e);
    }
  }
}
