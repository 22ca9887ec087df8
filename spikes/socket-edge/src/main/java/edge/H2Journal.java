package edge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The least a server can do to store each ingested event before it answers 202 and pushes it, as
 * the product does: number it per user and insert it as one row of the product's own journal table
 * (its `db/h2.sql`, read from the repository) in an embedded H2 file with `WRITE_DELAY=0`, the
 * product's default database. One writer thread; a commit starts no sooner than {@link
 * #COMMIT_INTERVAL_NANOS} after the one before and takes every event that waits, as the product's
 * group commit does. No actors, no Pekko Persistence, no Slick, no pool, no serializer: what is left
 * is H2's own cost per stored event, for comparison with the product's and with `ws`'s whole server.
 */
final class H2Journal {

  /** The product's `edf.db.commit-interval`. */
  static final long COMMIT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  record Entry(String userId, byte[] frame, Runnable stored) {}

  private final LinkedBlockingQueue<Entry> waiting = new LinkedBlockingQueue<>();
  /** The next sequence number per user; owned by the writer thread. */
  private final Map<String, Long> seqs = new HashMap<>();
  private final Connection connection;
  private final PreparedStatement insert;

  H2Journal(Path dir, Path schema) throws SQLException, IOException {
    Files.createDirectories(dir);
    connection = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("edge") + ";WRITE_DELAY=0", "edge", "");
    try (Statement statement = connection.createStatement()) {
      String script = Files.readString(schema, StandardCharsets.UTF_8);
      for (String sql : script.replaceAll("(?m)^--.*$", "").split(";")) {
        if (!sql.isBlank()) statement.execute(sql);
      }
    }
    connection.setAutoCommit(false);
    insert = connection.prepareStatement(
        "INSERT INTO PUBLIC.\"event_journal\" (\"deleted\", \"persistence_id\", \"sequence_number\", \"writer\","
            + " \"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\")"
            + " VALUES (false, ?, ?, 'edge', ?, '', ?, 33, 'Sent')");
    Thread writer = new Thread(this::write, "journal-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Stores `frame` as the user's next event; `stored` runs on the writer thread once it is committed. */
  void append(String userId, byte[] frame, Runnable stored) {
    waiting.add(new Entry(userId, frame, stored));
  }

  private void write() {
    List<Entry> batch = new ArrayList<>();
    long lastStart = System.nanoTime() - COMMIT_INTERVAL_NANOS;
    while (true) {
      try {
        batch.add(waiting.take());
        long wait = lastStart + COMMIT_INTERVAL_NANOS - System.nanoTime();
        if (wait > 0) LockSupport.parkNanos(wait);
        lastStart = System.nanoTime();
        waiting.drainTo(batch);
        long now = System.currentTimeMillis();
        for (Entry entry : batch) {
          long seq = seqs.merge(entry.userId(), 1L, Long::sum);
          insert.setString(1, "UserLedger|" + entry.userId());
          insert.setLong(2, seq);
          insert.setLong(3, now);
          insert.setBytes(4, entry.frame());
          insert.addBatch();
        }
        insert.executeBatch();
        connection.commit();
        for (Entry entry : batch) entry.stored().run();
      } catch (InterruptedException e) {
        return;
      } catch (SQLException e) {
        // a spike: a failed commit ends the writer, and the load generator counts what is lost
        e.printStackTrace();
        return;
      } finally {
        batch.clear();
      }
    }
  }
}
