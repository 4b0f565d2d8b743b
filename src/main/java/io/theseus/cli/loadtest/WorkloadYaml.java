package io.theseus.cli.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a workload YAML file into a {@link Workload.Builder}. Strict: an unknown key or a value of
 * the wrong type is an IllegalArgumentException naming the key path. See loadtest/*.yaml.
 */
final class WorkloadYaml {
  private static final Set<String> TOP =
      Set.of("seed", "protocol", "series", "labels", "values_per_label", "family_size", "mix",
          "gauge_precision", "counter_reset_probability", "histogram_buckets", "interval", "jitter",
          "churn_percent", "out_of_order_percent", "duplicate_percent", "ha_replicas", "ha_dedupe",
          "backfill", "batch_size", "connections", "mode", "rate", "profile", "duration", "max_lag",
          "retries", "targets", "queries", "verify", "stop_at_now");

  private WorkloadYaml() {}

  static void apply(Path file, Workload.Builder b) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("workload " + file + ": " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("workload " + file + ": expected a YAML mapping");
    }
    apply(root, b);
  }

  static void apply(JsonNode root, Workload.Builder b) {
    keys(root, "", TOP);
    if (root.has("seed")) b.seed = lng(root, "seed");
    if (root.has("protocol")) b.protocol = protocol(str(root, "protocol"));
    if (root.has("series")) b.series = integer(root, "series");
    if (root.has("labels")) b.labels = integer(root, "labels");
    if (root.has("values_per_label")) b.valuesPerLabel = integer(root, "values_per_label");
    if (root.has("family_size")) b.familySize = integer(root, "family_size");
    if (root.has("mix")) {
      JsonNode m = root.get("mix");
      keys(m, "mix.", Set.of(Workload.TYPES));
      int[] mix = new int[4];
      for (int i = 0; i < 4; i++) {
        mix[i] = m.has(Workload.TYPES[i]) ? integer(m, Workload.TYPES[i]) : 0;
      }
      b.mix = mix;
    }
    if (root.has("gauge_precision")) b.gaugePrecision = integer(root, "gauge_precision");
    if (root.has("counter_reset_probability")) {
      b.counterResetProbability = dbl(root, "counter_reset_probability");
    }
    if (root.has("histogram_buckets")) b.histogramBuckets = integer(root, "histogram_buckets");
    if (root.has("interval")) b.intervalMs = dur(root, "interval");
    if (root.has("jitter")) b.jitterMs = dur(root, "jitter");
    if (root.has("churn_percent")) b.churnPercent = dbl(root, "churn_percent");
    if (root.has("out_of_order_percent")) b.outOfOrderPercent = dbl(root, "out_of_order_percent");
    if (root.has("duplicate_percent")) b.duplicatePercent = dbl(root, "duplicate_percent");
    if (root.has("ha_replicas")) b.haReplicas = integer(root, "ha_replicas");
    if (root.has("ha_dedupe")) b.haDedupe = bool(root, "ha_dedupe");
    if (root.has("backfill")) b.backfillMs = dur(root, "backfill");
    if (root.has("batch_size")) b.batchSize = integer(root, "batch_size");
    if (root.has("connections")) b.connections = integer(root, "connections");
    if (root.has("mode")) {
      String mode = str(root, "mode");
      if (!mode.equals("open") && !mode.equals("closed")) {
        throw new IllegalArgumentException("mode: '" + mode + "' must be open or closed");
      }
      b.closedLoop = mode.equals("closed");
    }
    if (root.has("rate")) b.rate = dbl(root, "rate");
    if (root.has("profile")) profile(root.get("profile"), b);
    if (root.has("duration")) b.durationMs = dur(root, "duration");
    if (root.has("max_lag")) b.maxLagMs = dur(root, "max_lag");
    if (root.has("retries")) {
      JsonNode r = root.get("retries");
      keys(r, "retries.", Set.of("max", "min_backoff", "max_backoff"));
      if (r.has("max")) b.maxRetries = integer(r, "max");
      if (r.has("min_backoff")) b.minBackoffMs = dur(r, "min_backoff");
      if (r.has("max_backoff")) b.maxBackoffMs = dur(r, "max_backoff");
    }
    if (root.has("targets")) {
      JsonNode ts = root.get("targets");
      if (!ts.isArray()) {
        throw new IllegalArgumentException("targets: expected a list");
      }
      for (int i = 0; i < ts.size(); i++) {
        b.targets.add(target(ts.get(i), "targets[" + i + "]."));
      }
    }
    if (root.has("queries")) queries(root.get("queries"), b);
    if (root.has("stop_at_now")) b.stopAtNow = bool(root, "stop_at_now");
    if (root.has("verify")) b.verify = bool(root, "verify");
  }

  static Workload.Protocol protocol(String p) {
    return switch (p.toLowerCase()) {
      case "rw1", "1", "1.0", "v1" -> Workload.Protocol.RW1;
      case "rw2", "2", "2.0", "v2" -> Workload.Protocol.RW2;
      default -> throw new IllegalArgumentException("protocol: '" + p + "' must be rw1 or rw2");
    };
  }

  private static void profile(JsonNode p, Workload.Builder b) {
    if (p.isTextual()) {
      b.profileType = p.asText();
      return;
    }
    keys(p, "profile.", Set.of("type", "from", "ramp", "factor", "at", "for", "steps"));
    if (p.has("type")) b.profileType = str(p, "type");
    if (p.has("from")) b.rampFrom = dbl(p, "from");
    if (p.has("ramp")) b.rampMs = dur(p, "ramp");
    if (p.has("factor")) b.spikeFactor = dbl(p, "factor");
    if (p.has("at")) b.spikeAtMs = dur(p, "at");
    if (p.has("for")) b.spikeForMs = dur(p, "for");
    if (p.has("steps")) {
      b.steps.clear();
      JsonNode s = p.get("steps");
      for (int i = 0; i < s.size(); i++) {
        JsonNode st = s.get(i);
        keys(st, "profile.steps[" + i + "].", Set.of("rate", "for"));
        b.steps.add(new double[] {dbl(st, "rate"), dur(st, "for") / 1000.0});
      }
    }
  }

  private static Target target(JsonNode t, String path) {
    keys(t, path, Set.of("name", "url", "query_url", "tenant", "bearer_token", "headers", "rate"));
    Map<String, String> headers = new LinkedHashMap<>();
    if (t.has("headers")) {
      Iterator<Map.Entry<String, JsonNode>> it = t.get("headers").fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        headers.put(e.getKey(), e.getValue().asText());
      }
    }
    return new Target(
        t.has("name") ? str(t, "name") : null,
        t.has("url") ? str(t, "url") : null,
        t.has("query_url") ? str(t, "query_url") : null,
        t.has("tenant") ? str(t, "tenant") : null,
        t.has("bearer_token") ? str(t, "bearer_token") : null,
        headers,
        t.has("rate") ? dbl(t, "rate") : 0);
  }

  private static void queries(JsonNode q, Workload.Builder b) {
    keys(q, "queries.", Set.of("concurrency", "qps", "mix", "ranges", "steps", "exprs", "repeats",
        "flush", "flush_wait", "baseline", "settle"));
    if (q.has("settle")) b.benchSettleMs = dur(q, "settle");
    if (q.has("repeats")) b.benchRepeats = integer(q, "repeats");
    if (q.has("flush")) b.benchFlush = bool(q, "flush");
    if (q.has("flush_wait")) b.benchFlushWaitMs = dur(q, "flush_wait");
    if (q.has("baseline")) b.benchBaseline = str(q, "baseline");
    if (q.has("exprs")) {
      JsonNode a = q.get("exprs");
      if (!a.isArray()) {
        throw new IllegalArgumentException("queries.exprs: expected a list");
      }
      java.util.Set<String> names = new java.util.HashSet<>();
      for (int i = 0; i < a.size(); i++) {
        JsonNode e = a.get(i);
        String path = "queries.exprs[" + i + "].";
        keys(e, path, Set.of("name", "expr", "range", "step"));
        for (String k : List.of("name", "expr", "range", "step")) {
          if (!e.has(k)) {
            throw new IllegalArgumentException(path + k + ": required");
          }
        }
        String name = str(e, "name");
        if (!names.add(name)) {
          throw new IllegalArgumentException(path + "name: '" + name + "' is used twice");
        }
        b.benchQueries.add(
            new Workload.BenchQuery(
                name,
                str(e, "expr"),
                Durations.parseMillis(path + "range", e.get("range").asText()),
                Durations.parseMillis(path + "step", e.get("step").asText())));
      }
    }
    if (q.has("concurrency")) b.queryConcurrency = integer(q, "concurrency");
    if (q.has("qps")) b.qps = dbl(q, "qps");
    if (q.has("mix")) {
      JsonNode m = q.get("mix");
      keys(m, "queries.mix.", Set.of(Workload.QueryMix.CLASSES));
      int[] w = new int[4];
      for (int i = 0; i < 4; i++) {
        String c = Workload.QueryMix.CLASSES[i];
        w[i] = m.has(c) ? integer(m, c) : 0;
      }
      b.queryWeights = w;
    }
    if (q.has("ranges")) b.queryRangesMs = durs(q.get("ranges"), "queries.ranges");
    if (q.has("steps")) b.queryStepsMs = durs(q.get("steps"), "queries.steps");
  }

  private static long[] durs(JsonNode a, String path) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      out.add(Durations.parseMillis(path + "[" + i + "]", a.get(i).asText()));
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  private static void keys(JsonNode n, String path, Set<String> allowed) {
    if (!n.isObject()) {
      throw new IllegalArgumentException(path + ": expected a mapping");
    }
    Iterator<String> it = n.fieldNames();
    while (it.hasNext()) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw new IllegalArgumentException("workload: unknown key '" + path + k + "'");
      }
    }
  }

  private static String str(JsonNode n, String k) {
    JsonNode v = n.get(k);
    if (!v.isValueNode() || v.isNull()) {
      throw new IllegalArgumentException(k + ": expected a value");
    }
    return v.asText();
  }

  private static int integer(JsonNode n, String k) {
    JsonNode v = n.get(k);
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException(k + ": '" + v.asText() + "' is not an integer");
    }
    return v.intValue();
  }

  private static long lng(JsonNode n, String k) {
    JsonNode v = n.get(k);
    if (!v.isIntegralNumber()) {
      throw new IllegalArgumentException(k + ": '" + v.asText() + "' is not an integer");
    }
    return v.longValue();
  }

  private static double dbl(JsonNode n, String k) {
    JsonNode v = n.get(k);
    if (!v.isNumber()) {
      throw new IllegalArgumentException(k + ": '" + v.asText() + "' is not a number");
    }
    return v.doubleValue();
  }

  private static boolean bool(JsonNode n, String k) {
    JsonNode v = n.get(k);
    if (!v.isBoolean()) {
      throw new IllegalArgumentException(k + ": '" + v.asText() + "' is not true/false");
    }
    return v.booleanValue();
  }

  private static long dur(JsonNode n, String k) {
    return Durations.parseMillis(k, n.get(k).asText());
  }
}
