package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class UserLedgerTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(
          PersistenceTestKitPlugin.getInstance().config()
              .withFallback(PersistenceTestKitSnapshotPlugin.config())
              .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
              .withFallback(ConfigFactory.load()));
  static final SnapshotTestKit snapshots = SnapshotTestKit.create(testKit.system());
  static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  static final ObjectMapper mapper = new ObjectMapper();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** What the ledger asked its processor to queue, with where to acknowledge it. */
  record Enqueue(TodoCommand command, ActorRef<CommandProcessor.EnqueueReply> replyTo) {
    void ack() {
      replyTo.tell(new CommandProcessor.Enqueued(command.commandId()));
    }
  }

  final TestProbe<Object> outlet = testKit.createTestProbe();
  /** Hears that an ingested event (Notify) was stored. */
  final TestProbe<Done> stored = testKit.createTestProbe();
  final String user = "alice-" + UUID.randomUUID();
  ActorRef<UserLedger.Command> ledger = spawnLedger();

  /** A new incarnation of this test's user's ledger: it recovers from the journal. */
  ActorRef<UserLedger.Command> spawnLedger() {
    return testKit.spawn(
        UserLedger.create(
            user,
            3,
            new Settings.History(3, Duration.ofMinutes(5)),
            new UserLedger.Outlet() {
              @Override
              public void enqueue(TodoCommand command, ActorRef<CommandProcessor.EnqueueReply> replyTo) {
                outlet.ref().tell(new Enqueue(command, replyTo));
              }

              @Override
              public void deliver(Delivery delivery) {
                outlet.ref().tell(delivery);
              }

              @Override
              public void wake(String userId) {
                outlet.ref().tell("wake " + userId);
              }
            },
            new Wire(Json.mapper(testKit.system())),
            java.time.Clock.systemUTC()));
  }

  void restart() {
    testKit.stop(ledger);
    ledger = spawnLedger();
  }

  static TodoCommand create(String text) {
    return new TodoCommand(
        UUID.randomUUID().toString(), TodoCommand.Type.CREATE, UUID.randomUUID().toString(), "alice",
        text, null, null, 0, false, Instant.now());
  }

  /** Accepts a new command: the ledger stores it, asks the processor to queue it, and answers once it has. */
  StatusReply<UserLedger.Receipt> accept(TodoCommand command, String key, String fingerprint) {
    TestProbe<StatusReply<UserLedger.Receipt>> reply = testKit.createTestProbe();
    ledger.tell(new UserLedger.Accept(command, key, fingerprint, reply.ref()));
    Enqueue enqueue = outlet.expectMessageClass(Enqueue.class);
    assertEquals(command, enqueue.command());
    reply.expectNoMessage(Duration.ofMillis(20));
    enqueue.ack();
    return reply.receiveMessage();
  }

  /** Sends an Accept that the ledger answers at once (a known key). */
  StatusReply<UserLedger.Receipt> acceptKnown(TodoCommand command, String key, String fingerprint) {
    TestProbe<StatusReply<UserLedger.Receipt>> reply = testKit.createTestProbe();
    ledger.tell(new UserLedger.Accept(command, key, fingerprint, reply.ref()));
    return reply.receiveMessage();
  }

  @Test
  void theReceiptComesOnlyOnceTheProcessorHasTheCommandQueued() {
    TodoCommand command = create("Buy milk");
    UserLedger.Receipt receipt = accept(command, null, "f").getValue();
    assertEquals(command.commandId(), receipt.commandId());
    assertEquals(command.entityId(), receipt.entityId());
    assertEquals("accepted", receipt.status());
  }

  @Test
  void aCommandItsProcessorRefusesIsForgottenWithItsKeyAndNeverEnqueuedAgain() {
    TodoCommand command = create("one too many");
    TestProbe<StatusReply<UserLedger.Receipt>> reply = testKit.createTestProbe();
    ledger.tell(new UserLedger.Accept(command, "k-full", "f", reply.ref()));
    Enqueue enqueue = outlet.expectMessageClass(Enqueue.class);
    enqueue.replyTo().tell(new CommandProcessor.QueueFull(command.commandId()));
    StatusReply<UserLedger.Receipt> refused = reply.receiveMessage();
    assertTrue(refused.isError());
    assertEquals(UserLedger.QUEUE_FULL, refused.getError().getMessage());

    restart();
    TestProbe<StatusReply<UserLedger.CommandStatus>> status = testKit.createTestProbe();
    ledger.tell(new UserLedger.GetStatus(command.commandId(), status.ref()));
    assertTrue(status.receiveMessage().isError(), "no status: nothing was accepted");
    // the recovered ledger offers its open commands to their processors before it answers anything
    outlet.expectNoMessage(Duration.ZERO);

    TodoCommand retry = create("one too many");
    UserLedger.Receipt receipt = accept(retry, "k-full", "f").getValue();
    assertEquals(retry.commandId(), receipt.commandId(), "the key is free again: the retry is a new command");
  }

  @Test
  void aTodoLimitRefusesNewCommandsWhileARetryOfAnAcceptedOneStillGetsItsReceipt() {
    UserLedger.Receipt first = accept(create("first"), "k1", "f1").getValue();
    TestProbe<StatusReply<UserLedger.Receipt>> reply = testKit.createTestProbe();
    ledger.tell(new UserLedger.Accept(create("first"), "k1", "f1", "too-many-todos", reply.ref()));
    assertEquals(first, reply.receiveMessage().getValue());
    ledger.tell(new UserLedger.Accept(create("second"), "k2", "f2", "too-many-todos", reply.ref()));
    assertEquals("too-many-todos", reply.receiveMessage().getError().getMessage());
    outlet.expectNoMessage(Duration.ZERO);
  }

  @Test
  void anEnqueueThatIsNotAcknowledgedIsSentAgain() {
    TodoCommand command = create("Buy milk");
    TestProbe<StatusReply<UserLedger.Receipt>> reply = testKit.createTestProbe();
    ledger.tell(new UserLedger.Accept(command, null, "f", reply.ref()));
    outlet.expectMessageClass(Enqueue.class);
    Enqueue again = outlet.expectMessageClass(Enqueue.class, Duration.ofSeconds(5));
    assertEquals(command, again.command());
    again.ack();
    assertEquals(command.commandId(), reply.receiveMessage().getValue().commandId());
  }

  @Test
  void aRetryWithTheSameKeyGetsTheFirstReceiptAndIsNeverEnqueuedTwice() {
    TodoCommand first = create("Buy milk");
    TodoCommand retry = create("Buy milk");
    UserLedger.Receipt a = accept(first, "key-1", "same body").getValue();
    UserLedger.Receipt b = acceptKnown(retry, "key-1", "same body").getValue();
    assertEquals(a, b);
    // the ledger calls its outlet before it replies: nothing more was sent for the retry
    outlet.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void theSameKeyWithAnotherRequestIsRefused() {
    accept(create("Buy milk"), "key-2", "body A");
    StatusReply<UserLedger.Receipt> reply = acceptKnown(create("Buy bread"), "key-2", "body B");
    assertTrue(reply.isError());
    assertEquals(UserLedger.KEY_REUSED, reply.getError().getMessage());
  }

  @Test
  void statusGoesFromAcceptedToSucceededAndTheOutcomeIsDeliveredToTheUser() throws Exception {
    TodoCommand command = create("Buy milk");
    accept(command, null, "f");
    assertEquals("accepted", status(command.commandId()).getValue().status());

    Todo todo = new Todo(command.entityId(), "Buy milk", false, 1, user, Instant.parse("2026-11-26T14:00:00Z"));
    Instant done = Instant.parse("2026-11-26T14:00:01.5Z");
    ledger.tell(new UserLedger.Completed(new CommandOutcome(command.commandId(), command.entityId(), user, TodoCommand.Type.CREATE, true, todo, null, done)));

    Delivery delivery = fishDelivery();
    assertEquals(user, delivery.userId());
    JsonNode json = mapper.readTree(delivery.json());
    assertEquals("command.succeeded", json.get("type").asText());
    assertEquals(command.commandId(), json.get("commandId").asText());
    assertEquals("success", json.get("status").asText());
    assertEquals("Buy milk", json.get("data").get("text").asText());
    assertEquals("2026-11-26T14:00:00.000Z", json.get("data").get("updatedAt").asText());
    assertEquals("2026-11-26T14:00:01.500Z", json.get("timestamp").asText());

    UserLedger.CommandStatus status = status(command.commandId()).getValue();
    assertEquals("succeeded", status.status());
    assertEquals(done, status.completedAt());
  }

  @Test
  void aFailureOutcomeCarriesItsReason() throws Exception {
    TodoCommand command = create("Buy milk");
    accept(command, null, "f");
    ledger.tell(new UserLedger.Completed(new CommandOutcome(command.commandId(), command.entityId(), user, TodoCommand.Type.CREATE, false, null,
        new CommandOutcome.ErrorInfo("processing-failed", "Processing failed (simulated)"), Instant.now())));
    JsonNode json = mapper.readTree(fishDelivery().json());
    assertEquals("command.failed", json.get("type").asText());
    assertEquals("failure", json.get("status").asText());
    assertEquals("processing-failed", json.get("error").get("code").asText());
    assertTrue(json.get("data").isNull());
    UserLedger.CommandStatus status = status(command.commandId()).getValue();
    assertEquals("failed", status.status());
    assertEquals("processing-failed", status.error().code());
  }

  @Test
  void unknownCommandsAreNotFoundAndOnlyTheNewestStatusesAreKept() {
    assertTrue(status("nope").isError());
    TodoCommand oldest = create("1");
    accept(oldest, "k1", "1");
    for (int i = 2; i <= 4; i++) accept(create(String.valueOf(i)), "k" + i, String.valueOf(i));
    assertTrue(status(oldest.commandId()).isError(), "the oldest of 4 statuses is forgotten when 3 are kept");
  }

  @Test
  void personalMessagesAreNumberedAndAReconnectResumesFromTheHistory() throws Exception {
    UserLedger.SyncResult fresh = sync(null, null);
    assertEquals(UserLedger.SyncMode.FRESH, fresh.mode());
    assertEquals(0, fresh.seq());
    String epoch = fresh.epoch();

    for (int i = 1; i <= 4; i++) ledger.tell(new UserLedger.Notify("{\"type\":\"n\",\"i\":" + i + "}", stored.ref()));
    for (int i = 1; i <= 4; i++) {
      Delivery d = fishDelivery();
      assertEquals(i, d.seq());
      assertEquals(epoch, d.epoch());
      JsonNode json = mapper.readTree(d.json());
      assertEquals(i, json.get("seq").asInt());
      assertEquals(epoch, json.get("epoch").asText());
      assertEquals(i, json.get("i").asInt());
    }
    TodoCommand command = create("x");
    assertEquals(4, accept(command, null, "f").getValue().userSeq(), "the 202 tells the last seq issued");

    UserLedger.SyncResult resumed = sync(epoch, 2L);
    assertEquals(UserLedger.SyncMode.RESUMED, resumed.mode());
    assertEquals(java.util.List.of(3L, 4L), resumed.replay().stream().map(Delivery::seq).toList());
    assertEquals(UserLedger.SyncMode.RESUMED, sync(epoch, 1L).mode(), "history keeps 3: seq 2, 3, 4");
    assertEquals(UserLedger.SyncMode.RESYNC, sync(epoch, 0L).mode(), "seq 1 is gone");
    assertEquals(UserLedger.SyncMode.RESYNC, sync(epoch, 9L).mode(), "ahead of the server");
    assertEquals(UserLedger.SyncMode.RESYNC, sync("another-epoch", 3L).mode());
    assertEquals(0, sync(epoch, 4L).replay().size(), "up to date");
  }

  @Test
  void anIngestedEventIsAnsweredOnlyOnceStored() {
    sync(null, null);
    TestProbe<Done> lost = testKit.createTestProbe();
    journal.failNextPersisted(); // the database refuses the first write: the ledger restarts
    ledger.tell(new UserLedger.Notify("{\"type\":\"n\",\"i\":1}", lost.ref()));
    ledger.tell(new UserLedger.Notify("{\"type\":\"n\",\"i\":2}", stored.ref()));
    stored.expectMessage(Done.getInstance());
    Delivery delivery = fishDelivery();
    assertTrue(delivery.json().contains("\"i\":2"), "the stored one is the second: " + delivery.json());
    // told before the second's answer if at all (one actor told both in turn): the refused one got none
    lost.expectNoMessage(Duration.ZERO);
  }

  @Test
  void epochNumberingHistoryAndKeysSurviveARestart() {
    String epoch = sync(null, null).epoch();
    TodoCommand command = create("Buy milk");
    UserLedger.Receipt receipt = accept(command, "key-r", "body").getValue();
    ledger.tell(new UserLedger.Notify("{\"type\":\"n\"}", stored.ref()));
    assertEquals(1, fishDelivery().seq());

    restart();
    // the open command is offered to its processor again: nothing accepted is left behind
    Enqueue again = outlet.expectMessageClass(Enqueue.class);
    assertEquals(command, again.command());
    again.ack();
    assertEquals(receipt, acceptKnown(create("Buy milk"), "key-r", "body").getValue(), "the key is still known");
    UserLedger.SyncResult resumed = sync(epoch, 0L);
    assertEquals(UserLedger.SyncMode.RESUMED, resumed.mode(), "the epoch survived");
    assertEquals(java.util.List.of(1L), resumed.replay().stream().map(Delivery::seq).toList());

    ledger.tell(new UserLedger.Completed(new CommandOutcome(command.commandId(), command.entityId(), "alice", TodoCommand.Type.CREATE, true, null, null, Instant.now())));
    Delivery outcome = fishDelivery();
    assertEquals(2, outcome.seq(), "numbering goes on without a gap");
    assertEquals(epoch, outcome.epoch());
    assertEquals("succeeded", status(command.commandId()).getValue().status());
  }

  @Test
  void aRetryWithAKnownKeyWhoseCommandIsNotQueuedYetWaitsForTheProcessor() {
    TodoCommand command = create("Buy milk");
    TestProbe<StatusReply<UserLedger.Receipt>> first = testKit.createTestProbe();
    ledger.tell(new UserLedger.Accept(command, "key-w", "body", first.ref()));
    Enqueue enqueue = outlet.expectMessageClass(Enqueue.class);
    // the first request timed out (no 202); the client retries with its key after a restart
    restart();
    Enqueue recovered = outlet.expectMessageClass(Enqueue.class);
    TestProbe<StatusReply<UserLedger.Receipt>> retry = testKit.createTestProbe();
    ledger.tell(new UserLedger.Accept(create("Buy milk"), "key-w", "body", retry.ref()));
    retry.expectNoMessage(Duration.ofMillis(50));
    recovered.ack();
    assertEquals(command.commandId(), retry.receiveMessage().getValue().commandId(), "the same command, not a second one");
    assertEquals(command, enqueue.command());
  }

  @Test
  void anOutcomeThatComesTwiceIsDeliveredOnce() {
    TodoCommand command = create("Buy milk");
    accept(command, null, "f");
    CommandOutcome outcome = new CommandOutcome(command.commandId(), command.entityId(), "alice", TodoCommand.Type.CREATE, true, null, null, Instant.now());
    ledger.tell(new UserLedger.Completed(outcome));
    ledger.tell(new UserLedger.Completed(outcome));
    assertEquals(1, fishDelivery().seq());
    ledger.tell(new UserLedger.Notify("{\"type\":\"n\"}", stored.ref()));
    assertEquals(2, fishDelivery().seq(), "the repeat was not numbered");
  }

  @Test
  void aLongHistoryIsRecoveredFromASnapshot() {
    String epoch = sync(null, null).epoch();
    for (int i = 1; i <= 1005; i++) ledger.tell(new UserLedger.Notify("{\"type\":\"n\",\"i\":" + i + "}", stored.ref()));
    for (int i = 1; i <= 1005; i++) fishDelivery();
    snapshots.expectNextPersistedClass(UserLedger.persistenceId(user).id(), UserLedger.Snapshot.class);
    restart();
    UserLedger.SyncResult resumed = sync(epoch, 1003L);
    assertEquals(UserLedger.SyncMode.RESUMED, resumed.mode());
    assertEquals(java.util.List.of(1004L, 1005L), resumed.replay().stream().map(Delivery::seq).toList());
  }

  @Test
  void aRegistryThatAsksForAPositionGetsTheUsersMessagesDirectlyUntilPubSubReachesIt() {
    TestProbe<ConnectionRegistry.Command> registry = testKit.createTestProbe();
    TestProbe<UserLedger.SyncResult> reply = testKit.createTestProbe();
    ledger.tell(new UserLedger.Sync(null, null, reply.ref(), registry.ref()));
    reply.receiveMessage();
    ledger.tell(new UserLedger.Notify("{\"type\":\"n\",\"i\":1}", stored.ref()));
    Delivery published = fishDelivery();
    assertEquals(published, registry.expectMessageClass(ConnectionRegistry.Direct.class).delivery());
    ledger.tell(new UserLedger.PubSubReached(registry.ref()));
    ledger.tell(new UserLedger.Notify("{\"type\":\"n\",\"i\":2}", stored.ref()));
    assertEquals(2, fishDelivery().seq());
    registry.expectNoMessage(Duration.ofMillis(100));
  }

  private UserLedger.SyncResult sync(String epoch, Long lastSeq) {
    TestProbe<UserLedger.SyncResult> reply = testKit.createTestProbe();
    ledger.tell(new UserLedger.Sync(epoch, lastSeq, reply.ref(), null));
    return reply.receiveMessage();
  }

  private StatusReply<UserLedger.CommandStatus> status(String commandId) {
    TestProbe<StatusReply<UserLedger.CommandStatus>> reply = testKit.createTestProbe();
    ledger.tell(new UserLedger.GetStatus(commandId, reply.ref()));
    return reply.receiveMessage();
  }

  private Delivery fishDelivery() {
    return (Delivery)
        outlet
            .fishForMessage(
                Duration.ofSeconds(3),
                m -> m instanceof Delivery
                    ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                    : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore())
            .get(0);
  }
}
