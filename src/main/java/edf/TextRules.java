package edf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What text the server accepts from a client, in one place (docs/protocol.md, "Text rules"). Text
 * is refused, with {@link Problem.InvalidRequest} naming the field, when it holds:
 *
 * <ul>
 *   <li>a control character: C0 (U+0000–U+001F), DEL (U+007F) or C1 (U+0080–U+009F). {@link
 *       Lines#MULTI} text (ingest payloads) may hold tab, LF, CR and U+2028/U+2029; {@link
 *       Lines#SINGLE} text (todo text, socket messages) none of them;
 *   <li>a bidi embedding, override or isolate (U+202A–U+202E, U+2066–U+2069: "Trojan Source"
 *       reordering). The marks U+200E, U+200F and U+061C stay allowed: they reorder nothing and
 *       mixed right-to-left text needs them;
 *   <li>an invisible character that only hides or spoofs: U+200B, U+2060–U+2064, U+FEFF, U+180E,
 *       U+206A–U+206F, U+FFF9–U+FFFB. ZWNJ and ZWJ (U+200C, U+200D) stay allowed: emoji and
 *       several scripts need them;
 *   <li>a noncharacter (U+FDD0–U+FDEF, U+xxFFFE, U+xxFFFF) or an unpaired surrogate.
 * </ul>
 *
 * Accepted text is normalised to NFC. Request bodies are read as strict UTF-8 (an invalid or
 * overlong sequence is refused, not replaced with U+FFFD).
 */
public final class TextRules {
  /** Whether line breaks and tabs are allowed. */
  public enum Lines {
    /** One line of text: no tab, no line break of any kind. */
    SINGLE,
    /** Text that may run over lines: tab, LF, CR, U+2028 and U+2029 allowed. */
    MULTI
  }

  /** A user id: 1 to 64 of A-Z a-z 0-9 . _ - (so no rule above can apply to it). */
  private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private TextRules() {}

  /**
   * The text in NFC, or {@link Problem.InvalidRequest} naming `field` and the first character that
   * breaks a rule.
   */
  public static String check(String field, String value, Lines lines) {
    String reason = firstProblem(value, lines);
    if (reason != null) throw new Problem.InvalidRequest(field, reason);
    return Normalizer.isNormalized(value, Normalizer.Form.NFC) ? value : Normalizer.normalize(value, Normalizer.Form.NFC);
  }

  /** A user id (sign-in, ingest, a token's subject), or {@link Problem.InvalidRequest} naming `field`. */
  public static String userId(String field, String value) {
    if (value == null || !USER_ID.matcher(value).matches())
      throw new Problem.InvalidRequest(field, "must be 1 to 64 of A-Z a-z 0-9 . _ -");
    return value;
  }

  /** Whether `value` is a valid user id. */
  public static boolean isUserId(String value) {
    return value != null && USER_ID.matcher(value).matches();
  }

  /**
   * A copy of `node` in which every string and every object key has passed {@link #check} (and is
   * NFC), or {@link Problem.InvalidRequest} naming the path of the first that did not, such as
   * `payload.items[2].title`.
   */
  public static JsonNode tree(String path, JsonNode node, Lines lines) {
    if (node.isTextual()) return TextNode.valueOf(check(path, node.textValue(), lines));
    if (node.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode(node.size());
      for (int i = 0; i < node.size(); i++) copy.add(tree(path + "[" + i + "]", node.get(i), lines));
      return copy;
    }
    if (node.isObject()) {
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        String reason = firstProblem(field.getKey(), lines);
        // a bad key is named with its bad characters escaped, e.g. payload.ti\\u202Etle for a key with U+202E in it
        if (reason != null) throw new Problem.InvalidRequest(child(path, escaped(field.getKey(), lines)), "the key " + reason);
        String key = Normalizer.normalize(field.getKey(), Normalizer.Form.NFC);
        if (copy.has(key)) throw new Problem.InvalidRequest(child(path, key), "the key is there twice once normalised (NFC)");
        copy.set(key, tree(child(path, key), field.getValue(), lines));
      }
      return copy;
    }
    return node;
  }

  /** `path.key`, or `key` at the top ({@code path} empty: a socket message's fields). */
  private static String child(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** `name` with every character that breaks the single-line rules escaped, fit to show as a field name. */
  public static String visible(String name) {
    return escaped(name, Lines.SINGLE);
  }

  private static String escaped(String key, Lines lines) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < key.length(); ) {
      int cp = key.codePointAt(i);
      // codePointAt returns a surrogate only when it is unpaired
      if (Character.isSurrogate((char) cp) && cp <= 0xFFFF || kind(cp, lines) != null) out.append(String.format("\\u%04X", cp));
      else out.appendCodePoint(cp);
      i += Character.charCount(cp);
    }
    return out.toString();
  }

  /** The bytes as text, or {@link Problem.InvalidRequest} naming `field` when they are not valid UTF-8. */
  public static String utf8(String field, ByteBuffer bytes) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    int start = bytes.position();
    try {
      CharBuffer chars = decoder.decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new Problem.InvalidRequest(field, "is not valid UTF-8 (at byte " + (bytes.position() - start) + ")");
    }
  }

  /** Why `value` breaks a rule, naming the first character that does, or null when it does not. */
  static String firstProblem(String value, Lines lines) {
    for (int i = 0, index = 0; i < value.length(); index++) {
      char c = value.charAt(i);
      if (Character.isSurrogate(c)) {
        boolean paired = Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1));
        if (!paired) return "must not contain an unpaired surrogate (" + hex(c) + " at character " + index + ")";
      }
      int cp = value.codePointAt(i);
      String what = kind(cp, lines);
      if (what != null) return "must not contain " + what + " (" + hex(cp) + " at character " + index + ")";
      i += Character.charCount(cp);
    }
    return null;
  }

  private static String kind(int cp, Lines lines) {
    if (cp == '\t' || cp == '\n' || cp == '\r') return lines == Lines.MULTI ? null : "a tab or line break";
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return "a control character";
    if (cp == 0x2028 || cp == 0x2029) return lines == Lines.MULTI ? null : "a tab or line break";
    if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) return "a bidi embedding, override or isolate";
    if (cp == 0x200B || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF || cp == 0x180E
        || (cp >= 0x206A && cp <= 0x206F) || (cp >= 0xFFF9 && cp <= 0xFFFB)) return "an invisible character";
    if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) return "a noncharacter";
    return null;
  }

  private static String hex(int cp) {
    return String.format("U+%04X", cp);
  }
}
