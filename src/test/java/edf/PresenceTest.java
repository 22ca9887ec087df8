package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Presence: join, move, leave, a window that goes silent, a node that vanishes. */
class PresenceTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.parseString("pekko.actor.provider = local")));
  static final ManualTime manualTime = ManualTime.get(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** A clock the test moves together with the scheduler's manual time. */
  static final class TestClock extends Clock {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-26T12:00:00Z"));

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }

  final TestClock clock = new TestClock();
  final TestProbe<ConnectionRegistry.Command> registry = testKit.createTestProbe();
  final ActorRef<Topic.Command<Presence.Event>> topic =
      testKit.spawn(Topic.create(Presence.Event.class, "presence-" + System.nanoTime()));
  final ActorRef<Presence.Command> presence =
      testKit.spawn(Presence.create(topic, registry.ref(), new Presence.Timing(Duration.ofSeconds(4), Duration.ofSeconds(1)), clock));

  void passes(Duration d) {
    clock.now.updateAndGet(t -> t.plus(d));
    manualTime.timePasses(d);
  }

  void awaitSubscribed() {
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(() -> {
      TestProbe<Topic.TopicStats> stats = testKit.createTestProbe();
      topic.tell(Topic.getTopicStats(stats.ref()));
      assertEquals(1, stats.receiveMessage().localSubscriberCount());
      return null;
    });
  }

  @Test
  void aWindowJoinsMovesAndLeavesWhenItsSocketEnds() {
    awaitSubscribed();
    Presence.Window viewing = new Presence.Window("w1", "alice", "t1", null);
    presence.tell(new Presence.Announce(viewing));
    assertEquals(new ConnectionRegistry.PresenceChanged(viewing), registry.receiveMessage());

    Presence.Window editing = new Presence.Window("w1", "alice", "t1", "text");
    presence.tell(new Presence.Announce(editing));
    assertEquals(new ConnectionRegistry.PresenceChanged(editing), registry.receiveMessage());

    presence.tell(new Presence.Announce(editing));
    presence.tell(new Presence.Gone("w1"));
    assertEquals(new ConnectionRegistry.PresenceLeft("w1", "alice"), registry.receiveMessage(), "no change for the same focus");
    presence.tell(new Presence.Gone("w1"));
    registry.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aWindowThatGoesSilentLeavesWithinFiveSecondsAndComesBackWhenItSpeaks() {
    awaitSubscribed();
    Presence.Window window = new Presence.Window("w2", "bob", "t2", "completed");
    presence.tell(new Presence.Announce(window));
    registry.expectMessage(new ConnectionRegistry.PresenceChanged(window));
    for (int i = 0; i < 3; i++) {
      passes(Duration.ofSeconds(1));
      presence.tell(new Presence.Seen("w2"));
    }
    registry.expectNoMessage(Duration.ofMillis(100));
    // silence from here: the socket is still open, but nothing comes (a dropped network)
    for (int i = 0; i < 4; i++) passes(Duration.ofSeconds(1));
    registry.expectNoMessage(Duration.ofMillis(100));
    passes(Duration.ofSeconds(1));
    assertEquals(new ConnectionRegistry.PresenceLeft("w2", "bob"), registry.receiveMessage(), "gone 5 s after the last sign of life");

    presence.tell(new Presence.Seen("w2"));
    assertEquals(new ConnectionRegistry.PresenceChanged(window), registry.receiveMessage());
  }

  int markers = 0;

  /**
   * One second passes, and everything the presence actor did for it reaches the registry: a
   * marker window moves after the tick, and its change comes back through the topic after
   * whatever the tick published. Returns the registry's messages for the tick (the marker's left out).
   */
  List<ConnectionRegistry.Command> second() {
    passes(Duration.ofSeconds(1));
    Presence.Window marker = new Presence.Window("marker", "marker", "m" + (++markers), null);
    presence.tell(new Presence.Announce(marker));
    List<ConnectionRegistry.Command> got = new java.util.ArrayList<>();
    registry.fishForMessage(Duration.ofSeconds(5), m -> {
      if (m.equals(new ConnectionRegistry.PresenceChanged(marker))) return FishingOutcomes.complete();
      got.add(m);
      return FishingOutcomes.continueAndIgnore();
    });
    return got;
  }

  @Test
  void aWindowSilentForLongComesBackWhenItSpeaksAsLongAsItsSocketIsOpen() {
    awaitSubscribed();
    Presence.Window window = new Presence.Window("w4", "alice", null, null);
    presence.tell(new Presence.Announce(window));
    registry.expectMessage(new ConnectionRegistry.PresenceChanged(window));
    // 45 s of silence (a stalled tab, a socket stuck behind a burst) while the socket stays open:
    // longer than ten silence timeouts, after which the server used to forget the window for good
    for (int s = 1; s <= 45; s++) {
      List<ConnectionRegistry.Command> got = second();
      assertEquals(s == 5 ? List.of(new ConnectionRegistry.PresenceLeft("w4", "alice")) : List.of(), got, "second " + s);
    }

    presence.tell(new Presence.Seen("w4"));
    assertEquals(new ConnectionRegistry.PresenceChanged(window), registry.receiveMessage(), "present again with its first word");
    assertEquals(List.of(), second(), "and refreshed, not expired");

    // its socket ends: gone, and a message that was still on its way does not bring it back
    presence.tell(new Presence.Gone("w4"));
    assertEquals(new ConnectionRegistry.PresenceLeft("w4", "alice"), registry.receiveMessage());
    presence.tell(new Presence.Seen("w4"));
    assertEquals(List.of(), second());
  }

  @Test
  void windowsOfANodeThatStopsRefreshingThemExpire() {
    awaitSubscribed();
    Presence.Window remote = new Presence.Window("w3", "carol", null, null);
    topic.tell(Topic.publish(new Presence.Refreshed(List.of(remote))));
    assertEquals(new ConnectionRegistry.PresenceChanged(remote), registry.receiveMessage());
    passes(Duration.ofSeconds(1));
    passes(Duration.ofSeconds(1));
    topic.tell(Topic.publish(new Presence.Refreshed(List.of(remote))));
    registry.expectNoMessage(Duration.ofMillis(200)); // the refresh travels through the topic
    passes(Duration.ofSeconds(1));
    passes(Duration.ofSeconds(1));
    passes(Duration.ofSeconds(1));
    registry.expectNoMessage(Duration.ofMillis(100));
    passes(Duration.ofSeconds(1));
    assertEquals(new ConnectionRegistry.PresenceLeft("w3", "carol"), registry.receiveMessage());
  }
}
