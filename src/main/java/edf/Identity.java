package edf;

import java.util.Set;

/**
 * Who made an /api request: the user id (a demo sign-in's name, or a JWT's `sub`) and the roles the
 * identity provider gave (none in demo mode).
 */
public record Identity(String userId, Set<String> roles) {
  /** May change the chaos settings in jwt mode. */
  public static final String ADMIN = "admin";

  public Identity {
    roles = Set.copyOf(roles);
  }

  public boolean has(String role) {
    return roles.contains(role);
  }
}
