package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class UserLedgerTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local"));
  static final ObjectMapper mapper = new ObjectMapper();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  final TestProbe<Object> outlet = testKit.createTestProbe();
  final ActorRef<UserLedger.Command> ledger = spawnLedger(3);

  ActorRef<UserLedger.Command> spawnLedger(int maxRemembered) {
    return testKit.spawn(
        UserLedger.create(
            "alice",
            maxRemembered,
            new Settings.History(3, Duration.ofMinutes(5)),
            new UserLedger.Outlet() {
              @Override
              public void enqueue(TodoCommand command) {
                outlet.ref().tell(command);
              }

              @Override
              public void event(TodoEvent event) {
                outlet.ref().tell(event);
              }

              @Override
              public void deliver(Delivery delivery) {
                outlet.ref().tell(delivery);
              }
            },
            new Wire(Json.mapper(testKit.system()))));
  }

  static TodoCommand create(String text) {
    return new TodoCommand(
        UUID.randomUUID().toString(), TodoCommand.Type.CREATE, UUID.randomUUID().toString(), "alice",
        text, null, null, 0, false, Instant.now());
  }

  StatusReply<UserLedger.Receipt> accept(TodoCommand command, String key, String fingerprint) {
    TestProbe<StatusReply<UserLedger.Receipt>> reply = testKit.createTestProbe();
    ledger.tell(new UserLedger.Accept(command, key, fingerprint, reply.ref()));
    return reply.receiveMessage();
  }

  @Test
  void acceptingAnnouncesThePendingChangeThenEnqueuesTheCommand() {
    TodoCommand command = create("Buy milk");
    UserLedger.Receipt receipt = accept(command, null, "f").getValue();
    assertEquals(command.commandId(), receipt.commandId());
    assertEquals(command.entityId(), receipt.entityId());
    assertEquals("accepted", receipt.status());
    TodoEvent.Pending pending = outlet.expectMessageClass(TodoEvent.Pending.class);
    assertEquals("alice", pending.by());
    assertEquals(command, outlet.expectMessageClass(TodoCommand.class));
  }

  @Test
  void aRetryWithTheSameKeyGetsTheFirstReceiptAndIsNeverEnqueuedTwice() {
    TodoCommand first = create("Buy milk");
    TodoCommand retry = create("Buy milk");
    UserLedger.Receipt a = accept(first, "key-1", "same body").getValue();
    outlet.expectMessageClass(TodoEvent.Pending.class);
    outlet.expectMessageClass(TodoCommand.class);
    UserLedger.Receipt b = accept(retry, "key-1", "same body").getValue();
    assertEquals(a, b);
    // the ledger calls its outlet before it replies: nothing more was sent for the retry
    outlet.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void theSameKeyWithAnotherRequestIsRefused() {
    accept(create("Buy milk"), "key-2", "body A");
    StatusReply<UserLedger.Receipt> reply = accept(create("Buy bread"), "key-2", "body B");
    assertTrue(reply.isError());
    assertEquals(UserLedger.KEY_REUSED, reply.getError().getMessage());
  }

  @Test
  void statusGoesFromAcceptedToSucceededAndTheOutcomeIsDeliveredToTheUser() throws Exception {
    TodoCommand command = create("Buy milk");
    accept(command, null, "f");
    assertEquals("accepted", status(command.commandId()).getValue().status());

    Todo todo = new Todo(command.entityId(), "Buy milk", false, 1, "alice", Instant.parse("2026-11-26T14:00:00Z"));
    Instant done = Instant.parse("2026-11-26T14:00:01.5Z");
    ledger.tell(new UserLedger.Completed(new CommandOutcome(command.commandId(), command.entityId(), "alice", TodoCommand.Type.CREATE, true, todo, null, done)));

    Delivery delivery = fishDelivery();
    assertEquals("alice", delivery.userId());
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
    ledger.tell(new UserLedger.Completed(new CommandOutcome(command.commandId(), command.entityId(), "alice", TodoCommand.Type.CREATE, false, null,
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

    for (int i = 1; i <= 4; i++) ledger.tell(new UserLedger.Notify("{\"type\":\"n\",\"i\":" + i + "}"));
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

  private UserLedger.SyncResult sync(String epoch, Long lastSeq) {
    TestProbe<UserLedger.SyncResult> reply = testKit.createTestProbe();
    ledger.tell(new UserLedger.Sync(epoch, lastSeq, reply.ref()));
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
