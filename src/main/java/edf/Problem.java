package edf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * RFC 9457 problem details: every error the HTTP API returns is {@code application/problem+json}
 * with `type`, `title`, `status`, `detail` and, for a bad field, `field` (the first one) and
 * `errors` (every one, as {@code {"field","message"}}).
 */
public final class Problem {
  public static final ContentType.NonBinary CONTENT_TYPE =
      ContentTypes.create(MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8));

  /** A request that breaks the contract; thrown while reading it, answered with 400. */
  public static final class InvalidRequest extends RuntimeException {
    private final FieldError error;

    public InvalidRequest(String field, String message) {
      super(field + ": " + message, null, false, false);
      this.error = new FieldError(field, message);
    }

    public FieldError error() {
      return error;
    }
  }

  private final ObjectMapper mapper;

  public Problem(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public HttpResponse of(StatusCode status, String type, String detail) {
    ObjectNode node = base(status, type, detail);
    return render(status, node);
  }

  public HttpResponse invalid(FieldError error) {
    ObjectNode node = base(StatusCodes.BAD_REQUEST, "validation", error.field() + ": " + error.message());
    node.put("field", error.field());
    node.putArray("errors").add(mapper.valueToTree(error));
    return render(StatusCodes.BAD_REQUEST, node);
  }

  /** Turns any plain-text error response (from Pekko's own rejection handling) into a problem. */
  public HttpResponse fromResponse(HttpResponse response) {
    String detail =
        response.entity() instanceof HttpEntity.Strict strict ? strict.getData().utf8String() : "";
    StatusCode status = response.status();
    return render(status, base(status, typeFor(status), detail)).addHeaders(response.getHeaders());
  }

  static String typeFor(StatusCode status) {
    return switch (status.intValue()) {
      case 404 -> "not-found";
      case 405 -> "method-not-allowed";
      case 413 -> "payload-too-large";
      case 401 -> "unauthorized";
      default -> "http-" + status.intValue();
    };
  }

  private ObjectNode base(StatusCode status, String type, String detail) {
    ObjectNode node = mapper.createObjectNode();
    node.put("type", "urn:edf:problem:" + type);
    node.put("title", status.reason());
    node.put("status", status.intValue());
    node.put("detail", detail);
    return node;
  }

  private HttpResponse render(StatusCode status, ObjectNode node) {
    try {
      return HttpResponse.create()
          .withStatus(status)
          .withEntity(HttpEntities.create(CONTENT_TYPE, mapper.writeValueAsBytes(node)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
