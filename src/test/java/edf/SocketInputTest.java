package edf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How the server reads what a client sends over its socket, frame by frame (docs/protocol.md,
 * sections 3 and 4): a text message in parts is one message, held to the size bound and the
 * message timeout as it comes; binary is drained and answered with `unsupported`; messages beyond
 * the incoming rate wait, and none is dropped.
 */
class SocketInputTest extends ServerTest {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final int PER_SECOND = 10;

  @BeforeAll
  static void start() {
    startServer("edf.websocket { message-timeout = 1s, max-incoming-per-second = " + PER_SECOND + " }");
  }

  static RawFrameClient open() throws Exception {
    RawFrameClient client = new RawFrameClient(server.port, "/ws?ticket=" + server.ticket(alice));
    assertEquals("welcome", next(client).path("type").asText());
    return client;
  }

  /** The next text message from the server; a close frame fails the test. */
  static JsonNode next(RawFrameClient client) throws Exception {
    RawFrameClient.Frame frame = client.read();
    assertEquals(1, frame.opcode(), () -> "expected a text frame, got opcode " + frame.opcode() + ": " + frame.closeCode());
    return MAPPER.readTree(frame.text());
  }

  /** The close code of the next close frame, skipping text messages before it. */
  static int closeCode(RawFrameClient client) throws Exception {
    while (true) {
      RawFrameClient.Frame frame = client.read();
      if (frame.opcode() == 8) return frame.closeCode();
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aTextMessageInPartsIsReadAsOneMessage() throws Exception {
    try (RawFrameClient client = open()) {
      client.sendFrame(0x1, false, utf8("{\"type\":"));
      client.sendFrame(0x0, false, utf8("\"pi"));
      client.sendFrame(0x0, true, utf8("ng\"}"));
      assertEquals("pong", next(client).path("type").asText());
    }
  }

  @Test
  void aTextMessageInPartsBeyond64KiBClosesTheSocketWith1009BeforeItEnds() throws Exception {
    try (RawFrameClient client = open()) {
      client.sendFrame(0x1, false, utf8("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(40 * 1024)));
      client.sendFrame(0x0, false, utf8("x".repeat(40 * 1024)));
      assertEquals(1009, closeCode(client));
    }
  }

  @Test
  void aTextMessageNotCompletedWithinTheMessageTimeoutClosesTheSocketWith1008() throws Exception {
    try (RawFrameClient client = open()) {
      client.sendFrame(0x1, false, utf8("{\"type\":"));
      assertEquals(1008, closeCode(client));
    }
  }

  @Test
  void aBinaryMessageWholeOrInPartsGetsUnsupportedAndTheSocketStaysOpen() throws Exception {
    try (RawFrameClient client = open()) {
      client.sendFrame(0x2, true, new byte[] {1, 2, 3});
      assertEquals("unsupported", next(client).path("code").asText());
      client.sendFrame(0x2, false, new byte[] {1, 2, 3});
      client.sendFrame(0x0, true, new byte[] {4, 5, 6});
      assertEquals("unsupported", next(client).path("code").asText());
      client.sendText("{\"type\":\"ping\"}");
      assertEquals("pong", next(client).path("type").asText());
    }
  }

  @Test
  void messagesBeyondTheIncomingRateWaitAndNoneIsDropped() {
    // at 10 a second the bucket holds one message (the burst Pekko's throttle allows: what comes in
    // 100 ms), so the 11th of 11 sent at once is read a second after the first, not before
    int count = PER_SECOND + 1;
    try (WsClient client = server.connect(alice)) {
      client.awaitType("welcome");
      long start = System.nanoTime();
      for (int i = 0; i < count; i++) client.send("{\"type\":\"ping\"}");
      List<JsonNode> pongs = new ArrayList<>();
      for (int i = 0; i < count; i++) pongs.add(client.awaitType("pong"));
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(count, pongs.size());
      assertTrue(elapsedMillis >= 1000, "answered " + count + " messages in " + elapsedMillis + " ms");
      assertFalse(client.isClosed());
    }
  }
}
