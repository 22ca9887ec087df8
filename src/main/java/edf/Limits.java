package edf;

import com.sun.management.UnixOperatingSystemMXBean;
import com.typesafe.config.Config;
import java.lang.management.ManagementFactory;

/**
 * Everything under `edf.limits { }` in application.conf: what one user (and all users together)
 * may do, each limit answered with 429 and `Retry-After` on HTTP, or with an `error` message and
 * close code {@link SocketSession#TOO_MANY_SOCKETS} on the socket (docs/protocol.md, "Limits"); and
 * how many sockets the node opens, beyond which an upgrade gets 503 `node-full`.
 */
public record Limits(
    Rate commands,
    Rate events,
    Rate chaosChanges,
    int socketsPerUser,
    int socketsPerNode,
    int queuedPerTodo,
    int todos,
    int todosPerUser,
    int pageSize,
    int maxPageSize) {

  /** A token bucket: `perSecond` tokens come back each second, at most `burst` are kept. */
  public record Rate(double perSecond, int burst) {
    static Rate fromConfig(Config config, String path) {
      Rate rate = new Rate(config.getDouble(path + ".per-second"), config.getInt(path + ".burst"));
      if (!(rate.perSecond > 0) || rate.burst < 1) {
        throw new IllegalArgumentException("edf.limits." + path + " needs per-second > 0 and burst >= 1, not " + rate);
      }
      return rate;
    }
  }

  /** File descriptors `auto` leaves to what opens after the settings are read (the database pool, the cluster, HTTP connections). */
  static final int RESERVED_FILES = 64;

  /** `auto` or a number of at least 1 (edf.limits.sockets-per-node). */
  static int socketsPerNode(String value) {
    if (value.strip().equalsIgnoreCase("auto")) return autoSocketsPerNode();
    try {
      int sockets = Integer.parseInt(value.strip());
      if (sockets >= 1) return sockets;
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new IllegalArgumentException(
        "EDF_SOCKETS_PER_NODE (edf.limits.sockets-per-node) must be auto or a number of at least 1, not " + value);
  }

  /**
   * The JVM's open-file limit (on Linux the hard limit, which the JVM raises its own to at start)
   * less the files open now (jars, logs) and {@link #RESERVED_FILES}; no limit where the JVM does
   * not know the open-file limit. The node logs the value at start.
   */
  private static int autoSocketsPerNode() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
      long free = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount() - RESERVED_FILES;
      return (int) Math.max(1, Math.min(Integer.MAX_VALUE, free));
    }
    return Integer.MAX_VALUE;
  }

  public static Limits fromConfig(Config limits) {
    Limits l = new Limits(
        Rate.fromConfig(limits, "commands"),
        Rate.fromConfig(limits, "events"),
        Rate.fromConfig(limits, "chaos-changes"),
        limits.getInt("sockets-per-user"),
        socketsPerNode(limits.getString("sockets-per-node")),
        limits.getInt("queued-per-todo"),
        limits.getInt("todos"),
        limits.getInt("todos-per-user"),
        limits.getInt("page-size"),
        limits.getInt("max-page-size"));
    if (l.socketsPerUser < 1 || l.queuedPerTodo < 1 || l.todos < 1 || l.todosPerUser < 1)
      throw new IllegalArgumentException("edf.limits: sockets-per-user, queued-per-todo, todos and todos-per-user must be at least 1");
    if (l.pageSize < 1 || l.maxPageSize < l.pageSize)
      throw new IllegalArgumentException("edf.limits: page-size must be at least 1 and at most max-page-size");
    return l;
  }
}
