package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node takes its first connection only once its journal has answered one recovery, so that the
 * storage plugin's first start and first queries do not fall on the first crowd of sockets (on a
 * fresh server under a 2,000-socket ramp, their ledgers answered after the resume timeout, and
 * the sockets were closed with 1011). The warm-up stores nothing.
 */
class StorageWarmUpTest {

  @Test
  void theServerIsBoundOnlyOnceTheJournalHasAnsweredARecoveryAndNothingIsStoredForIt() throws Exception {
    String db = TestServer.freshDatabase();
    CapturedLog.startCapturing();
    try (TestServer server = TestServer.start(db, "")) {
      List<String> lines = Eventually.get(() -> {
        List<String> now = CapturedLog.lines();
        return indexOf(now, "Server online at") >= 0 ? now : null;
      });
      int answered = indexOf(lines, "The journal answered a recovery in");
      int online = indexOf(lines, "Server online at");
      assertTrue(answered >= 0, "the journal answered the warm-up's recovery");
      assertTrue(answered < online, "the journal answered before the server was bound");
      assertEquals(200, server.send(org.apache.pekko.http.javadsl.model.HttpMethods.GET, "/health", null, null).status());
    } finally {
      CapturedLog.stopCapturing();
    }
    try (Connection connection = DriverManager.getConnection(db, "edf", "");
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(
            "SELECT COUNT(*) FROM PUBLIC.\"event_journal\" WHERE \"persistence_id\" = '"
                + StorageWarmUp.PERSISTENCE_ID.id() + "'")) {
      rows.next();
      assertEquals(0, rows.getLong(1), "the warm-up stored no event");
    }
  }

  private static int indexOf(List<String> lines, String text) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) return i;
    }
    return -1;
  }
}
