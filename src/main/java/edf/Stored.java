package edf;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Everything written to the journal or the snapshot store: the entities' events and snapshots.
 * Bound to its own Jackson CBOR serializer (`edf-stored` in application.conf) that keeps no class
 * name in the stored manifest: each type is stored under the stable name given here, so classes
 * may be renamed or moved between packages without touching stored data. How to change a stored
 * type without breaking what is already written: docs/persistence.md.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "@type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = CommandProcessor.Queued.class, name = "processor.queued.v1"),
  @JsonSubTypes.Type(value = CommandProcessor.Processed.class, name = "processor.processed.v1"),
  @JsonSubTypes.Type(value = CommandProcessor.Snapshot.class, name = "processor.snapshot.v1"),
  @JsonSubTypes.Type(value = CommandProcessor.Refused.class, name = "processor.refused.v1"),
  @JsonSubTypes.Type(value = UserLedger.EpochStarted.class, name = "ledger.epoch-started.v1"),
  @JsonSubTypes.Type(value = UserLedger.Accepted.class, name = "ledger.accepted.v1"),
  @JsonSubTypes.Type(value = UserLedger.Sent.class, name = "ledger.sent.v1"),
  @JsonSubTypes.Type(value = UserLedger.Refused.class, name = "ledger.refused.v1"),
  @JsonSubTypes.Type(value = UserLedger.Snapshot.class, name = "ledger.snapshot.v1"),
})
public interface Stored {}
