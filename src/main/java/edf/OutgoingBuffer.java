package edf;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What waits to be written to one socket, merged where merging loses nothing (docs/protocol.md,
 * "Slow clients"). Not thread-safe: owned by the socket's {@link SocketConnection}.
 *
 * <p>Personal messages (no key: numbered outcomes and events, the connection messages, errors and
 * replies) are kept one by one, in order. A topic message has a key (`stats`, `chaos`, one per todo
 * for `todo.changed`, one per window for presence...): a newer one with the same key replaces the
 * one still waiting, and takes the position of the newer one. So what the socket receives is
 * always a subsequence of what was sent to it, in the same order: only older versions of a topic
 * message are left out.
 *
 * <p>Bounded: {@link #offer} refuses a message once more than `maxPersonal` personal messages, or
 * more than `maxTopicKeys` different topic keys, would wait.
 */
final class OutgoingBuffer {
  /** The key of a personal message: unique, so it is never replaced. */
  private static final class Personal {}

  /** The key of a message of a resume's replay: personal, but not counted against the bound. */
  private static final class Replayed {}

  private final int maxPersonal;
  private final int maxTopicKeys;
  /** In the order they go out; a key is a topic key (String) or a {@link Personal}. */
  private final LinkedHashMap<Object, String> waiting = new LinkedHashMap<>();
  private int personal;
  private int topics;

  OutgoingBuffer(int maxPersonal, int maxTopicKeys) {
    if (maxPersonal < 1 || maxTopicKeys < 1) throw new IllegalArgumentException("bounds must be positive");
    this.maxPersonal = maxPersonal;
    this.maxTopicKeys = maxTopicKeys;
  }

  /** What {@link #offer} did with a message. */
  enum Offered {
    QUEUED,
    /** Queued in place of an older message with the same topic key, which will not be sent. */
    MERGED,
    /** Nothing queued: that would go beyond a bound (the socket is too far behind). */
    REFUSED
  }

  /** Queues a message: `topicKey` null for a personal message. */
  Offered offer(String json, String topicKey) {
    if (topicKey == null) {
      if (personal >= maxPersonal) return Offered.REFUSED;
      personal++;
      waiting.put(new Personal(), json);
      return Offered.QUEUED;
    }
    // a newer version goes where the newer one would have gone: remove, then add at the end
    boolean merged = waiting.remove(topicKey) != null;
    if (!merged) {
      if (topics >= maxTopicKeys) return Offered.REFUSED;
      topics++;
    }
    waiting.put(topicKey, json);
    return merged ? Offered.MERGED : Offered.QUEUED;
  }

  /**
   * Queues a personal message of a resume's replay. It does not count against the personal bound
   * (a replay is at most the user's history, so memory stays bounded): a client that resumes a large
   * gap is not closed again by the first new message that comes while it reads the replay.
   */
  boolean replay(String json) {
    waiting.put(new Replayed(), json);
    return true;
  }

  /** The next message to write, removed; null when nothing waits. */
  String poll() {
    Iterator<Map.Entry<Object, String>> it = waiting.entrySet().iterator();
    if (!it.hasNext()) return null;
    Map.Entry<Object, String> first = it.next();
    it.remove();
    if (first.getKey() instanceof Personal) {
      personal--;
    } else if (first.getKey() instanceof String) {
      topics--;
    }
    return first.getValue();
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }

  int personalWaiting() {
    return personal;
  }

  int topicKeys() {
    return topics;
  }
}
