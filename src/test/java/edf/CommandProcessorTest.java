package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class CommandProcessorTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(
          ManualTime.config()
              .withFallback(PersistenceTestKitPlugin.getInstance().config())
              .withFallback(PersistenceTestKitSnapshotPlugin.config())
              .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
              .withFallback(ConfigFactory.load()));
  static final ManualTime manualTime = ManualTime.get(testKit.system());
  static final SnapshotTestKit snapshots = SnapshotTestKit.create(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  final TestProbe<CommandOutcome> outcomes = testKit.createTestProbe();
  final TestProbe<TodoEvent> events = testKit.createTestProbe();
  final TestProbe<CommandProcessor.EnqueueReply> acks = testKit.createTestProbe();
  final TestProbe<String> woken = testKit.createTestProbe();
  final String id = UUID.randomUUID().toString();
  final ActorRef<CommandProcessor.Command> processor = processor(id, null);

  TodoCommand command(TodoCommand.Type type, String text, Boolean completed, Long expected, long delayMs, boolean fail) {
    return new TodoCommand(
        UUID.randomUUID().toString(), type, id, "alice", text, completed, expected, delayMs, fail, Instant.now());
  }

  TodoCommand send(TodoCommand command) {
    enqueue(processor, command);
    return command;
  }

  @Test
  void commandsOnOneTodoRunInArrivalOrderEvenWhenALaterOneHasAShorterDelay() {
    TodoCommand create = send(command(TodoCommand.Type.CREATE, "Buy milk", null, null, 300, false));
    TodoCommand rename = send(command(TodoCommand.Type.UPDATE, "Buy oat milk", null, null, 0, false));
    TodoCommand done = send(command(TodoCommand.Type.UPDATE, null, true, 2L, 100, false));
    assertEquals(3, queued());

    manualTime.timePasses(Duration.ofMillis(299));
    outcomes.expectNoMessage(Duration.ZERO);
    manualTime.timePasses(Duration.ofMillis(1));

    CommandOutcome first = outcomes.receiveMessage();
    assertEquals(create.commandId(), first.commandId());
    assertEquals(1, first.data().version());
    CommandOutcome second = outcomes.receiveMessage();
    assertEquals(rename.commandId(), second.commandId());
    assertEquals("Buy oat milk", second.data().text());
    assertEquals(2, second.data().version());

    assertEquals(1, queued());
    outcomes.expectNoMessage(Duration.ZERO);
    manualTime.timePasses(Duration.ofMillis(100));
    CommandOutcome third = outcomes.receiveMessage();
    assertEquals(done.commandId(), third.commandId());
    assertTrue(third.success());
    assertTrue(third.data().completed());
    assertEquals("Buy oat milk", third.data().text());
    assertEquals(3, third.data().version());
  }

  @Test
  void everyStoredCommandAndOutcomeIsAlsoPublishedAsAnEventForTheReadSide() {
    TodoCommand create = send(command(TodoCommand.Type.CREATE, "Walk the dog", null, null, 0, false));
    TodoEvent.Pending pending = (TodoEvent.Pending) events.receiveMessage();
    assertEquals(create.commandId(), pending.commandId());
    assertEquals(1, pending.seqNr());
    TodoEvent.Changed changed = (TodoEvent.Changed) events.receiveMessage();
    assertEquals(2, changed.seqNr(), "numbered like the stored events");
    assertEquals(create.commandId(), changed.commandId());
    assertEquals("alice", changed.changedBy());
    assertEquals(TodoCommand.Type.CREATE, changed.action());
    assertEquals("Walk the dog", changed.data().text());
  }

  @Test
  void aSimulatedProcessingFailureIsAFailureOutcomeAndChangesNothing() {
    send(command(TodoCommand.Type.CREATE, "Call mum", null, null, 0, false));
    outcomes.receiveMessage();
    TodoCommand failing = send(command(TodoCommand.Type.UPDATE, "Call dad", null, null, 0, true));
    CommandOutcome failed = outcomes.receiveMessage();
    assertEquals(failing.commandId(), failed.commandId());
    assertFalse(failed.success());
    assertEquals("processing-failed", failed.error().code());
    events.receiveMessage();
    events.receiveMessage();
    events.receiveMessage();
    TodoEvent.Failed event = (TodoEvent.Failed) events.receiveMessage();
    assertEquals(failing.commandId(), event.commandId());

    send(command(TodoCommand.Type.UPDATE, null, true, null, 0, false));
    CommandOutcome after = outcomes.receiveMessage();
    assertEquals("Call mum", after.data().text());
    assertEquals(2, after.data().version());
  }

  @Test
  void aStaleExpectedVersionFailsWithConflictAndCarriesTheCurrentTodo() {
    send(command(TodoCommand.Type.CREATE, "Pay rent", null, null, 0, false));
    send(command(TodoCommand.Type.UPDATE, "Pay the rent", null, 1L, 0, false));
    outcomes.receiveMessage();
    outcomes.receiveMessage();
    TodoCommand stale = send(command(TodoCommand.Type.UPDATE, "Pay rent today", null, 1L, 0, false));
    CommandOutcome conflict = outcomes.receiveMessage();
    assertEquals(stale.commandId(), conflict.commandId());
    assertEquals("conflict", conflict.error().code());
    assertEquals("Pay the rent", conflict.data().text());
    assertEquals(2, conflict.data().version());

    TodoCommand staleDelete = send(command(TodoCommand.Type.DELETE, null, null, 1L, 0, false));
    assertEquals("conflict", outcomes.receiveMessage().error().code());
    TodoCommand delete = send(command(TodoCommand.Type.DELETE, null, null, 2L, 0, false));
    CommandOutcome deleted = outcomes.receiveMessage();
    assertEquals(delete.commandId(), deleted.commandId());
    assertTrue(deleted.success());
    assertNull(deleted.data());
    assertFalse(staleDelete.commandId().equals(delete.commandId()));
  }

  @Test
  void commandsOnATodoThatDoesNotExistFailWithNotFound() {
    assertEquals("not-found", outcomeOf(command(TodoCommand.Type.UPDATE, "x", null, null, 0, false)).error().code());
    assertEquals("not-found", outcomeOf(command(TodoCommand.Type.DELETE, null, null, null, 0, false)).error().code());
    assertTrue(outcomeOf(command(TodoCommand.Type.CREATE, "x", null, null, 0, false)).success());
    CommandOutcome again = outcomeOf(command(TodoCommand.Type.CREATE, "y", null, null, 0, false));
    assertEquals("already-exists", again.error().code());
    assertEquals("x", again.data().text());
    assertTrue(outcomeOf(command(TodoCommand.Type.DELETE, null, null, null, 0, false)).success());
    assertEquals("not-found", outcomeOf(command(TodoCommand.Type.UPDATE, null, true, null, 0, false)).error().code());
  }

  /** Also a barrier: once answered, every command sent before is in the queue and its timer set. */
  private int queued() {
    TestProbe<Integer> probe = testKit.createTestProbe();
    processor.tell(new CommandProcessor.GetQueued(probe.ref()));
    return probe.receiveMessage();
  }

  private CommandOutcome outcomeOf(TodoCommand command) {
    send(command);
    CommandOutcome outcome = outcomes.receiveMessage();
    assertEquals(command.commandId(), outcome.commandId());
    return outcome;
  }

  /** A processor (a new incarnation of `entityId`, recovered from the journal) with probes around it. */
  ActorRef<CommandProcessor.Command> processor(String entityId, TestProbe<ClusterSharding.ShardCommand> shard) {
    return testKit.spawn(CommandProcessor.create(entityId, 100, outlet(), Clock.systemUTC(), shard == null ? null : shard.ref()));
  }

  CommandProcessor.Outlet outlet() {
    return new CommandProcessor.Outlet() {
      @Override
      public void outcome(CommandOutcome outcome) {
        outcomes.ref().tell(outcome);
      }

      @Override
      public void event(TodoEvent event) {
        events.ref().tell(event);
      }

      @Override
      public void wake(String entityId) {
        woken.ref().tell(entityId);
      }
    };
  }

  TodoCommand on(String entityId, TodoCommand.Type type, String text, long delayMs) {
    return new TodoCommand(UUID.randomUUID().toString(), type, entityId, "alice", text, null, null, delayMs, false, Instant.now());
  }

  void enqueue(ActorRef<CommandProcessor.Command> p, TodoCommand command) {
    p.tell(new CommandProcessor.Enqueue(command, acks.ref()));
    assertEquals(command.commandId(), acks.receiveMessage().commandId(), "acknowledged once stored");
  }

  @Test
  void aCommandBeyondTheQueueLimitIsRefusedForGoodAndNeverQueuedNorProcessed() {
    String other = UUID.randomUUID().toString();
    ActorRef<CommandProcessor.Command> p = testKit.spawn(CommandProcessor.create(other, 2, outlet(), Clock.systemUTC(), null));
    TodoCommand create = on(other, TodoCommand.Type.CREATE, "first", 1000);
    enqueue(p, create);
    enqueue(p, on(other, TodoCommand.Type.UPDATE, "second", 1000));
    TodoCommand third = on(other, TodoCommand.Type.UPDATE, "refused", 0);
    p.tell(new CommandProcessor.Enqueue(third, acks.ref()));
    assertEquals(new CommandProcessor.QueueFull(third.commandId()), acks.receiveMessage(), "two wait already");

    manualTime.timePasses(Duration.ofMillis(1000));
    assertEquals(create.commandId(), outcomes.receiveMessage().commandId());
    p.tell(new CommandProcessor.Enqueue(third, acks.ref()));
    assertEquals(new CommandProcessor.QueueFull(third.commandId()), acks.receiveMessage(),
        "a repeat of a refused Enqueue is refused again, although there is room now");

    testKit.stop(p);
    ActorRef<CommandProcessor.Command> again = testKit.spawn(CommandProcessor.create(other, 2, outlet(), Clock.systemUTC(), null));
    again.tell(new CommandProcessor.Enqueue(third, acks.ref()));
    assertEquals(new CommandProcessor.QueueFull(third.commandId()), acks.receiveMessage(), "the refusal is stored");
    TodoCommand fourth = on(other, TodoCommand.Type.UPDATE, "fourth", 0);
    enqueue(again, fourth);
    manualTime.timePasses(Duration.ofMillis(1000));
    assertEquals("second", outcomes.receiveMessage().data().text());
    CommandOutcome last = outcomes.receiveMessage();
    assertEquals(fourth.commandId(), last.commandId());
    assertEquals(3, last.data().version(), "the refused command was never applied");
    outcomes.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void aProcessorWithNoTodoAndNothingQueuedAsksToBePassivated() {
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    String other = UUID.randomUUID().toString();
    ActorRef<CommandProcessor.Command> p = processor(other, shard);
    enqueue(p, on(other, TodoCommand.Type.CREATE, "keep me", 0));
    outcomes.receiveMessage();
    shard.expectNoMessage(Duration.ofMillis(100));
    enqueue(p, on(other, TodoCommand.Type.DELETE, null, 0));
    outcomes.receiveMessage();
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }

  @Test
  void aStoppedProcessorWithCommandsQueuedWakesItselfAndItsNextIncarnationGoesOn() {
    String other = UUID.randomUUID().toString();
    ActorRef<CommandProcessor.Command> p = processor(other, null);
    TodoCommand create = on(other, TodoCommand.Type.CREATE, "survive me", 0);
    enqueue(p, create);
    assertEquals(create.commandId(), outcomes.receiveMessage().commandId());
    TodoCommand rename = on(other, TodoCommand.Type.UPDATE, "renamed", 500);
    TodoCommand complete = new TodoCommand(UUID.randomUUID().toString(), TodoCommand.Type.UPDATE, other, "bob", null, true, 2L, 0, false, Instant.now());
    enqueue(p, rename);
    enqueue(p, complete);

    // sharding stops it (passivation or a move to another node) while both wait
    p.tell(CommandProcessor.Stop.INSTANCE);
    assertEquals(other, woken.receiveMessage(), "it asks sharding to start it again");
    outcomes.expectTerminated(p);
    manualTime.timePasses(Duration.ofMillis(500));
    outcomes.expectNoMessage(Duration.ofMillis(50));

    // the next incarnation recovers the todo and the queue from the journal, in order
    ActorRef<CommandProcessor.Command> next = processor(other, null);
    next.tell(CommandProcessor.Wake.INSTANCE);
    manualTime.timePasses(Duration.ofMillis(500));
    CommandOutcome renamed = outcomes.receiveMessage();
    assertEquals(rename.commandId(), renamed.commandId());
    assertEquals("renamed", renamed.data().text());
    assertEquals(2, renamed.data().version(), "the todo's version came back with it");
    CommandOutcome completed = outcomes.receiveMessage();
    assertEquals(complete.commandId(), completed.commandId());
    assertTrue(completed.success(), completed.toString());
    assertEquals(3, completed.data().version());
  }

  @Test
  void anEnqueueRepeatedByTheLedgerIsQueuedOnceAndAProcessedOneGetsItsOutcomeAgain() {
    String other = UUID.randomUUID().toString();
    ActorRef<CommandProcessor.Command> p = processor(other, null);
    TodoCommand create = on(other, TodoCommand.Type.CREATE, "once", 300);
    enqueue(p, create);
    enqueue(p, create);
    TestProbe<Integer> queued = testKit.createTestProbe();
    p.tell(new CommandProcessor.GetQueued(queued.ref()));
    assertEquals(1, queued.receiveMessage());
    manualTime.timePasses(Duration.ofMillis(300));
    CommandOutcome first = outcomes.receiveMessage();
    outcomes.expectNoMessage(Duration.ofMillis(50));

    // after a restart too: the repeat is answered with the stored outcome, not run again
    testKit.stop(p);
    ActorRef<CommandProcessor.Command> next = processor(other, null);
    enqueue(next, create);
    CommandOutcome again = outcomes.receiveMessage();
    assertEquals(first.commandId(), again.commandId());
    assertEquals(first.completedAt(), again.completedAt(), "the stored outcome, not a new one");
    manualTime.timePasses(Duration.ofMillis(300));
    outcomes.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void aLongHistoryIsRecoveredFromASnapshotAndTheEventsAfterIt() {
    String other = UUID.randomUUID().toString();
    ActorRef<CommandProcessor.Command> p = processor(other, null);
    enqueue(p, on(other, TodoCommand.Type.CREATE, "v1", 0));
    outcomes.receiveMessage();
    for (int i = 2; i <= 60; i++) {
      enqueue(p, on(other, TodoCommand.Type.UPDATE, "v" + i, 0));
      outcomes.receiveMessage();
    }
    // 120 events: a snapshot at 100, then 20 events
    snapshots.expectNextPersistedClass(CommandProcessor.persistenceId(other).id(), CommandProcessor.Snapshot.class);
    testKit.stop(p);
    ActorRef<CommandProcessor.Command> next = processor(other, null);
    CommandOutcome after = outcomeOf(next, on(other, TodoCommand.Type.UPDATE, "v61", 0));
    assertEquals(61, after.data().version());
    assertEquals("v61", after.data().text());
  }

  private CommandOutcome outcomeOf(ActorRef<CommandProcessor.Command> p, TodoCommand command) {
    enqueue(p, command);
    CommandOutcome outcome = outcomes.receiveMessage();
    assertEquals(command.commandId(), outcome.commandId());
    return outcome;
  }
}
