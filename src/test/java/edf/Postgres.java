package edf;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * The local PostgreSQL server that `.ci/ensure-postgres` installs and starts (run by `mvn verify`
 * before the tests), and the test role it creates. Each test gets a database of its own.
 */
final class Postgres {
  static final String HOST = System.getenv().getOrDefault("EDF_TEST_PG_HOST", "127.0.0.1");
  static final String PORT = System.getenv().getOrDefault("EDF_TEST_PG_PORT", "5432");
  static final String ROLE = "edf_test";

  private Postgres() {}

  record Database(String name) implements AutoCloseable {
    String url() {
      return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + name;
    }

    /** What a server needs to use it: EDF_DB_URL, EDF_DB_USER, EDF_DB_PASSWORD. */
    Map<String, String> env() {
      return Map.of("EDF_DB_URL", url(), "EDF_DB_USER", ROLE, "EDF_DB_PASSWORD", ROLE);
    }

    @Override
    public void close() throws SQLException {
      admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }

  static Database freshDatabase() throws SQLException {
    String name = "edf_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    admin("CREATE DATABASE " + name);
    return new Database(name);
  }

  private static void admin(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/postgres", ROLE, ROLE);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
