package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster traffic: a warning at start when it is plain TCP on an address that is not loopback, and
 * Artery TLS switched on by configuration alone, with a key store made as the README shows.
 */
class ClusterTransportTest {
  static final String PASSWORD = "cluster-store-password";

  @TempDir static Path dir;

  @AfterAll
  static void stopCapturing() {
    CapturedLog.stopCapturing();
  }

  /** The README's keytool steps: one key pair for the cluster and a trust store with its certificate. */
  static void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), "keytool " + String.join(" ", args) + ": " + out);
  }

  static String tls() throws Exception {
    Path keyStore = dir.resolve("cluster-keystore.p12");
    Path trustStore = dir.resolve("cluster-truststore.p12");
    if (!Files.exists(trustStore)) {
      keytool("-genkeypair", "-alias", "edf-cluster", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "825",
          "-dname", "CN=edf-cluster", "-keystore", keyStore.toString(), "-storetype", "PKCS12",
          "-storepass", PASSWORD, "-keypass", PASSWORD);
      keytool("-exportcert", "-alias", "edf-cluster", "-keystore", keyStore.toString(), "-storepass", PASSWORD,
          "-file", dir.resolve("edf-cluster.crt").toString());
      keytool("-importcert", "-noprompt", "-alias", "edf-cluster", "-file", dir.resolve("edf-cluster.crt").toString(),
          "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
    }
    // what EDF_CLUSTER_TRANSPORT, EDF_CLUSTER_KEY_STORE... set (application.conf)
    return """
        pekko.remote.artery.transport = tls-tcp
        pekko.remote.artery.ssl.config-ssl-engine {
          key-store = "%s"
          key-store-password = "%s"
          key-password = "%s"
          trust-store = "%s"
          trust-store-password = "%s"
        }
        """.formatted(keyStore, PASSWORD, PASSWORD, trustStore, PASSWORD);
  }

  /** A TLS client with the cluster's key store and trust store, as another node would be. */
  static javax.net.ssl.SSLContext clusterTls() throws Exception {
    java.security.KeyStore keys = java.security.KeyStore.getInstance(dir.resolve("cluster-keystore.p12").toFile(), PASSWORD.toCharArray());
    java.security.KeyStore trusted = java.security.KeyStore.getInstance(dir.resolve("cluster-truststore.p12").toFile(), PASSWORD.toCharArray());
    javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, PASSWORD.toCharArray());
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }

  static boolean warned(String host) {
    return CapturedLog.lines().stream().anyMatch(l -> l.contains("Cluster traffic to and from " + host + " is not encrypted"));
  }

  @Test
  void plainClusterTrafficOnANetworkAddressIsWarnedAbout() throws Exception {
    // reached at a network address (TEST-NET-1, never routed), bound to loopback for the test
    String network = "pekko.remote.artery.canonical.hostname = \"192.0.2.10\"\npekko.remote.artery.bind.hostname = \"127.0.0.1\"\n";
    // the warning is logged (synchronously) while the node starts, before the server is bound
    CapturedLog.startCapturing();
    try (TestServer plain = TestServer.start(network)) {
      assertTrue(warned("192.0.2.10"), "a warning for plain TCP on a network address");
    }
    CapturedLog.startCapturing();
    try (TestServer encrypted = TestServer.start(network + tls())) {
      assertTrue(!warned("192.0.2.10"), "no warning once TLS is on");
    }
    CapturedLog.startCapturing();
    try (TestServer loopback = TestServer.start("")) {
      assertTrue(!warned("127.0.0.1"), "no warning on loopback");
    }
  }

  @Test
  void twoNodesFormAClusterOverTls() throws Exception {
    int seed = MultiNodeTest.freePort();
    String db = TestServer.freshDatabase();
    try (TestServer one = TestServer.start(db, MultiNodeTest.node(seed, seed) + tls());
        TestServer two = TestServer.start(db, MultiNodeTest.node(MultiNodeTest.freePort(), seed) + tls())) {
      // each server binds HTTP only once its node is Up: node two joined node one over TLS
      Eventually.get(() -> {
        var members = Cluster.get(one.system).state().getMembers();
        long up = java.util.stream.StreamSupport.stream(members.spliterator(), false).filter(m -> m.status() == MemberStatus.up()).count();
        return up == 2 ? true : null;
      });
      // the cluster port speaks TLS 1.3 and takes a client with the cluster's key
      try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) clusterTls().getSocketFactory().createSocket("127.0.0.1", seed)) {
        socket.setSoTimeout(20_000);
        socket.startHandshake();
        assertEquals("TLSv1.3", socket.getSession().getProtocol());
      }
      String alice = one.signIn("alice");
      assertEquals(200, two.get("/api/todos", alice).status(), "the nodes share the secret and the data");
    }
  }
}
