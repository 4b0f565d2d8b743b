package io.theseus.cli.loadtest;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code --fail-if} expression {@code <metric><op><number>[unit]}, e.g. {@code p99>500ms},
 * {@code loss>0}, {@code rate<100k}, {@code error_rate>=1%}. Latencies are compared in ms
 * ({@code us}, {@code ms}, {@code s} accepted), rates in samples/s ({@code k}, {@code M}).
 * The run fails when the expression is true. Immutable.
 */
record Threshold(String text, String metric, String op, double value) {
  static final Map<String, String> METRICS =
      Map.ofEntries(
          Map.entry("p50", "write latency p50, ms"),
          Map.entry("p90", "write latency p90, ms"),
          Map.entry("p99", "write latency p99, ms"),
          Map.entry("p999", "write latency p99.9, ms"),
          Map.entry("max", "write latency max, ms"),
          Map.entry("mean", "write latency mean, ms"),
          Map.entry("rate", "acknowledged samples/s"),
          Map.entry("loss", "acknowledged samples missing on read-back"),
          Map.entry("mismatches", "altered + duplicated + unexpected samples on read-back"),
          Map.entry("errors", "failed HTTP requests (incl. retried)"),
          Map.entry("error_rate", "failed requests, % of requests"),
          Map.entry("drops", "samples dropped because the generator fell behind"),
          Map.entry("rejected", "samples in requests rejected with 4xx"),
          Map.entry("failed", "samples whose retries were exhausted"),
          Map.entry("retries", "retried requests"),
          Map.entry("query_p50", "query latency p50 over all classes, ms"),
          Map.entry("query_p99", "query latency p99 over all classes, ms"),
          Map.entry("query_errors", "failed queries"),
          Map.entry("loss_during", "acknowledged samples missing in --verify-during checks"),
          Map.entry("cpu", "loadtest process CPU, % of one core"));

  private static final Pattern P =
      Pattern.compile("\\s*([a-z_0-9]+)\\s*(>=|<=|==|!=|>|<)\\s*([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\\s*(us|ms|s|k|M|%)?\\s*");

  static Threshold parse(String text) {
    Matcher m = P.matcher(text == null ? "" : text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "--fail-if '" + text + "': expected <metric><op><number>[unit], e.g. 'p99>500ms' or 'loss>0'");
    }
    String metric = m.group(1);
    if (!METRICS.containsKey(metric)) {
      throw new IllegalArgumentException("--fail-if '" + text + "': unknown metric '" + metric
          + "'; known: " + new java.util.TreeSet<>(METRICS.keySet()));
    }
    double v = Double.parseDouble(m.group(3));
    String unit = m.group(4);
    boolean latency = metric.matches("p\\d+|max|mean|query_p\\d+");
    if (unit != null) {
      switch (unit) {
        case "us", "ms", "s" -> {
          if (!latency) {
            throw new IllegalArgumentException("--fail-if '" + text + "': unit '" + unit
                + "' only applies to latencies, not '" + metric + "'");
          }
          v = unit.equals("us") ? v / 1000 : unit.equals("s") ? v * 1000 : v;
        }
        case "k", "M" -> {
          if (latency) {
            throw new IllegalArgumentException("--fail-if '" + text + "': unit '" + unit
                + "' does not apply to a latency");
          }
          v = unit.equals("k") ? v * 1e3 : v * 1e6;
        }
        default -> {
          if (!metric.equals("error_rate") && !metric.equals("cpu")) {
            throw new IllegalArgumentException("--fail-if '" + text + "': '%' only applies to error_rate and cpu");
          }
        }
      }
    }
    return new Threshold(text.trim(), metric, m.group(2), v);
  }

  /** True when the expression holds for {@code actual} (i.e. the run fails). */
  boolean fails(double actual) {
    return switch (op) {
      case ">" -> actual > value;
      case ">=" -> actual >= value;
      case "<" -> actual < value;
      case "<=" -> actual <= value;
      case "==" -> actual == value;
      default -> actual != value;
    };
  }
}
