package edge;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * User id to that user's open sockets, the in-memory map both edges push through. Each user's
 * sockets are an immutable list replaced under the map's per-key lock, so a push reads without
 * locking and a user with no socket left has no entry.
 */
final class Registry<S> {

  private final ConcurrentHashMap<String, List<S>> sockets = new ConcurrentHashMap<>();

  void add(String userId, S socket) {
    sockets.compute(userId, (k, list) -> {
      if (list == null) {
        return List.of(socket);
      }
      List<S> more = new ArrayList<>(list.size() + 1);
      more.addAll(list);
      more.add(socket);
      return List.copyOf(more);
    });
  }

  void remove(String userId, S socket) {
    sockets.computeIfPresent(userId, (k, list) -> {
      List<S> fewer = new ArrayList<>(list);
      fewer.remove(socket);
      return fewer.isEmpty() ? null : List.copyOf(fewer);
    });
  }

  /** Runs {@code send} for every socket of the user; returns how many. */
  int forEach(String userId, Consumer<S> send) {
    List<S> list = sockets.get(userId);
    if (list == null) {
      return 0;
    }
    for (S s : list) {
      send.accept(s);
    }
    return list.size();
  }
}
