package io.theseus.cli.loadtest;

import java.util.Map;

/**
 * One remote-write endpoint with its read-back base URL and auth. {@code rate} overrides the
 * workload rate for this target (per-tenant rates); 0 means "use the workload rate".
 */
record Target(
    String name,
    String url,
    String queryUrl,
    String tenant,
    String bearerToken,
    Map<String, String> headers,
    double rate) {

  Target {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("target " + name + ": url is required");
    }
    if (!url.equals("discard") && !url.startsWith("http://") && !url.startsWith("https://")) {
      throw new IllegalArgumentException(
          "target " + name + ": url '" + url + "' must start with http:// or https:// (or be 'discard')");
    }
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    if (queryUrl == null || queryUrl.isBlank()) {
      queryUrl = deriveQueryUrl(url);
    }
    while (queryUrl.endsWith("/")) {
      queryUrl = queryUrl.substring(0, queryUrl.length() - 1);
    }
    if (rate < 0) {
      throw new IllegalArgumentException("target " + name + ": rate must be >= 0, got " + rate);
    }
  }

  boolean isDiscard() {
    return url.equals("discard");
  }

  /** http://h:p/api/v1/write -> http://h:p ; http://h:p/x/api/v1/push -> http://h:p/x */
  static String deriveQueryUrl(String url) {
    int i = url.indexOf("/api/v1/");
    return i > 0 ? url.substring(0, i) : url;
  }

  Target withName(String n) {
    return new Target(n, url, queryUrl, tenant, bearerToken, headers, rate);
  }
}
