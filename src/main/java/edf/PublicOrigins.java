package edf;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The origins the server is reached at (edf.http.public-origins): a browser's WebSocket {@code
 * Origin} must be one of them exactly (scheme, host and port), and, when the server is bound to a
 * loopback address, every request's {@code Host} must be the host and port of one of them (a
 * page on another name that resolves to 127.0.0.1, DNS rebinding, is refused). Immutable.
 */
public final class PublicOrigins {
  /** One origin, normalised: lower-case scheme and host, the port always given. */
  public record Origin(String scheme, String host, int port) {
    /** The authority a Host header names: {@code host:port}, IPv6 in brackets. */
    String hostAndPort() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
      return scheme + "://" + hostAndPort();
    }
  }

  /** Where the UI's dev server (`cd ui && npm run dev`) runs; it forwards the browser's own Host. */
  static final List<String> VITE_DEV_SERVER = List.of("http://localhost:5173", "http://127.0.0.1:5173");

  private final List<Origin> origins;
  private final Set<String> hosts;
  private final boolean checkHost;

  private PublicOrigins(List<Origin> origins, boolean checkHost) {
    this.origins = List.copyOf(origins);
    Set<String> h = new LinkedHashSet<>();
    for (Origin o : origins) {
      h.add(o.hostAndPort());
      // a Host without a port names the scheme's default one (behind a TLS proxy: 443)
      if (o.port() == defaultPort(o.scheme())) h.add(o.hostAndPort().substring(0, o.hostAndPort().lastIndexOf(':')));
    }
    this.hosts = Set.copyOf(h);
    this.checkHost = checkHost;
  }

  /**
   * @param configured the setting: comma-separated origins; empty means the default, the bound
   *     address (with localhost and 127.0.0.1 for a loopback one) and the Vite dev server
   * @param bindHost the interface the server is bound to
   * @param port the port it is bound to (the actual one when port 0 was asked for)
   */
  public static PublicOrigins of(String configured, String bindHost, int port) {
    List<Origin> list = new ArrayList<>();
    List<String> given = split(configured);
    if (given.isEmpty()) {
      if (!isAnyAddress(bindHost)) list.add(parse("http://" + bracketed(bindHost) + ":" + port));
      list.add(parse("http://127.0.0.1:" + port));
      list.add(parse("http://localhost:" + port));
      VITE_DEV_SERVER.forEach(o -> list.add(parse(o)));
    } else {
      given.forEach(o -> list.add(parse(o)));
    }
    return new PublicOrigins(List.copyOf(new LinkedHashSet<>(list)), isLoopback(bindHost));
  }

  /** Refuses (at start) a setting that is not a list of origins. */
  public static void check(String configured) {
    split(configured).forEach(PublicOrigins::parse);
  }

  public List<Origin> origins() {
    return origins;
  }

  /** Whether every request's Host is checked: the server is bound to a loopback address. */
  public boolean checksHost() {
    return checkHost;
  }

  /** A browser's Origin header: exactly one of the public origins (a missing one is not asked about). */
  public boolean allowsOrigin(String origin) {
    try {
      return origins.contains(parse(origin));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * A request's Host (its port 0 when not given, which matches an origin on its scheme's default
   * port): always allowed when the server is not bound to loopback, else only the host and port of
   * a public origin.
   */
  public boolean allowsHost(String host, int port) {
    if (!checkHost) return true;
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    String authority = new Origin("http", h, port).hostAndPort();
    return hosts.contains(port == 0 ? authority.substring(0, authority.lastIndexOf(':')) : authority);
  }

  private static int defaultPort(String scheme) {
    return scheme.equals("https") ? 443 : 80;
  }

  @Override
  public String toString() {
    return origins.toString();
  }

  private static List<String> split(String configured) {
    List<String> out = new ArrayList<>();
    if (configured == null) return out;
    for (String part : configured.split(",")) {
      if (!part.isBlank()) out.add(part.strip());
    }
    return out;
  }

  static Origin parse(String origin) {
    try {
      URI uri = new URI(origin);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null
          && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || !bare) {
        throw new IllegalArgumentException(
            "EDF_PUBLIC_ORIGINS (edf.http.public-origins): `" + origin
                + "` is not an origin such as https://app.example.com or http://localhost:8080 (scheme, host and port only)");
      }
      String host = uri.getHost().toLowerCase(Locale.ROOT);
      if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
      int port = uri.getPort() != -1 ? uri.getPort() : defaultPort(scheme);
      return new Origin(scheme, host, port);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "EDF_PUBLIC_ORIGINS (edf.http.public-origins): `" + origin + "` is not an origin: " + e.getReason());
    }
  }

  private static String bracketed(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  private static boolean isAnyAddress(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  /** Whether the server listens on a loopback address only (resolving a name such as localhost). */
  static boolean isLoopback(String host) {
    try {
      InetAddress[] all = InetAddress.getAllByName(host.replaceAll("^\\[|\\]$", ""));
      for (InetAddress a : all) if (!a.isLoopbackAddress()) return false;
      return all.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
