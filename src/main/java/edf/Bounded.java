package edf;

import java.util.LinkedHashMap;
import java.util.Map;

/** Maps that forget their oldest entry (by insertion) once they hold more than a maximum. */
final class Bounded {
  private Bounded() {}

  static <K, V> Map<K, V> map(int max) {
    return new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
      }
    };
  }
}
