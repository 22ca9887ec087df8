package edf;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.DefaultJournalDao;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.concurrent.Promise;
import scala.runtime.BoxedUnit;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;

/**
 * The journal's writer on H2 (set as `jdbc-journal.dao` by {@link Storage}): pekko-persistence-jdbc's
 * own, except that a commit starts no sooner than `edf.db.commit-interval` after the one before.
 * The plugin already gathers every event that waits while a batch is written into the next
 * batch; this spaces the batches, so that under a steady stream of events (each user's ledger
 * storing one at a time) each commit carries several instead of one or two. An event that comes
 * after a quiet moment is written at once.
 *
 * <p>Why: H2 pays about 200 µs of CPU for a commit whatever it holds (it writes a new chunk of its
 * file for each, `WRITE_DELAY=0`) and about 45 µs per row on top: one row per commit costs three to
 * five times the CPU of eight (docs/benchmarks.md, section 5). PostgreSQL merges concurrent commits
 * itself and keeps the plugin's writer.
 */
public final class GroupCommitJournalDao extends DefaultJournalDao {
  private final Spacing spacing;

  /** The constructor pekko-persistence-jdbc calls for `jdbc-journal.dao`. */
  public GroupCommitJournalDao(
      JdbcBackend.JdbcDatabaseDef db,
      JdbcProfile profile,
      JournalConfig journalConfig,
      Serialization serialization,
      ExecutionContext ec,
      Materializer mat) {
    super(db, profile, journalConfig, serialization, ec, mat);
    Duration interval = mat.system().settings().config().getDuration("edf.db.commit-interval");
    this.spacing = new Spacing(interval.toNanos());
  }

  /** Called by the plugin's write queue with each batch, one at a time on H2 (parallelism 1). */
  @Override
  public Future<BoxedUnit> writeJournalRows(Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows) {
    long wait = spacing.waitBeforeCommit(System.nanoTime());
    if (wait <= 0) return super.writeJournalRows(rows);
    // The JDK's delay queue, not Pekko's scheduler: that one ticks every 10 ms, which would make
    // a wait of a few milliseconds one of 10 to 20.
    Promise<BoxedUnit> written = Promise.apply();
    CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS, Runnable::run).execute(() -> {
      try {
        written.completeWith(super.writeJournalRows(rows));
      } catch (RuntimeException e) {
        written.tryFailure(e);
      }
    });
    return written.future();
  }

  /** When the next commit may start: no sooner than `interval` after the one before. */
  static final class Spacing {
    private final long intervalNanos;
    private long lastStart;
    private boolean any;

    Spacing(long intervalNanos) {
      this.intervalNanos = intervalNanos;
    }

    /** How long to wait before a commit asked for at `now`, which then counts as started. */
    synchronized long waitBeforeCommit(long now) {
      long start = any ? Math.max(now, lastStart + intervalNanos) : now;
      any = true;
      lastStart = start;
      return start - now;
    }
  }
}
