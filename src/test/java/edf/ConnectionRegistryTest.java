package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ConnectionRegistryTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local"));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  final ActorRef<Topic.Command<Delivery>> deliveries =
      testKit.spawn(Topic.create(Delivery.class, "deliveries-" + System.nanoTime()));
  final ActorRef<Topic.Command<TodoEvent>> events =
      testKit.spawn(Topic.create(TodoEvent.class, "events-" + System.nanoTime()));
  /** Every user's ledger: Sync requests land here, and the test answers them. */
  final TestProbe<UserLedger.Command> ledger = testKit.createTestProbe();
  final ActorRef<ConnectionRegistry.Command> registry =
      testKit.spawn(
          ConnectionRegistry.create(
              new Wire(Json.mapper(testKit.system())), deliveries, events, userId -> ledger.ref(), Duration.ofSeconds(3), 3, 20));

  static final String EPOCH = "e1";

  static Delivery delivery(String userId, long seq) {
    return new Delivery(userId, EPOCH, seq, null, "{\"for\":\"" + userId + "\",\"seq\":" + seq + "}");
  }

  static SocketSession.Push push(Delivery d) {
    return new SocketSession.Push(d.json());
  }

  static String json(SocketSession.Out out) {
    return out instanceof SocketSession.Replayed replayed ? replayed.json() : ((SocketSession.Push) out).json();
  }

  /** A stand-in for a socket's stream actor that forwards what it gets, and can be stopped. */
  record Socket(ActorRef<SocketSession.Out> ref, TestProbe<SocketSession.Out> probe) {}

  /** A socket that registers and is answered by its ledger: fresh, at seq 0 of EPOCH. */
  Socket socket(String userId) {
    Socket socket = register(userId, null, null);
    answer(new UserLedger.SyncResult(UserLedger.SyncMode.FRESH, EPOCH, 0, java.util.List.of()));
    assertTrue(json(socket.probe().receiveMessage()).contains("\"welcome\""));
    return socket;
  }

  Socket register(String userId, String epoch, Long lastSeq) {
    TestProbe<SocketSession.Out> probe = testKit.createTestProbe();
    ActorRef<SocketSession.Out> ref =
        testKit.spawn(Behaviors.receiveMessage(m -> {
          probe.ref().tell(m);
          return Behaviors.same();
        }));
    registry.tell(new ConnectionRegistry.Register(userId, "w-" + userId, ref, epoch, lastSeq));
    return new Socket(ref, probe);
  }

  UserLedger.Sync answer(UserLedger.SyncResult result) {
    UserLedger.Sync sync = ledger.expectMessageClass(UserLedger.Sync.class);
    sync.replyTo().tell(result);
    return sync;
  }

  ConnectionRegistry.Connections connections() {
    TestProbe<ConnectionRegistry.Connections> probe = testKit.createTestProbe();
    registry.tell(new ConnectionRegistry.GetConnections(probe.ref()));
    return probe.receiveMessage();
  }

  /** Publishing goes through the topic actor; wait until the registry is one of its subscribers. */
  void awaitSubscribed() {
    TestProbe<Integer> count = testKit.createTestProbe();
    count.awaitAssert(() -> {
      deliveries.tell(Topic.getTopicStats(testKit.system().ignoreRef()));
      TestProbe<Topic.TopicStats> stats = testKit.createTestProbe();
      deliveries.tell(Topic.getTopicStats(stats.ref()));
      assertEquals(1, stats.receiveMessage().localSubscriberCount());
      TestProbe<Topic.TopicStats> eventStats = testKit.createTestProbe();
      events.tell(Topic.getTopicStats(eventStats.ref()));
      assertEquals(1, eventStats.receiveMessage().localSubscriberCount());
      return null;
    });
  }

  @Test
  void aPersonalMessageReachesEverySocketOfItsUserOnceAndNoOtherUser() {
    Socket alice1 = socket("alice");
    Socket alice2 = socket("alice");
    Socket bob = socket("bob");
    assertEquals(new ConnectionRegistry.Connections(3, 2), connections());
    awaitSubscribed();

    Delivery forAlice = delivery("alice", 1);
    deliveries.tell(Topic.publish(forAlice));
    assertEquals(push(forAlice), alice1.probe().receiveMessage());
    assertEquals(push(forAlice), alice2.probe().receiveMessage());

    Delivery forBob = delivery("bob", 1);
    deliveries.tell(Topic.publish(forBob));
    assertEquals(push(forBob), bob.probe().receiveMessage());
    // bob's own message came after alice's: had alice's leaked to bob, it would have come first
    alice1.probe().expectNoMessage(Duration.ofMillis(50));
    alice2.probe().expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void aSocketWhoseActorStopsIsForgottenAndItsUserToo() {
    Socket alice1 = socket("alice");
    Socket alice2 = socket("alice");
    awaitSubscribed();
    alice1.probe().expectNoMessage(Duration.ZERO);
    testKit.stop(alice1.ref());
    TestProbe<Object> waiter = testKit.createTestProbe();
    waiter.awaitAssert(() -> {
      assertEquals(new ConnectionRegistry.Connections(1, 1), connections());
      return null;
    });
    deliveries.tell(Topic.publish(delivery("alice", 1)));
    alice2.probe().expectMessage(push(delivery("alice", 1)));

    testKit.stop(alice2.ref());
    waiter.awaitAssert(() -> {
      assertEquals(new ConnectionRegistry.Connections(0, 0), connections());
      return null;
    });
  }

  @Test
  void aResumingSocketGetsWhatItMissedThenResumedThenWhatIsNewInOrderAndOnce() {
    awaitSubscribed();
    Socket socket = register("erin", EPOCH, 2L);
    // while the ledger is still being asked, seq 5 and 6 are published; 4 comes again live
    deliveries.tell(Topic.publish(delivery("erin", 5)));
    deliveries.tell(Topic.publish(delivery("erin", 6)));
    UserLedger.Sync sync = ledger.expectMessageClass(UserLedger.Sync.class);
    assertEquals(EPOCH, sync.epoch());
    assertEquals(2L, sync.lastSeq());
    TestProbe<ConnectionRegistry.Connections> barrier = testKit.createTestProbe();
    registry.tell(new ConnectionRegistry.GetConnections(barrier.ref()));
    barrier.receiveMessage();
    socket.probe().expectNoMessage(Duration.ZERO);

    sync.replyTo().tell(new UserLedger.SyncResult(UserLedger.SyncMode.RESUMED, EPOCH, 5,
        java.util.List.of(delivery("erin", 3), delivery("erin", 4), delivery("erin", 5))));
    // a replay is taken even by a socket that is behind: it is at most the user's history
    assertEquals(new SocketSession.Replayed(delivery("erin", 3).json()), socket.probe().receiveMessage());
    assertEquals(new SocketSession.Replayed(delivery("erin", 4).json()), socket.probe().receiveMessage());
    assertEquals(new SocketSession.Replayed(delivery("erin", 5).json()), socket.probe().receiveMessage());
    String resumed = json(socket.probe().receiveMessage());
    assertTrue(resumed.contains("\"type\":\"resumed\"") && resumed.contains("\"from\":3") && resumed.contains("\"to\":5"), resumed);
    assertEquals(push(delivery("erin", 6)), socket.probe().receiveMessage(), "5 came in the replay and is not sent twice");
    deliveries.tell(Topic.publish(delivery("erin", 6)));
    deliveries.tell(Topic.publish(delivery("erin", 7)));
    assertEquals(push(delivery("erin", 7)), socket.probe().receiveMessage(), "a repeated 6 is dropped");
  }

  @Test
  void aGapInTheDeliveriesIsRepairedFromTheLedgerInOrder() {
    Socket socket = socket("olga");
    awaitSubscribed();
    deliveries.tell(Topic.publish(delivery("olga", 1)));
    assertEquals(push(delivery("olga", 1)), socket.probe().receiveMessage());
    ledger.expectMessageClass(UserLedger.PubSubReached.class);
    // 2 and 3 never reached this node; 4 shows the gap, 5 comes while it is repaired
    deliveries.tell(Topic.publish(delivery("olga", 4)));
    UserLedger.Sync sync = ledger.expectMessageClass(UserLedger.Sync.class);
    assertEquals(1L, sync.lastSeq());
    deliveries.tell(Topic.publish(delivery("olga", 5)));
    TestProbe<ConnectionRegistry.Connections> barrier = testKit.createTestProbe();
    registry.tell(new ConnectionRegistry.GetConnections(barrier.ref()));
    barrier.receiveMessage();
    socket.probe().expectNoMessage(Duration.ZERO);
    sync.replyTo().tell(new UserLedger.SyncResult(UserLedger.SyncMode.RESUMED, EPOCH, 4,
        java.util.List.of(delivery("olga", 2), delivery("olga", 3), delivery("olga", 4))));
    for (long seq = 2; seq <= 5; seq++) assertEquals(push(delivery("olga", seq)), socket.probe().receiveMessage());
    socket.probe().expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void theLedgersDirectCopiesFillInUntilPubSubBringsTheUsersMessagesThenStop() {
    Socket socket = register("ines", null, null);
    UserLedger.Sync sync = answer(new UserLedger.SyncResult(UserLedger.SyncMode.FRESH, EPOCH, 0, java.util.List.of()));
    assertEquals(registry, sync.registry(), "the ledger is asked to send to this registry directly");
    assertTrue(json(socket.probe().receiveMessage()).contains("\"welcome\""));
    // pub-sub has not reached this node yet: only the direct copies come
    registry.tell(new ConnectionRegistry.Direct(delivery("ines", 1)));
    registry.tell(new ConnectionRegistry.Direct(delivery("ines", 2)));
    assertEquals(push(delivery("ines", 1)), socket.probe().receiveMessage());
    assertEquals(push(delivery("ines", 2)), socket.probe().receiveMessage());
    ledger.expectNoMessage(Duration.ZERO);
    // then pub-sub brings 2 as well: pushed once, and the ledger may stop the copies
    awaitSubscribed();
    deliveries.tell(Topic.publish(delivery("ines", 2)));
    UserLedger.PubSubReached reached = ledger.expectMessageClass(UserLedger.PubSubReached.class);
    assertEquals(registry, reached.registry());
    // a copy the ledger sent before it heard: pushed once, and it is told again
    registry.tell(new ConnectionRegistry.Direct(delivery("ines", 3)));
    deliveries.tell(Topic.publish(delivery("ines", 3)));
    assertEquals(push(delivery("ines", 3)), socket.probe().receiveMessage());
    ledger.expectMessageClass(UserLedger.PubSubReached.class);
    socket.probe().expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void aSocketThatCannotResumeIsToldToResync() {
    Socket socket = register("frank", "old-epoch", 40L);
    answer(new UserLedger.SyncResult(UserLedger.SyncMode.RESYNC, EPOCH, 12, java.util.List.of()));
    String resync = json(socket.probe().receiveMessage());
    assertTrue(resync.contains("\"type\":\"resync\"") && resync.contains("\"epoch\":\"e1\"") && resync.contains("\"seq\":12"), resync);
  }

  @Test
  void aSocketWhosePositionNeverComesIsNotLeftWaitingForever() {
    Socket socket = register("gina", null, null);
    ledger.expectMessageClass(UserLedger.Sync.class);
    ledger.expectMessageClass(UserLedger.Sync.class, Duration.ofSeconds(10)); // asked once more
    SocketSession.Close close = (SocketSession.Close) socket.probe().receiveMessage(Duration.ofSeconds(10));
    assertEquals(SocketSession.INTERNAL_ERROR, close.code());
    ledger.expectNoMessage(Duration.ofMillis(50));
  }

  /** A ledger that answers late (a node starting under a crowd) costs the socket a wait, not a reconnection. */
  @Test
  void aPositionThatDoesNotComeInTimeIsAskedForOnceMoreFromTheSamePoint() {
    Socket socket = register("ivy", EPOCH, 7L);
    UserLedger.Sync first = ledger.expectMessageClass(UserLedger.Sync.class);
    UserLedger.Sync again = ledger.expectMessageClass(UserLedger.Sync.class, Duration.ofSeconds(10));
    assertEquals(EPOCH, again.epoch());
    assertEquals(7L, again.lastSeq());
    first.replyTo().tell(new UserLedger.SyncResult(UserLedger.SyncMode.FRESH, EPOCH, 0, java.util.List.of())); // too late: dropped
    again.replyTo().tell(new UserLedger.SyncResult(UserLedger.SyncMode.RESUMED, EPOCH, 8, java.util.List.of(delivery("ivy", 8))));
    assertEquals(json(push(delivery("ivy", 8))), json(socket.probe().receiveMessage()));
    String resumed = json(socket.probe().receiveMessage());
    assertTrue(resumed.contains("\"type\":\"resumed\""), resumed);
    socket.probe().expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void personalMessagesThatPileUpBeforeThePositionIsKnownCloseTheSocketAsSlow() {
    awaitSubscribed();
    Socket socket = register("hugo", null, null);
    ledger.expectMessageClass(UserLedger.Sync.class);
    for (int seq = 1; seq <= 4; seq++) deliveries.tell(Topic.publish(delivery("hugo", seq)));
    SocketSession.Close close = (SocketSession.Close) socket.probe().receiveMessage();
    assertEquals(SocketSession.SLOW_CONSUMER, close.code());
  }

  @Test
  void closeAllClosesEverySocketWithTheCodeAndAnswersWhenNoneIsLeft() {
    Socket a = socket("ivy");
    Socket b = socket("jack");
    TestProbe<ConnectionRegistry.Connections> done = testKit.createTestProbe();
    registry.tell(new ConnectionRegistry.CloseAll(SocketSession.GOING_AWAY, "bye", done.ref()));
    assertEquals(new SocketSession.Close(SocketSession.GOING_AWAY, "bye"), a.probe().receiveMessage());
    assertEquals(new SocketSession.Close(SocketSession.GOING_AWAY, "bye"), b.probe().receiveMessage());
    done.expectNoMessage(Duration.ofMillis(50));
    testKit.stop(a.ref());
    testKit.stop(b.ref());
    assertEquals(new ConnectionRegistry.Connections(0, 0), done.receiveMessage());
  }

  @Test
  void topicMessagesGoToSubscribersOnly() {
    Socket watcher = socket("carol");
    Socket other = socket("dave");
    awaitSubscribed();
    registry.tell(new ConnectionRegistry.Subscribe(watcher.ref(), ConnectionRegistry.TODOS));
    SocketSession.Push subscribed = (SocketSession.Push) watcher.probe().receiveMessage();
    assertTrue(subscribed.json().contains("\"subscribed\"") && subscribed.json().contains("\"todos\""));
    assertEquals(null, subscribed.topicKey(), "a reply to the client is personal: never merged");
    assertTrue(json(watcher.probe().receiveMessage()).contains("\"presence.snapshot\""), "who is here comes right after");

    Todo todo = new Todo("t1", "Buy milk", true, 2, "dave", Instant.now());
    events.tell(Topic.publish(new TodoEvent.Changed("t1", "c1", "dave", TodoCommand.Type.UPDATE, todo, Instant.now(), 2)));
    SocketSession.Push changed = (SocketSession.Push) watcher.probe().receiveMessage();
    assertTrue(changed.json().contains("\"todo.changed\""), changed.json());
    assertTrue(changed.json().contains("\"changedBy\":\"dave\""), changed.json());
    assertEquals("todo:t1", changed.topicKey(), "a slow socket keeps only the latest todo.changed per todo");

    registry.tell(new ConnectionRegistry.Unsubscribe(watcher.ref(), ConnectionRegistry.TODOS));
    assertTrue(((SocketSession.Push) watcher.probe().receiveMessage()).json().contains("\"unsubscribed\""));
    // a second subscriber gets the next event: by then the watcher would have had it too
    registry.tell(new ConnectionRegistry.Subscribe(other.ref(), ConnectionRegistry.TODOS));
    assertTrue(json(other.probe().receiveMessage()).contains("\"subscribed\""), "dave was no subscriber: nothing came before");
    other.probe().receiveMessage();
    events.tell(Topic.publish(new TodoEvent.Pending("t1", "c2", "dave", Instant.now(), 3)));
    assertTrue(json(other.probe().receiveMessage()).contains("\"todo.pending\""));
    watcher.probe().expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void presenceChangesGoToTodosSubscribersAndNewSubscribersGetASnapshot() {
    Socket early = socket("lena");
    registry.tell(new ConnectionRegistry.Subscribe(early.ref(), ConnectionRegistry.TODOS));
    early.probe().receiveMessage();
    assertTrue(json(early.probe().receiveMessage()).contains("\"windows\":[]"));
    Presence.Window editing = new Presence.Window("w9", "mia", "t1", "text");
    registry.tell(new ConnectionRegistry.PresenceChanged(editing));
    String changed = json(early.probe().receiveMessage());
    assertTrue(changed.contains("\"presence.changed\"") && changed.contains("\"field\":\"text\"") && changed.contains("\"userId\":\"mia\""), changed);

    Socket late = socket("nina");
    registry.tell(new ConnectionRegistry.Subscribe(late.ref(), ConnectionRegistry.TODOS));
    late.probe().receiveMessage();
    String snapshot = json(late.probe().receiveMessage());
    assertTrue(snapshot.contains("\"windowId\":\"w9\"") && snapshot.contains("\"entityId\":\"t1\""), snapshot);

    registry.tell(new ConnectionRegistry.PresenceLeft("w9", "mia"));
    assertTrue(json(early.probe().receiveMessage()).contains("\"presence.left\""));
    assertTrue(json(late.probe().receiveMessage()).contains("\"presence.left\""));
  }
}
