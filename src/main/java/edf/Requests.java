package edf;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads request bodies against the contract. Every method either returns a valid request or throws
 * {@link Problem.InvalidRequest} naming the first field that is wrong: malformed JSON, a body that
 * is not an object, unknown fields, wrong types, bad ids, text empty after trimming or too long,
 * text that breaks {@link TextRules}. Bodies are strict: UTF-8 only, no duplicate keys, nothing
 * after the JSON value.
 */
public final class Requests {
  private static final Pattern UUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  public record SignIn(String userId) {}

  public record Create(String id, String text) {}

  public record Update(String text, Boolean completed, Long expectedVersion) {}

  public record Event(String userId, com.fasterxml.jackson.databind.node.ObjectNode payload) {}

  private final ObjectReader reader;
  private final int maxTextLength;

  public Requests(ObjectMapper mapper, int maxTextLength) {
    this.reader = strictReader(mapper);
    this.maxTextLength = maxTextLength;
  }

  /** Reads JSON refusing duplicate keys and anything after the value (bodies and socket messages). */
  public static ObjectReader strictReader(ObjectMapper mapper) {
    return mapper
        .reader()
        .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** A request body: strict UTF-8, then strict JSON, and a JSON object. */
  public JsonNode parse(java.nio.ByteBuffer body) {
    return parse(TextRules.utf8("body", body));
  }

  public JsonNode parse(String body) {
    JsonNode node = readStrict(reader, "body", body);
    if (node == null || node.isMissingNode()) throw new Problem.InvalidRequest("body", "a JSON object is required");
    if (!node.isObject()) throw new Problem.InvalidRequest("body", "must be a JSON object");
    return node;
  }

  /** One JSON value read with a {@link #strictReader}, or {@link Problem.InvalidRequest} naming `field` and what is wrong. */
  public static JsonNode readStrict(ObjectReader reader, String field, String json) {
    try {
      return reader.readTree(json);
    } catch (StreamConstraintsException e) {
      throw new Problem.InvalidRequest(field, "is too deeply nested or holds too long a number or string");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
      String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
      if (original.startsWith("Duplicate Object property") || original.startsWith("Duplicate field"))
        throw new Problem.InvalidRequest(field, "malformed JSON: an object has the same key twice" + where);
      if (original.startsWith("Trailing token"))
        throw new Problem.InvalidRequest(field, "malformed JSON: there is more after the JSON value" + where);
      throw new Problem.InvalidRequest(field, "malformed JSON" + where);
    }
  }

  public SignIn signIn(JsonNode body) {
    onlyFields(body, Set.of("userId"));
    return new SignIn(userId(body, "userId"));
  }

  public Create create(JsonNode body) {
    onlyFields(body, Set.of("id", "text"));
    String id = body.has("id") ? uuid("id", string(body, "id")) : null;
    if (!body.has("text")) throw new Problem.InvalidRequest("text", "is required");
    return new Create(id, text(body));
  }

  public Update update(JsonNode body) {
    onlyFields(body, Set.of("text", "completed", "expectedVersion"));
    String text = body.has("text") ? text(body) : null;
    Boolean completed = null;
    if (body.has("completed")) {
      if (!body.get("completed").isBoolean()) throw new Problem.InvalidRequest("completed", "must be true or false");
      completed = body.get("completed").booleanValue();
    }
    Long expectedVersion = body.has("expectedVersion") ? version(body.get("expectedVersion")) : null;
    if (text == null && completed == null)
      throw new Problem.InvalidRequest("text", "a change needs `text` or `completed`");
    return new Update(text, completed, expectedVersion);
  }

  public Event event(JsonNode body) {
    onlyFields(body, Set.of("userId", "payload"));
    String userId = userId(body, "userId");
    JsonNode payload = body.get("payload");
    if (payload == null || !payload.isObject())
      throw new Problem.InvalidRequest("payload", "must be a JSON object");
    if (!payload.path("type").isTextual() || payload.get("type").asText().isBlank())
      throw new Problem.InvalidRequest("payload.type", "must be a non-empty string");
    // the server numbers personal messages with these: an application's own would be lost
    for (String numbered : List.of("seq", "epoch")) {
      if (payload.has(numbered))
        throw new Problem.InvalidRequest("payload." + numbered, "is set by the server (the user's message numbering); use another name");
    }
    // what reaches the user's sockets keeps to the text rules too (line breaks allowed)
    return new Event(userId, (com.fasterxml.jackson.databind.node.ObjectNode) TextRules.tree("payload", payload, TextRules.Lines.MULTI));
  }

  /** The fields given, type-checked; ranges are checked once merged onto the current settings. */
  public ChaosSettings.Patch chaos(JsonNode body) {
    onlyFields(
        body,
        Set.of(
            "httpFailureRate",
            "lostResponseRate",
            "processingFailureRate",
            "minHttpDelayMs",
            "maxHttpDelayMs",
            "minDelayMs",
            "maxDelayMs"));
    return new ChaosSettings.Patch(
        rate(body, "httpFailureRate"),
        rate(body, "lostResponseRate"),
        rate(body, "processingFailureRate"),
        millis(body, "minHttpDelayMs"),
        millis(body, "maxHttpDelayMs"),
        millis(body, "minDelayMs"),
        millis(body, "maxDelayMs"));
  }

  public static String uuid(String field, String value) {
    if (value == null || !UUID.matcher(value).matches())
      throw new Problem.InvalidRequest(field, "must be a UUID");
    return value.toLowerCase(java.util.Locale.ROOT);
  }

  public static Long version(String field, String value) {
    try {
      long v = Long.parseLong(value);
      if (v < 0) throw new NumberFormatException();
      return v;
    } catch (NumberFormatException e) {
      throw new Problem.InvalidRequest(field, "must be a non-negative integer");
    }
  }

  private static Long version(JsonNode node) {
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0)
      throw new Problem.InvalidRequest("expectedVersion", "must be a non-negative integer");
    return node.longValue();
  }

  private static void onlyFields(JsonNode body, Set<String> allowed) {
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (name.isEmpty()) throw new Problem.InvalidRequest("body", "has an empty key");
      if (!allowed.contains(name)) throw new Problem.InvalidRequest(TextRules.visible(name), "is not a known field");
    }
  }

  private static String string(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || !node.isTextual()) throw new Problem.InvalidRequest(field, "must be a string");
    return node.textValue();
  }

  private static String userId(JsonNode body, String field) {
    if (!body.has(field)) throw new Problem.InvalidRequest(field, "is required");
    return TextRules.userId(field, string(body, field));
  }

  private String text(JsonNode body) {
    String text = TextRules.check("text", string(body, "text"), TextRules.Lines.SINGLE).strip();
    if (text.isEmpty()) throw new Problem.InvalidRequest("text", "must not be empty");
    if (text.codePointCount(0, text.length()) > maxTextLength)
      throw new Problem.InvalidRequest("text", "must be at most " + maxTextLength + " characters");
    return text;
  }

  private static Double rate(JsonNode body, String field) {
    if (!body.has(field)) return null;
    JsonNode node = body.get(field);
    if (!node.isNumber()) throw new Problem.InvalidRequest(field, "must be a number from 0 to 1");
    return node.doubleValue();
  }

  private static Long millis(JsonNode body, String field) {
    if (!body.has(field)) return null;
    JsonNode node = body.get(field);
    if (!node.isIntegralNumber() || !node.canConvertToLong())
      throw new Problem.InvalidRequest(field, "must be a whole number of milliseconds");
    return node.longValue();
  }
}
