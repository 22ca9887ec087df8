-- The journal and snapshot tables of pekko-persistence-jdbc, for the embedded H2 database.
-- Applied at every start (each statement only when its object is missing): see edf.Storage.
-- Payloads are VARBINARY, not the BLOB of the plugin's sample schema: H2 keeps a BLOB over a few
-- hundred bytes in separate LOB storage, which cost a third of the journal's write rate here
-- (docs/benchmarks.md). A database created with BLOB columns keeps working unchanged.
-- The events are keyed by "ordering", the column the read side follows, and (persistence_id,
-- sequence_number) is a unique index: two B-trees for each stored event. The plugin's sample keys
-- them by a hidden row id with three indexes besides (two of them on "ordering"); a database
-- created that way keeps working unchanged.
CREATE TABLE IF NOT EXISTS PUBLIC."event_journal" (
  "ordering" BIGINT AUTO_INCREMENT PRIMARY KEY,
  "deleted" BOOLEAN DEFAULT false NOT NULL,
  "persistence_id" VARCHAR(255) NOT NULL,
  "sequence_number" BIGINT NOT NULL,
  "writer" VARCHAR NOT NULL,
  "write_timestamp" BIGINT NOT NULL,
  "adapter_manifest" VARCHAR NOT NULL,
  "event_payload" VARBINARY NOT NULL,
  "event_ser_id" INTEGER NOT NULL,
  "event_ser_manifest" VARCHAR NOT NULL,
  "meta_payload" VARBINARY,
  "meta_ser_id" INTEGER,
  "meta_ser_manifest" VARCHAR,
  CONSTRAINT "event_journal_persistence_id_sequence_number" UNIQUE ("persistence_id", "sequence_number")
);
-- The identity behind "ordering" hands out its numbers 1,000 at a time, not H2's 32: each time a
-- range runs out, H2 stores the sequence in a commit of its own, a whole new chunk of the file (an
-- eighth of the journal's CPU at 2,000 events/s, docs/benchmarks.md section 5). A kill -9 skips the
-- rest of the range: a gap in "ordering" that the read side waits out once (the plugin's
-- journal-sequence-retrieval, about 10 s), as it does for a rolled-back insert's. Applied at every
-- start, so a database created before gets it too.
ALTER TABLE PUBLIC."event_journal" ALTER COLUMN "ordering" SET CACHE 1000;
CREATE TABLE IF NOT EXISTS PUBLIC."event_tag" (
  "event_id" BIGINT NOT NULL,
  "tag" VARCHAR NOT NULL,
  PRIMARY KEY ("event_id", "tag"),
  CONSTRAINT "fk_event_journal" FOREIGN KEY ("event_id") REFERENCES PUBLIC."event_journal" ("ordering") ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS PUBLIC."snapshot" (
  "persistence_id" VARCHAR(255) NOT NULL,
  "sequence_number" BIGINT NOT NULL,
  "created" BIGINT NOT NULL,
  "snapshot_ser_id" INTEGER NOT NULL,
  "snapshot_ser_manifest" VARCHAR NOT NULL,
  "snapshot_payload" VARBINARY NOT NULL,
  "meta_ser_id" INTEGER,
  "meta_ser_manifest" VARCHAR,
  "meta_payload" VARBINARY,
  PRIMARY KEY ("persistence_id", "sequence_number")
);
