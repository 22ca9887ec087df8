package edf;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Pekko HTTP's answer to a request too malformed to reach the routes (an illegal request target,
 * a URI or header over its limit: 400, 414, 431...), as problem+json with the security headers,
 * instead of Pekko's plain text (pekko.http.server.parsing.error-handler). Neither the answer nor
 * the log line repeats the request: only the error's summary, which by Pekko's contract says what
 * is wrong without quoting it; the detail, which quotes the request line or header (a ticket in
 * the query, a bearer token), is left out.
 */
public final class ProblemParsingErrorHandler extends ParsingErrorHandler {
  private final Problem problem = new Problem(new ObjectMapper());

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    String summary = info.summary().isEmpty() ? status.defaultMessage() : info.summary();
    if (!"Off".equals(String.valueOf(settings.parserSettings().errorLoggingVerbosity()))) {
      log.warning("Illegal request, responding with status '{}': {}", status, summary);
    }
    return problem.of(status, Problem.typeFor(status), summary).addHeaders(SecurityHeaders.ALL);
  }
}
