package edf;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Accepted commands whose end has not been seen yet. The start and the end of a command travel
 * through different topics (and, across nodes, different routes), so an end may come first: it
 * is remembered (a bounded number of them) and cancels its start when that arrives.
 */
final class Outstanding {
  private static final int MAX_EARLY = 10_000;

  private final Set<String> open = new HashSet<>();
  private final Set<String> early =
      Collections.newSetFromMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > MAX_EARLY;
            }
          });

  void started(String commandId) {
    if (!early.remove(commandId)) open.add(commandId);
  }

  void ended(String commandId) {
    if (!open.remove(commandId)) early.add(commandId);
  }

  int size() {
    return open.size();
  }

  boolean isEmpty() {
    return open.isEmpty();
  }
}
