package io.theseus.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resolves the tenant of a request.
 *
 * <ul>
 *   <li>auth disabled: every request belongs to tenant {@code fake} (Cortex), headers ignored;
 *   <li>auth enabled, no tenants file: {@code X-Scope-OrgID} is required (401 when missing) and must
 *       satisfy the tenant ID rules (400 otherwise);
 *   <li>auth enabled with a tenants file (YAML map {@code bearer-token: tenant-id}): the tenant
 *       comes from {@code Authorization: Bearer <token>} (401 when missing or unknown); an {@code
 *       X-Scope-OrgID} that is not a valid tenant ID gets 400, one naming another tenant 403.
 * </ul>
 *
 * Immutable and thread-safe.
 */
public final class Tenants {
  public static final String FAKE = "fake";
  static final int MAX_LENGTH = 150;

  private final boolean authEnabled;
  private final Map<String, String> tokens;

  public Tenants(boolean authEnabled, Map<String, String> tokens) {
    this.authEnabled = authEnabled;
    this.tokens = tokens == null ? null : Map.copyOf(tokens);
    if (this.tokens != null) {
      for (Map.Entry<String, String> e : this.tokens.entrySet()) {
        String bad = invalidReason(e.getValue());
        if (bad != null) {
          throw new IllegalArgumentException("tenants file: bad tenant '" + e.getValue() + "': " + bad);
        }
      }
    }
  }

  /** Loads a tenants file (YAML map of token to tenant ID). */
  public static Map<String, String> loadTokens(Path file) {
    try {
      Map<?, ?> raw = new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Map.class);
      Map<String, String> m = new LinkedHashMap<>();
      if (raw != null) {
        raw.forEach((k, v) -> m.put(String.valueOf(k), String.valueOf(v)));
      }
      return m;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read tenants file " + file + ": " + e.getMessage());
    }
  }

  /** A resolved tenant, or an HTTP status and message. */
  public record Result(int status, String tenant, String error) {
    boolean ok() {
      return tenant != null;
    }
  }

  public Result resolve(String orgId, String authorization) {
    if (!authEnabled) {
      return new Result(200, FAKE, null);
    }
    if (tokens != null) {
      String token = null;
      if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        token = authorization.substring(7).trim();
      }
      if (token == null || token.isEmpty()) {
        return new Result(401, null, "missing bearer token");
      }
      String tenant = tokens.get(token);
      if (tenant == null) {
        return new Result(401, null, "unknown bearer token");
      }
      if (orgId != null && !orgId.isEmpty() && invalidReason(orgId) != null) {
        return new Result(400, null, "invalid tenant ID '" + orgId + "': " + invalidReason(orgId));
      }
      if (orgId != null && !orgId.isEmpty() && !orgId.equals(tenant)) {
        return new Result(403, null, "X-Scope-OrgID '" + orgId + "' does not match the token's tenant");
      }
      return new Result(200, tenant, null);
    }
    if (orgId == null || orgId.isEmpty()) {
      return new Result(401, null, "no org id");
    }
    String bad = invalidReason(orgId);
    if (bad != null) {
      return new Result(400, null, "invalid tenant ID '" + orgId + "': " + bad);
    }
    return new Result(200, orgId, null);
  }

  /**
   * Null if {@code id} is a valid tenant ID, else why not. Cortex's pkg/tenant rules (at most 150
   * of {@code [a-zA-Z0-9!-_.'()]}, not {@code .} or {@code ..}) minus {@code *}, which Cortex
   * allows: Theseus refuses regex-looking IDs such as {@code .*} outright (issue 9).
   */
  public static String invalidReason(String id) {
    if (id.isEmpty()) {
      return "empty";
    }
    if (id.length() > MAX_LENGTH) {
      return "longer than " + MAX_LENGTH + " characters";
    }
    if (id.equals(".") || id.equals("..")) {
      return "'.' and '..' are not allowed";
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!-_.'()".indexOf(c) >= 0;
      if (!ok) {
        return "unsupported character '" + c + "'";
      }
    }
    return null;
  }
}
