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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class CommandProcessorTest {
  static final ActorTestKit testKit =
      ActorTestKit.create(
          ManualTime.config().withFallback(ConfigFactory.parseString("pekko.actor.provider = local")));
  static final ManualTime manualTime = ManualTime.get(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  final TestProbe<CommandOutcome> outcomes = testKit.createTestProbe();
  final TestProbe<TodoEvent> events = testKit.createTestProbe();
  final String id = UUID.randomUUID().toString();
  final ActorRef<CommandProcessor.Command> processor =
      testKit.spawn(
          CommandProcessor.create(
              id,
              new CommandProcessor.Outlet() {
                @Override
                public void outcome(CommandOutcome outcome) {
                  outcomes.ref().tell(outcome);
                }

                @Override
                public void event(TodoEvent event) {
                  events.ref().tell(event);
                }
              },
              Clock.systemUTC(),
              null));

  TodoCommand command(TodoCommand.Type type, String text, Boolean completed, Long expected, long delayMs, boolean fail) {
    return new TodoCommand(
        UUID.randomUUID().toString(), type, id, "alice", text, completed, expected, delayMs, fail, Instant.now());
  }

  TodoCommand send(TodoCommand command) {
    processor.tell(new CommandProcessor.Enqueue(command));
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
  void everyOutcomeIsAlsoPublishedAsAnEventForTheReadSide() {
    TodoCommand create = send(command(TodoCommand.Type.CREATE, "Walk the dog", null, null, 0, false));
    TodoEvent.Changed changed = (TodoEvent.Changed) events.receiveMessage();
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

  /** A processor whose outcomes go to {@link #outcomes}, with a probe as its shard. */
  ActorRef<CommandProcessor.Command> processorWithShard(String entityId, TestProbe<ClusterSharding.ShardCommand> shard) {
    return testKit.spawn(CommandProcessor.create(entityId, new CommandProcessor.Outlet() {
      @Override
      public void outcome(CommandOutcome outcome) {
        outcomes.ref().tell(outcome);
      }

      @Override
      public void event(TodoEvent event) {}
    }, Clock.systemUTC(), shard.ref()));
  }

  @Test
  void aProcessorWithNoTodoAndNothingQueuedAsksToBePassivated() {
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    String other = UUID.randomUUID().toString();
    ActorRef<CommandProcessor.Command> p = processorWithShard(other, shard);
    p.tell(new CommandProcessor.Enqueue(new TodoCommand(UUID.randomUUID().toString(), TodoCommand.Type.CREATE, other, "alice", "keep me", null, null, 0, false, Instant.now())));
    outcomes.receiveMessage();
    shard.expectNoMessage(Duration.ofMillis(100));
    p.tell(new CommandProcessor.Enqueue(new TodoCommand(UUID.randomUUID().toString(), TodoCommand.Type.DELETE, other, "alice", null, null, null, 0, false, Instant.now())));
    outcomes.receiveMessage();
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }

  @Test
  void commandsQueuedWhenShardingStopsTheProcessorAreStillProcessedBeforeItStops() {
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    String other = UUID.randomUUID().toString();
    ActorRef<CommandProcessor.Command> p = processorWithShard(other, shard);
    p.tell(new CommandProcessor.Enqueue(new TodoCommand(UUID.randomUUID().toString(), TodoCommand.Type.DELETE, other, "alice", null, null, null, 0, false, Instant.now())));
    assertEquals("not-found", outcomes.receiveMessage().error().code());
    shard.expectMessageClass(ClusterSharding.Passivate.class);

    // until sharding's stop message comes, commands that reached the mailbox are processed, but a
    // todo created now would be lost with this incarnation
    TodoCommand early = new TodoCommand(UUID.randomUUID().toString(), TodoCommand.Type.CREATE, other, "alice", "early", null, null, 0, false, Instant.now());
    p.tell(new CommandProcessor.Enqueue(early));
    CommandOutcome refused = outcomes.receiveMessage();
    assertEquals(early.commandId(), refused.commandId());
    assertEquals("unloading", refused.error().code());
    shard.expectNoMessage(Duration.ofMillis(50));

    // these reached the mailbox before the shard started buffering; then comes sharding's stop message
    TodoCommand update = new TodoCommand(UUID.randomUUID().toString(), TodoCommand.Type.UPDATE, other, "alice", "late", null, null, 500, false, Instant.now());
    TodoCommand create = new TodoCommand(UUID.randomUUID().toString(), TodoCommand.Type.CREATE, other, "alice", "too late", null, null, 0, false, Instant.now());
    p.tell(new CommandProcessor.Enqueue(update));
    p.tell(new CommandProcessor.Enqueue(create));
    p.tell(CommandProcessor.Stop.INSTANCE);

    manualTime.expectNoMessageFor(Duration.ofMillis(400), outcomes);
    manualTime.timePasses(Duration.ofMillis(100));
    CommandOutcome updated = outcomes.receiveMessage();
    assertEquals(update.commandId(), updated.commandId());
    assertEquals("not-found", updated.error().code());
    CommandOutcome created = outcomes.receiveMessage();
    assertEquals(create.commandId(), created.commandId());
    assertEquals("unloading", created.error().code());
    outcomes.expectTerminated(p);
    shard.expectNoMessage(Duration.ofMillis(50));
  }
}
