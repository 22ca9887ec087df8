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
  final ActorRef<ConnectionRegistry.Command> registry =
      testKit.spawn(ConnectionRegistry.create(new Wire(Json.mapper(testKit.system())), deliveries, events));

  /** A stand-in for a socket's stream actor that forwards what it gets, and can be stopped. */
  record Socket(ActorRef<SocketSession.Out> ref, TestProbe<SocketSession.Out> probe) {}

  Socket socket(String userId) {
    TestProbe<SocketSession.Out> probe = testKit.createTestProbe();
    ActorRef<SocketSession.Out> ref =
        testKit.spawn(Behaviors.receiveMessage(m -> {
          probe.ref().tell(m);
          return Behaviors.same();
        }));
    registry.tell(new ConnectionRegistry.Register(userId, ref));
    return new Socket(ref, probe);
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

    deliveries.tell(Topic.publish(new Delivery("alice", "{\"type\":\"command.succeeded\"}")));
    assertEquals(new SocketSession.Push("{\"type\":\"command.succeeded\"}"), alice1.probe().receiveMessage());
    assertEquals(new SocketSession.Push("{\"type\":\"command.succeeded\"}"), alice2.probe().receiveMessage());

    deliveries.tell(Topic.publish(new Delivery("bob", "{\"type\":\"for-bob\"}")));
    assertEquals(new SocketSession.Push("{\"type\":\"for-bob\"}"), bob.probe().receiveMessage());
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
    deliveries.tell(Topic.publish(new Delivery("alice", "{}")));
    alice2.probe().expectMessage(new SocketSession.Push("{}"));

    testKit.stop(alice2.ref());
    waiter.awaitAssert(() -> {
      assertEquals(new ConnectionRegistry.Connections(0, 0), connections());
      return null;
    });
  }

  @Test
  void topicMessagesGoToSubscribersOnly() {
    Socket watcher = socket("carol");
    Socket other = socket("dave");
    awaitSubscribed();
    registry.tell(new ConnectionRegistry.Subscribe(watcher.ref(), ConnectionRegistry.TODOS));
    SocketSession.Push subscribed = (SocketSession.Push) watcher.probe().receiveMessage();
    assertTrue(subscribed.json().contains("\"subscribed\"") && subscribed.json().contains("\"todos\""));

    Todo todo = new Todo("t1", "Buy milk", true, 2, "dave", Instant.now());
    events.tell(Topic.publish(new TodoEvent.Changed("t1", "c1", "dave", TodoCommand.Type.UPDATE, todo, Instant.now())));
    SocketSession.Push changed = (SocketSession.Push) watcher.probe().receiveMessage();
    assertTrue(changed.json().contains("\"todo.changed\""), changed.json());
    assertTrue(changed.json().contains("\"changedBy\":\"dave\""), changed.json());

    registry.tell(new ConnectionRegistry.Unsubscribe(watcher.ref(), ConnectionRegistry.TODOS));
    assertTrue(((SocketSession.Push) watcher.probe().receiveMessage()).json().contains("\"unsubscribed\""));
    events.tell(Topic.publish(new TodoEvent.Pending("t1", "c2", "dave", Instant.now())));
    registry.tell(new ConnectionRegistry.Subscribe(watcher.ref(), ConnectionRegistry.STATS));
    // the next thing the watcher gets is its `subscribed` to stats: the pending event was not sent
    assertTrue(((SocketSession.Push) watcher.probe().receiveMessage()).json().contains("\"stats\""));
    other.probe().expectNoMessage(Duration.ofMillis(50));
  }
}
