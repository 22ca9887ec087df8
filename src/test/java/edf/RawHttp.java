package edf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 written by hand on a socket: for requests that Pekko's and the JDK's clients will not
 * send (an illegal target, a broken header, a Host of the test's choosing).
 */
final class RawHttp {
  /** What came back: status (-1 when the connection closed without an answer), headers (lower-case names), body. */
  record Response(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private RawHttp() {}

  /** Sends the bytes as they are (UTF-8) and reads the one answer (its body by Content-Length). */
  static Response send(int port, String request) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) break;
        head.write(b);
      }
      String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
      if (lines.length == 0 || lines[0].isEmpty()) return new Response(-1, Map.of(), "");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
      }
      byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
      return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A request with the given Host, extra header lines (each ending in CRLF) and, if not null, a JSON body. */
  static Response request(int port, String method, String target, String host, String headers, String body) {
    String entity = body == null ? "" : body;
    String framing = body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + entity.getBytes(StandardCharsets.UTF_8).length + "\r\n";
    return send(port, method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers + framing + "Connection: close\r\n\r\n" + entity);
  }

  /** A WebSocket upgrade request (a valid key, version 13) with the given Host and Origin (null: none). */
  static Response upgrade(int port, String target, String host, String origin) {
    return request(port, "GET", target, host,
        "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + (origin == null ? "" : "Origin: " + origin + "\r\n"),
        null);
  }
}
