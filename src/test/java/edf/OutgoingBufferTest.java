package edf;

import static edf.OutgoingBuffer.Offered.MERGED;
import static edf.OutgoingBuffer.Offered.QUEUED;
import static edf.OutgoingBuffer.Offered.REFUSED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutgoingBufferTest {

  static List<String> drain(OutgoingBuffer buffer) {
    List<String> out = new ArrayList<>();
    for (String next = buffer.poll(); next != null; next = buffer.poll()) out.add(next);
    return out;
  }

  @Test
  void personalMessagesAreKeptOneByOneInOrder() {
    OutgoingBuffer buffer = new OutgoingBuffer(10, 10);
    for (int i = 1; i <= 5; i++) assertEquals(QUEUED, buffer.offer("p" + i, null));
    assertEquals(List.of("p1", "p2", "p3", "p4", "p5"), drain(buffer));
    assertTrue(buffer.isEmpty());
  }

  @Test
  void aTopicMessageReplacesTheOneWithItsKeyAndTakesTheLatestPosition() {
    OutgoingBuffer buffer = new OutgoingBuffer(10, 10);
    buffer.offer("stats1", "stats");
    buffer.offer("todoA1", "todo:a");
    buffer.offer("p1", null);
    buffer.offer("stats2", "stats");
    buffer.offer("todoB1", "todo:b");
    buffer.offer("p2", null);
    buffer.offer("todoA2", "todo:a");
    buffer.offer("stats3", "stats");
    // a subsequence of what was offered, in the same order: only the older versions are left out
    assertEquals(List.of("p1", "todoB1", "p2", "todoA2", "stats3"), drain(buffer));
  }

  @Test
  void whatWasWrittenAlreadyIsNotReplacedAgain() {
    OutgoingBuffer buffer = new OutgoingBuffer(10, 10);
    buffer.offer("stats1", "stats");
    assertEquals("stats1", buffer.poll());
    buffer.offer("stats2", "stats");
    assertEquals(List.of("stats2"), drain(buffer));
  }

  @Test
  void thePersonalBacklogIsBoundedAndTopicMessagesDoNotCountAgainstIt() {
    OutgoingBuffer buffer = new OutgoingBuffer(3, 10);
    assertEquals(QUEUED, buffer.offer("p1", null));
    assertEquals(QUEUED, buffer.offer("p2", null));
    assertEquals(QUEUED, buffer.offer("p3", null));
    for (int i = 0; i < 100; i++) assertEquals(i == 0 ? QUEUED : MERGED, buffer.offer("stats" + i, "stats"), "merged topic traffic never overflows");
    assertEquals(REFUSED, buffer.offer("p4", null), "a fourth personal message would go beyond what resume replays");
    assertEquals(3, buffer.personalWaiting());
    assertEquals("p1", buffer.poll());
    assertEquals(QUEUED, buffer.offer("p4", null), "room again once one was written");
    assertEquals(List.of("p2", "p3", "stats99", "p4"), drain(buffer));
  }

  @Test
  void theNumberOfDistinctTopicKeysIsBoundedButANewVersionOfAWaitingKeyAlwaysFits() {
    OutgoingBuffer buffer = new OutgoingBuffer(10, 2);
    assertEquals(QUEUED, buffer.offer("a1", "todo:a"));
    assertEquals(QUEUED, buffer.offer("b1", "todo:b"));
    assertEquals(REFUSED, buffer.offer("c1", "todo:c"), "a third key is refused");
    assertEquals(MERGED, buffer.offer("a2", "todo:a"), "a newer version of a waiting key replaces it");
    assertEquals(QUEUED, buffer.offer("p1", null), "personal messages are bounded on their own");
    assertEquals(2, buffer.topicKeys());
    assertEquals(List.of("b1", "a2", "p1"), drain(buffer));
    assertNull(buffer.poll());
  }

  @Test
  void aResumesReplayIsTakenWholeAndDoesNotCountAgainstThePersonalBound() {
    OutgoingBuffer buffer = new OutgoingBuffer(2, 10);
    for (int i = 1; i <= 5; i++) assertTrue(buffer.replay("r" + i));
    assertEquals(QUEUED, buffer.offer("p1", null), "a new message while the replay is read");
    assertEquals(QUEUED, buffer.offer("p2", null));
    assertEquals(REFUSED, buffer.offer("p3", null), "the bound is for what comes after the replay");
    assertEquals(List.of("r1", "r2", "r3", "r4", "r5", "p1", "p2"), drain(buffer));
  }
}
