package io.theseus.ingest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-tenant ingestion limits with Cortex v1.10's defaults and YAML key names.
 *
 * <p>Config shape (the {@code limits:} section; every key optional, unknown keys rejected):
 *
 * <pre>
 * limits:
 *   ingestion_rate: 25000            # samples/s, token bucket refill
 *   ingestion_burst_size: 50000
 *   max_label_names_per_series: 30
 *   max_label_name_length: 1024
 *   max_label_value_length: 2048
 *   max_metadata_length: 1024
 *   enforce_metric_name: true
 *   reject_old_samples: false
 *   reject_old_samples_max_age: 14d  # Prometheus duration
 *   creation_grace_period: 10m
 *   max_series_per_user: 5000000     # 0 = unlimited
 *   max_series_per_metric: 50000
 *   accept_ha_samples: false
 *   overrides:                       # per tenant, same keys, over the defaults above
 *     team-a: {ingestion_rate: 1000}
 * </pre>
 */
public record Limits(
    double ingestionRate,
    int ingestionBurstSize,
    int maxLabelNamesPerSeries,
    int maxLabelNameLength,
    int maxLabelValueLength,
    int maxMetadataLength,
    boolean enforceMetricName,
    boolean rejectOldSamples,
    long rejectOldSamplesMaxAgeMs,
    long creationGracePeriodMs,
    int maxSeriesPerUser,
    int maxSeriesPerMetric,
    boolean acceptHaSamples) {

  public static final Limits DEFAULTS =
      new Limits(25_000, 50_000, 30, 1024, 2048, 1024, true, false, 14 * 86_400_000L, 600_000L,
          5_000_000, 50_000, false);

  static final List<String> KEYS =
      List.of(
          "ingestion_rate",
          "ingestion_burst_size",
          "max_label_names_per_series",
          "max_label_name_length",
          "max_label_value_length",
          "max_metadata_length",
          "enforce_metric_name",
          "reject_old_samples",
          "reject_old_samples_max_age",
          "creation_grace_period",
          "max_series_per_user",
          "max_series_per_metric",
          "accept_ha_samples");

  /** Defaults plus per-tenant overrides. */
  public record Config(Limits defaults, Map<String, Limits> overrides) {
    public Config {
      overrides = Map.copyOf(overrides);
    }

    public Limits forTenant(String tenant) {
      return overrides.getOrDefault(tenant, defaults);
    }

    public static Config defaultConfig() {
      return new Config(DEFAULTS, Map.of());
    }
  }

  /**
   * Parses the {@code limits:} section strictly.
   *
   * @throws IllegalArgumentException naming the bad key or value
   */
  public static Config parse(Map<String, Object> section) {
    if (section == null || section.isEmpty()) {
      return Config.defaultConfig();
    }
    Limits defaults = apply(DEFAULTS, section, "limits", true);
    Map<String, Limits> overrides = new LinkedHashMap<>();
    Object o = section.get("overrides");
    if (o != null) {
      if (!(o instanceof Map<?, ?> m)) {
        throw new IllegalArgumentException("limits.overrides must be a map of tenant -> limits");
      }
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String tenant = String.valueOf(e.getKey());
        String bad = Tenants.invalidReason(tenant);
        if (bad != null) {
          throw new IllegalArgumentException("limits.overrides: bad tenant '" + tenant + "': " + bad);
        }
        if (!(e.getValue() instanceof Map<?, ?> tm)) {
          throw new IllegalArgumentException("limits.overrides." + tenant + " must be a map");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> tmap = (Map<String, Object>) tm;
        overrides.put(tenant, apply(defaults, tmap, "limits.overrides." + tenant, false));
      }
    }
    return new Config(defaults, overrides);
  }

  private static Limits apply(Limits base, Map<String, Object> m, String where, boolean top) {
    for (String k : m.keySet()) {
      if (!KEYS.contains(k) && !(top && k.equals("overrides"))) {
        throw new IllegalArgumentException(
            "unknown key '" + k + "' at " + where + " (known keys: " + KEYS + (top ? ", overrides" : "") + ")");
      }
    }
    return new Limits(
        num(m, "ingestion_rate", base.ingestionRate, where),
        (int) num(m, "ingestion_burst_size", base.ingestionBurstSize, where),
        (int) num(m, "max_label_names_per_series", base.maxLabelNamesPerSeries, where),
        (int) num(m, "max_label_name_length", base.maxLabelNameLength, where),
        (int) num(m, "max_label_value_length", base.maxLabelValueLength, where),
        (int) num(m, "max_metadata_length", base.maxMetadataLength, where),
        bool(m, "enforce_metric_name", base.enforceMetricName, where),
        bool(m, "reject_old_samples", base.rejectOldSamples, where),
        dur(m, "reject_old_samples_max_age", base.rejectOldSamplesMaxAgeMs, where),
        dur(m, "creation_grace_period", base.creationGracePeriodMs, where),
        (int) num(m, "max_series_per_user", base.maxSeriesPerUser, where),
        (int) num(m, "max_series_per_metric", base.maxSeriesPerMetric, where),
        bool(m, "accept_ha_samples", base.acceptHaSamples, where));
  }

  private static double num(Map<String, Object> m, String k, double dflt, String where) {
    Object v = m.get(k);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Number n && n.doubleValue() >= 0) {
      return n.doubleValue();
    }
    throw new IllegalArgumentException(where + "." + k + " must be a number >= 0, got '" + v + "'");
  }

  private static boolean bool(Map<String, Object> m, String k, boolean dflt, String where) {
    Object v = m.get(k);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException(where + "." + k + " must be true or false, got '" + v + "'");
  }

  private static long dur(Map<String, Object> m, String k, long dflt, String where) {
    Object v = m.get(k);
    if (v == null) {
      return dflt;
    }
    long ms = parseDuration(String.valueOf(v));
    if (ms < 0) {
      throw new IllegalArgumentException(
          where + "." + k + " must be a duration such as 10m or 14d, got '" + v + "'");
    }
    return ms;
  }

  private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w|y)");

  /** Prometheus duration ({@code 1h30m}, {@code 14d}, {@code 0}) in ms, or -1 if malformed. */
  static long parseDuration(String s) {
    if (s.equals("0")) {
      return 0;
    }
    Matcher mt = DURATION_PART.matcher(s);
    long total = 0;
    int at = 0;
    while (at < s.length()) {
      if (!mt.find(at) || mt.start() != at) {
        return -1;
      }
      long n = Long.parseLong(mt.group(1));
      long unit =
          switch (mt.group(2)) {
            case "ms" -> 1;
            case "s" -> 1000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            case "d" -> 86_400_000;
            case "w" -> 7 * 86_400_000L;
            default -> 365 * 86_400_000L;
          };
      total += n * unit;
      at = mt.end();
    }
    return s.isEmpty() ? -1 : total;
  }
}
