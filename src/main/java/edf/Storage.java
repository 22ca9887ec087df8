package edf;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database behind the journal and the snapshots (pekko-persistence-jdbc), chosen by
 * `edf.db.url`: an embedded H2 file by default, PostgreSQL in production. Before the actor system
 * starts, it picks the Slick profile and JDBC driver that fit the URL and creates the tables that
 * are missing, so the first start of a fresh database needs no extra step.
 */
public final class Storage {
  private static final Logger log = LoggerFactory.getLogger(Storage.class);

  private Storage() {}

  private enum Dialect {
    H2("slick.jdbc.H2Profile$", "org.h2.Driver", "db/h2.sql"),
    POSTGRES("slick.jdbc.PostgresProfile$", "org.postgresql.Driver", "db/postgres.sql");

    final String profile;
    final String driver;
    final String schema;

    Dialect(String profile, String driver, String schema) {
      this.profile = profile;
      this.driver = driver;
      this.schema = schema;
    }

    static Dialect of(String url) {
      if (url.startsWith("jdbc:h2:")) return H2;
      if (url.startsWith("jdbc:postgresql:")) return POSTGRES;
      throw new IllegalArgumentException(
          "edf.db.url (EDF_DB_URL) must start with jdbc:h2: or jdbc:postgresql:, not " + withoutParameters(url));
    }
  }

  /** Creates what is missing in the database and returns `config` with the journal's database set up. */
  public static Config prepare(Config config) {
    String url = config.getString("edf.db.url");
    Dialect dialect = Dialect.of(url);
    createSchema(dialect, url, config.getString("edf.db.user"), config.getString("edf.db.password"));
    log.info("Storage: {} ({})", withoutParameters(url), dialect);
    String db = "pekko-persistence-jdbc.shared-databases.edf.";
    int connections = config.getInt("edf.db.max-connections");
    Config prepared = ConfigFactory.parseMap(
            Map.of(
                db + "profile", dialect.profile,
                db + "db.driver", dialect.driver,
                db + "db.url", url,
                db + "db.user", config.getString("edf.db.user"),
                db + "db.password", config.getString("edf.db.password"),
                db + "db.numThreads", connections,
                db + "db.maxConnections", connections))
        .withFallback(config);
    if (dialect != Dialect.H2) return prepared; // PostgreSQL commits concurrently: the plugin's setting stays
    // H2 stores one commit at a time, a new chunk of its file each (WRITE_DELAY=0): the journal's
    // concurrent batch inserts only split what waits into more, smaller commits, each paying for a
    // whole chunk. One at a time, every event that waits goes into the next commit (at 2,000
    // events/s: a third less CPU in H2, docs/benchmarks.md section 5).
    // And a commit waits for edf.db.commit-interval after the one before (GroupCommitJournalDao).
    return ConfigFactory.parseMap(
            Map.of("jdbc-journal.parallelism", 1, "jdbc-journal.dao", GroupCommitJournalDao.class.getName()))
        .withFallback(prepared);
  }

  private static void createSchema(Dialect dialect, String url, String user, String password) {
    String script = resource(dialect.schema);
    try (Connection connection = DriverManager.getConnection(url, user, password);
        Statement statement = connection.createStatement()) {
      connection.setAutoCommit(false);
      // several nodes may start at once: one of them creates the tables
      if (dialect == Dialect.POSTGRES) statement.execute("SELECT pg_advisory_xact_lock(4242)");
      for (String sql : script.replaceAll("(?m)^--.*$", "").split(";")) {
        if (!sql.isBlank()) statement.execute(sql);
      }
      connection.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Cannot prepare the database at " + withoutParameters(url) + ": " + e.getMessage(), e);
    }
  }

  private static String resource(String name) {
    try (InputStream in = Storage.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A URL as it may be logged: without its parameters (they may hold a password). */
  static String withoutParameters(String url) {
    return url.split("[;?]", 2)[0];
  }
}
