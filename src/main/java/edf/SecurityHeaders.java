package edf;

import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The headers every answer carries, the browser app's, the API's and the errors': a Content
 * Security Policy without inline script (the built app is one script and one stylesheet from the
 * server itself), no MIME sniffing, no Referer to other sites, and no framing by other pages.
 */
final class SecurityHeaders {
  /**
   * `style-src` allows inline styles because the toast library (sonner) adds its stylesheet as a
   * `<style>` element at run time; React's `style` props go through the CSSOM and need nothing.
   * `img-src data:` is the favicon in index.html. `connect-src 'self'` covers the WebSocket to the
   * same host and port.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          + "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
          + "frame-ancestors 'none'";

  static final List<HttpHeader> ALL =
      List.of(
          RawHeader.create("Content-Security-Policy", CONTENT_SECURITY_POLICY),
          RawHeader.create("X-Content-Type-Options", "nosniff"),
          RawHeader.create("Referrer-Policy", "no-referrer"),
          RawHeader.create("X-Frame-Options", "DENY"));

  private SecurityHeaders() {}
}
