package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On H2 the journal commits at most once per `edf.db.commit-interval`, and what comes meanwhile
 * goes into the next commit: events that arrive one by one, each long after the commit before
 * would have finished, are stored in two commits instead of one each. And numbering the stored
 * events takes no commits of its own. Counted by H2 itself (its file writes, one per commit).
 */
class GroupCommitJournalDaoTest {
  private static final int EVENTS = 10;
  private static Path dir;
  private static String url;
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("edf-group-commit");
    url = "jdbc:h2:file:" + dir.resolve("edf") + ";WRITE_DELAY=0";
    Config config = Storage.prepare(ConfigFactory.parseString(
            "edf.db.url = \"" + url + "\"\n" + """
                edf.db.commit-interval = 2s
                pekko.actor.provider = local
                """)
        .withFallback(ConfigFactory.load()));
    testKit = ActorTestKit.create("GroupCommitJournalDaoTest", config);
  }

  @AfterAll
  static void stop() throws Exception {
    testKit.shutdownTestKit();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  @Test
  void eventsThatComeWhileACommitWaitsShareTheNextCommit() throws Exception {
    TestProbe<Done> stored = testKit.createTestProbe();
    testKit.spawn(Note.create("first")).tell(new Note.Write("first", stored.ref()));
    stored.expectMessage(Duration.ofSeconds(10), Done.getInstance()); // committed at once: nothing before it

    long before = fileWrites();
    long rowsBefore = storedEvents();
    List<ActorRef<Note.Command>> notes = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) notes.add(testKit.spawn(Note.create("note-" + i)));
    for (ActorRef<Note.Command> note : notes) {
      note.tell(new Note.Write("text", stored.ref()));
      Thread.sleep(50); // the pace of the traffic: many commits' time apart, well within the interval
    }
    for (int i = 0; i < EVENTS; i++) stored.expectMessage(Duration.ofSeconds(10), Done.getInstance());
    long commits = fileWrites() - before;

    // The first waits out the interval after "first"; the other nine come while it waits and go
    // into the next. Without the spacing each would be a commit (and a file write) of its own.
    assertTrue(commits <= 3, commits + " file writes for " + EVENTS + " events");
    assertEquals(EVENTS, storedEvents() - rowsBefore, "every acknowledged event is in the journal");
  }

  /**
   * H2 stores the identity behind "ordering" in a commit of its own whenever the range of numbers
   * it has handed out runs out (every 32 by default, a whole chunk of the file each time): with
   * the schema's range of 1,000, 320 events stored together are one commit, not eleven.
   */
  @Test
  void numberingTheStoredEventsTakesNoCommitsOfItsOwn() throws Exception {
    TestProbe<Done> stored = testKit.createTestProbe();
    ActorRef<Note.Command> note = testKit.spawn(Note.create("many"));
    long before = fileWrites();
    long rowsBefore = storedEvents();
    note.tell(new Note.WriteMany(320, stored.ref()));
    stored.expectMessage(Duration.ofSeconds(10), Done.getInstance());
    long writes = fileWrites() - before;
    assertEquals(320, storedEvents() - rowsBefore, "every acknowledged event is in the journal");
    // one commit, with a store or two of H2's own around it at most; 32 numbers at a time made it 11 or more
    assertTrue(writes <= 3, writes + " file writes for 320 events stored together");
  }

  @Test
  void spacingLetsTheFirstCommitGoAtOnceAndHoldsTheNextUntilTheIntervalHasPassed() {
    var spacing = new GroupCommitJournalDao.Spacing(5_000_000);
    assertEquals(0, spacing.waitBeforeCommit(100_000_000));
    assertEquals(4_000_000, spacing.waitBeforeCommit(101_000_000)); // starts at 105 ms
    assertEquals(5_000_000, spacing.waitBeforeCommit(105_000_000)); // asked as that one starts: at 110 ms
    assertEquals(0, spacing.waitBeforeCommit(200_000_000)); // after a quiet moment: at once
    var none = new GroupCommitJournalDao.Spacing(0);
    assertEquals(0, none.waitBeforeCommit(1));
    assertEquals(0, none.waitBeforeCommit(1));
  }

  private static long fileWrites() throws SQLException {
    return queryLong("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.FILE_WRITE'");
  }

  private static long storedEvents() throws SQLException {
    return queryLong("SELECT COUNT(*) FROM PUBLIC.\"event_journal\"");
  }

  private static long queryLong(String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, "edf", "");
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return Long.parseLong(result.getString(1));
    }
  }

  /** A persistent actor that stores each text it is given and says when it is stored. */
  static final class Note extends EventSourcedBehavior<Note.Command, String, Integer> {
    sealed interface Command {}

    record Write(String text, ActorRef<Done> replyTo) implements Command {}

    /** Stores `count` texts together (one write of the journal). */
    record WriteMany(int count, ActorRef<Done> replyTo) implements Command {}

    static Behavior<Command> create(String id) {
      return new Note(PersistenceId.ofUniqueId("GroupCommitNote|" + id));
    }

    private Note(PersistenceId id) {
      super(id);
    }

    @Override
    public Integer emptyState() {
      return 0;
    }

    @Override
    public CommandHandler<Command, String, Integer> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(Write.class, (state, write) -> Effect().persist(write.text()).thenReply(write.replyTo(), s -> Done.getInstance()))
          .onCommand(WriteMany.class, (state, many) -> Effect()
              .persist(java.util.Collections.nCopies(many.count(), "text"))
              .thenReply(many.replyTo(), s -> Done.getInstance()))
          .build();
    }

    @Override
    public EventHandler<Integer, String> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, text) -> state + 1);
    }
  }
}
