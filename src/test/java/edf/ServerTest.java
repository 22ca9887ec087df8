package edf;

import org.junit.jupiter.api.AfterAll;

/** A test class that shares one real server, and alice's and bob's tokens, between its tests. */
abstract class ServerTest {
  static TestServer server;
  static String alice;
  static String bob;

  /** Call from the subclass's {@code @BeforeAll}. */
  static void startServer(String overrides) {
    server = TestServer.start(overrides);
    alice = server.signIn("alice");
    bob = server.signIn("bob");
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }
}
