package edf;

import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One recovery from the journal before the node takes connections, so that the storage plugin's
 * first start and first queries (snapshot, highest sequence number, events) happen on an idle
 * node. Without it they happened under the first crowd of sockets: on a fresh server, the
 * ledgers of the first users of a 2,000-socket ramp answered their positions only after
 * `edf.delivery.resume-timeout`, and their sockets were closed with 1011 (docs/benchmarks.md,
 * section 5). The persistence id is never written to: recovering it stores nothing.
 */
final class StorageWarmUp extends EventSourcedBehavior<StorageWarmUp.Command, StorageWarmUp.Command, Boolean> {

  /** Nothing is ever sent to it or stored by it. */
  interface Command {}

  static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("edf-storage-warm-up");

  /** Tells `recovered` how long the journal took to answer; whoever started it stops it then. */
  static Behavior<Command> create(ActorRef<Duration> recovered) {
    return new StorageWarmUp(recovered);
  }

  private final ActorRef<Duration> recovered;
  private final long started = System.nanoTime();

  private StorageWarmUp(ActorRef<Duration> recovered) {
    super(PERSISTENCE_ID);
    this.recovered = recovered;
  }

  @Override
  public Boolean emptyState() {
    return Boolean.TRUE;
  }

  @Override
  public CommandHandler<Command, Command, Boolean> commandHandler() {
    return newCommandHandlerBuilder().forAnyState().onAnyCommand(command -> Effect().none());
  }

  @Override
  public EventHandler<Boolean, Command> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(event -> Boolean.TRUE);
  }

  @Override
  public SignalHandler<Boolean> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> recovered.tell(Duration.ofNanos(System.nanoTime() - started)))
        .build();
  }
}
