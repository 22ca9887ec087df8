package edf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server's threads are pools: opening sockets (each one asks the ticket registry and the
 * user's ledger) starts no thread per socket. With a common ForkJoinPool of parallelism 1 (the
 * JDK's default on fewer than 3 cores) every ask's answer used to start a thread of its own.
 */
class ServerThreadsTest extends ServerTest {
  private static final int SOCKETS = 40;

  @BeforeAll
  static void start() {
    startServer("");
  }

  @Test
  void openingSocketsStartsNoThreadPerSocket() {
    openSockets(5); // pools fill up to their working size first
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long before = threads.getTotalStartedThreadCount();
    openSockets(SOCKETS);
    long started = threads.getTotalStartedThreadCount() - before;
    assertTrue(started < SOCKETS / 4, started + " threads started for " + SOCKETS + " sockets");
  }

  private static void openSockets(int count) {
    for (int i = 0; i < count; i++) {
      try (WsClient socket = WsClient.connect(server, "/ws?ticket=" + server.ticket(alice))) {
        socket.awaitType("welcome");
      }
    }
  }
}
