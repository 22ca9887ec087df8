package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The personal message of an ingested event: the payload as sent, numbered at its end. */
class WireTest {
  private final ObjectMapper mapper = new ObjectMapper();
  private final Wire wire = new Wire(mapper);

  @Test
  void aPersonalMessageIsThePayloadWithEpochAndSeqAppended() throws Exception {
    String payload = wire.payload((com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(
        "{\"type\":\"order.shipped\",\"timestamp\":\"2026-11-30T10:00:00.000Z\",\"data\":{\"note\":\"a } \\\" b\",\"n\":[1,{}]}}"));
    assertEquals(
        mapper.readTree("{\"type\":\"order.shipped\",\"timestamp\":\"2026-11-30T10:00:00.000Z\",\"data\":{\"note\":\"a } \\\" b\",\"n\":[1,{}]},\"epoch\":\"e\\\"1\",\"seq\":42}"),
        mapper.readTree(wire.personal(payload, "e\"1", 42)));
  }

  @Test
  void aPayloadWithoutTimestampGetsOne() throws Exception {
    String payload = wire.payload((com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree("{\"type\":\"x\"}"));
    java.util.List<String> fields = new java.util.ArrayList<>();
    mapper.readTree(wire.personal(payload, "e", 1)).fieldNames().forEachRemaining(fields::add);
    assertEquals(java.util.List.of("type", "timestamp", "epoch", "seq"), fields);
  }

  @Test
  void anEmptyObjectGetsOnlyTheNumbering() throws Exception {
    assertEquals(mapper.readTree("{\"epoch\":\"e\",\"seq\":1}"), mapper.readTree(wire.personal("{}", "e", 1)));
  }
}
