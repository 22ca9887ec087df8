package edf;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the bearer JWTs of the application's own identity provider (edf.auth.mode = jwt) with
 * nimbus-jose-jwt: the signature with RS256/ES256 keys of a JWKS (a URL or a file, cached and
 * fetched again when a token names an unknown `kid`) or with an HS256 secret, and no other
 * algorithm (`alg: none` neither); then `iss`, `aud`, `exp` and `nbf` with the configured clock
 * skew. The user id is `sub`, which must be a valid user id; the roles come from the configured
 * claim. Thread-safe.
 */
public final class JwtVerifier {
  private static final Logger log = LoggerFactory.getLogger(JwtVerifier.class);

  /** Longer is no token of ours: refused before parsing. */
  private static final int MAX_TOKEN_CHARS = 8192;

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  private final String rolesClaim;

  public JwtVerifier(Settings.Jwt jwt) {
    this.rolesClaim = jwt.rolesClaim();
    // `typ` as RFC 7519 and RFC 9068 (access tokens) have it, or none
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
    if (!jwt.hs256Secret().isEmpty()) {
      JWKSource<SecurityContext> secret = new ImmutableSecret<>(jwt.hs256Secret().getBytes(StandardCharsets.UTF_8));
      processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, secret));
    } else {
      processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), jwks(jwt)));
    }
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            Set.of(jwt.audience()),
            new JWTClaimsSet.Builder().issuer(jwt.issuer()).build(),
            Set.of("sub", "exp"),
            null);
    claims.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, jwt.clockSkew().toSeconds()));
    processor.setJWTClaimsSetVerifier(claims);
  }

  /** The caller a valid token names, or empty (the reason is logged at DEBUG, never the token). */
  public Optional<Identity> verify(String token) {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) return Optional.empty();
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (KeySourceException e) {
      log.warn("JWT refused: the identity provider's keys could not be loaded: {}", e.getMessage());
      return Optional.empty();
    } catch (Exception e) {
      log.debug("JWT refused: {}", e.getMessage());
      return Optional.empty();
    }
    String subject = claims.getSubject();
    if (!TextRules.isUserId(subject)) {
      log.debug("JWT refused: its sub is not a valid user id");
      return Optional.empty();
    }
    return Optional.of(new Identity(subject, roles(claims)));
  }

  /**
   * The roles claim: an array of strings or one space-separated string; a dotted name that is no
   * claim of its own is looked up inside objects (as Keycloak's `realm_access.roles`).
   */
  private Set<String> roles(JWTClaimsSet claims) {
    Object value = claims.getClaim(rolesClaim);
    if (value == null && rolesClaim.contains(".")) {
      Object at = claims.getClaims();
      for (String part : rolesClaim.split("\\.")) at = at instanceof Map<?, ?> map ? map.get(part) : null;
      value = at;
    }
    Set<String> roles = new LinkedHashSet<>();
    if (value instanceof String s) {
      for (String role : s.trim().split("\\s+")) if (!role.isEmpty()) roles.add(role);
    } else if (value instanceof List<?> list) {
      for (Object role : list) if (role instanceof String s && !s.isEmpty()) roles.add(s);
    }
    return roles;
  }

  /** The JWKS of a URL or a file, cached; an unknown `kid` fetches it again (rate-limited). */
  private static JWKSource<SecurityContext> jwks(Settings.Jwt jwt) {
    JWKSourceBuilder<SecurityContext> builder;
    if (!jwt.jwksUrl().isEmpty()) {
      try {
        builder = JWKSourceBuilder.create(URI.create(jwt.jwksUrl()).toURL());
      } catch (MalformedURLException | IllegalArgumentException e) {
        throw new IllegalArgumentException("EDF_JWT_JWKS_URL (edf.auth.jwt.jwks-url) is not a URL: " + jwt.jwksUrl(), e);
      }
    } else {
      builder = JWKSourceBuilder.create(new FileJwks(Path.of(jwt.jwksFile())));
    }
    long rateLimit = jwt.jwksRateLimit().toMillis();
    return (rateLimit > 0 ? builder.rateLimited(rateLimit) : builder.rateLimited(false)).build();
  }

  /** A JWKS file, read at each fetch: the builder's cache decides when that is. */
  private record FileJwks(Path file) implements JWKSetSource<SecurityContext> {
    @Override
    public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refresh, long currentTime, SecurityContext context) throws KeySourceException {
      try {
        return JWKSet.load(file.toFile()).toPublicJWKSet();
      } catch (Exception e) {
        throw new KeySourceException("cannot read the JWKS file " + file + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {}
  }
}
