package edf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * Renders the front-end socket schema (docs/protocol.md): every message is a JSON object with
 * `type` and `timestamp`. Rendered once per message, not once per socket.
 */
public final class Wire {
  private final ObjectMapper mapper;

  public Wire(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** A command outcome for its user, numbered with the user's epoch and seq. */
  public String outcome(CommandOutcome o, String epoch, long seq) {
    ObjectNode node = message(o.success() ? "command.succeeded" : "command.failed");
    node.put("epoch", epoch);
    node.put("seq", seq);
    node.put("commandId", o.commandId());
    node.put("entityId", o.entityId());
    node.put("status", o.success() ? "success" : "failure");
    node.set("data", mapper.valueToTree(o.data()));
    if (o.error() != null) node.set("error", mapper.valueToTree(o.error()));
    return render(node, o.completedAt());
  }

  public String event(TodoEvent event) {
    if (event instanceof TodoEvent.Pending p) {
      ObjectNode node = entityMessage("todo.pending", p);
      node.put("by", p.by());
      return render(node, p.at());
    }
    if (event instanceof TodoEvent.Changed c) {
      ObjectNode node = entityMessage("todo.changed", c);
      node.put("changedBy", c.changedBy());
      node.put("action", c.action().wireName());
      node.set("data", mapper.valueToTree(c.data()));
      return render(node, c.at());
    }
    TodoEvent.Failed f = (TodoEvent.Failed) event;
    ObjectNode node = entityMessage("todo.failed", f);
    node.put("by", f.by());
    node.put("code", f.code());
    return render(node, f.at());
  }

  public String stats(long todos, long queued, int connections, int users) {
    ObjectNode node = message("stats");
    node.put("todos", todos);
    node.put("queued", queued);
    node.put("connections", connections);
    node.put("users", users);
    return render(node, Instant.now());
  }

  /** New chaos settings, with the user id of whoever changed them (null: as configured at start). */
  public String chaos(ChaosSettings settings, String changedBy) {
    ObjectNode node = message("chaos");
    node.set("settings", mapper.valueToTree(settings));
    node.put("changedBy", changedBy);
    return render(node, Instant.now());
  }

  public String topicReply(String type, String topic) {
    ObjectNode node = message(type);
    node.put("topic", topic);
    return render(node, Instant.now());
  }

  public String pong() {
    return render(message("pong"), Instant.now());
  }

  public String error(String code, String text) {
    return error(code, null, text);
  }

  /** An error about one field of the client's message (e.g. `message.topic`); no `field` when null. */
  public String error(String code, String field, String text) {
    ObjectNode node = message("error");
    node.put("code", code);
    if (field != null) node.put("field", field);
    node.put("message", text);
    return render(node, Instant.now());
  }

  /**
   * An /internal/events payload, with `timestamp` added when the sender gave none. The payload is
   * the request's own tree (a fresh copy made by the text rules), changed in place.
   */
  public String payload(ObjectNode payload) {
    if (!payload.hasNonNull("timestamp")) payload.put("timestamp", Json.timestamp(Instant.now()));
    return toJson(payload);
  }

  /**
   * A personal message from another service, numbered with the user's epoch and seq:
   * `payloadJson` is what {@link #payload} rendered (a JSON object without `epoch` and `seq`, which
   * /internal/events refuses), so the two fields are appended to its text instead of parsing it again.
   */
  public String personal(String payloadJson, String epoch, long seq) {
    int end = payloadJson.lastIndexOf('}');
    if (!payloadJson.startsWith("{") || end < 0) throw new IllegalArgumentException("not a JSON object");
    boolean empty = end == 1; // rendered compactly by payload(): "{}"
    return payloadJson.substring(0, end) + (empty ? "" : ",") + "\"epoch\":" + toJson(epoch) + ",\"seq\":" + seq + "}";
  }

  /** The first message of a fresh connection: where this user's numbering stands. */
  public String welcome(String epoch, long seq, String windowId) {
    return position("welcome", epoch, seq, windowId);
  }

  /** The connection cannot resume: refetch, then continue from here. */
  public String resync(String epoch, long seq, String windowId) {
    return position("resync", epoch, seq, windowId);
  }

  public String resumed(long from, long to, String windowId) {
    ObjectNode node = message("resumed");
    node.put("from", from);
    node.put("to", to);
    node.put("windowId", windowId);
    return render(node, Instant.now());
  }

  private String position(String type, String epoch, long seq, String windowId) {
    ObjectNode node = message(type);
    node.put("epoch", epoch);
    node.put("seq", seq);
    node.put("windowId", windowId);
    return render(node, Instant.now());
  }

  public String presenceSnapshot(java.util.List<Presence.Window> windows) {
    ObjectNode node = message("presence.snapshot");
    node.set("windows", mapper.valueToTree(windows));
    return render(node, Instant.now());
  }

  public String presenceChanged(Presence.Window window) {
    ObjectNode node = message("presence.changed");
    node.put("windowId", window.windowId());
    node.put("userId", window.userId());
    node.put("entityId", window.entityId());
    node.put("field", window.field());
    return render(node, Instant.now());
  }

  public String presenceLeft(String windowId, String userId) {
    ObjectNode node = message("presence.left");
    node.put("windowId", windowId);
    node.put("userId", userId);
    return render(node, Instant.now());
  }

  private ObjectNode message(String type) {
    ObjectNode node = mapper.createObjectNode();
    node.put("type", type);
    return node;
  }

  private ObjectNode entityMessage(String type, TodoEvent event) {
    ObjectNode node = message(type);
    node.put("entityId", event.entityId());
    node.put("commandId", event.commandId());
    return node;
  }

  private String render(ObjectNode node, Instant at) {
    node.put("timestamp", Json.timestamp(at));
    return toJson(node);
  }

  private String toJson(Object node) {
    try {
      return mapper.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("JSON rendering failed", e);
    }
  }
}
