package edf;

import com.typesafe.config.Config;

/**
 * Everything under `edf.limits { }` in application.conf: what one user (and all users together)
 * may do, each limit answered with 429 and `Retry-After` on HTTP, or with an `error` message and
 * close code {@link SocketSession#TOO_MANY_SOCKETS} on the socket (docs/protocol.md, "Limits").
 */
public record Limits(
    Rate commands,
    Rate events,
    Rate chaosChanges,
    int socketsPerUser,
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

  public static Limits fromConfig(Config limits) {
    Limits l = new Limits(
        Rate.fromConfig(limits, "commands"),
        Rate.fromConfig(limits, "events"),
        Rate.fromConfig(limits, "chaos-changes"),
        limits.getInt("sockets-per-user"),
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
