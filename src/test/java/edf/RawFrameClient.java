package edf;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket client over a plain TCP socket that writes frames byte by byte: the one way to send
 * a text frame whose payload is not valid UTF-8 (invalid sequences, overlongs, surrogate halves),
 * which every real client refuses to produce.
 */
final class RawFrameClient implements AutoCloseable {
  /** A frame from the server: its opcode (1 text, 8 close...) and payload. */
  record Frame(int opcode, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  RawFrameClient(int port, String path) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(20_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) head.write(in.readUnsignedByte());
    String status = head.toString(StandardCharsets.US_ASCII).lines().findFirst().orElse("");
    if (!status.contains(" 101 ")) throw new IOException("no upgrade: " + head);
  }

  /** One final, masked text frame with exactly these bytes as its payload. */
  void sendText(byte[] payload) throws IOException {
    sendFrame(0x1, true, payload);
  }

  /**
   * One masked frame: `opcode` 1 (text), 2 (binary) or 0 (a continuation of the message before),
   * final or not; a message in parts is a text or binary frame and continuations, the last final.
   */
  void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write((fin ? 0x80 : 0) | opcode);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >> 8);
      frame.write(payload.length & 0xFF);
    } else {
      frame.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) frame.write((int) ((long) payload.length >> shift) & 0xFF);
    }
    byte[] mask = {0x12, 0x34, 0x56, 0x78};
    frame.write(mask);
    for (int i = 0; i < payload.length; i++) frame.write(payload[i] ^ mask[i % 4]);
    out.write(frame.toByteArray());
    out.flush();
  }

  void sendText(String text) throws IOException {
    sendText(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The next whole frame (continuations joined); a close frame ends the connection. */
  Frame read() throws IOException {
    return read(true);
  }

  /** The next whole frame, pings from the server included. */
  Frame readWithPings() throws IOException {
    return read(false);
  }

  private Frame read(boolean skipPings) throws IOException {
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    int opcode = -1;
    while (true) {
      int b0 = in.readUnsignedByte();
      int b1 = in.readUnsignedByte();
      long length = b1 & 0x7F;
      if (length == 126) length = in.readUnsignedShort();
      else if (length == 127) length = in.readLong();
      byte[] data = new byte[(int) length];
      in.readFully(data);
      int op = b0 & 0x0F;
      if (op >= 8) {
        if (op == 9 && skipPings) continue; // a ping from the server: not what the test waits for
        return new Frame(op, data);
      }
      if (opcode < 0) opcode = op;
      payload.write(data);
      if ((b0 & 0x80) != 0) return new Frame(opcode, payload.toByteArray());
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
