package io.theseus.cli.loadtest;

import java.util.ArrayList;
import java.util.List;

/**
 * The complete, validated description of a load test: data shape, rate, targets, query mix.
 * Built with {@link Builder} (from YAML and/or flags); immutable afterwards.
 */
record Workload(
    long seed,
    Protocol protocol,
    int series,
    int labels,
    int valuesPerLabel,
    int familySize,
    int[] mix,
    int gaugePrecision,
    double counterResetProbability,
    int histogramBuckets,
    long intervalMs,
    long jitterMs,
    double churnPercent,
    double outOfOrderPercent,
    double duplicatePercent,
    int haReplicas,
    boolean haDedupe,
    long backfillMs,
    int batchSize,
    int connections,
    boolean closedLoop,
    double rate,
    RateProfile profile,
    long durationMs,
    long maxLagMs,
    int maxRetries,
    long minBackoffMs,
    long maxBackoffMs,
    List<Target> targets,
    QueryMix queries,
    boolean verify,
    boolean stopAtNow) {

  enum Protocol {
    RW1,
    RW2
  }

  /**
   * Query load: {@code qps} total (0 = off), weights per class, ranges and steps to draw from.
   * {@code exprs} (may be empty) are the range queries of the query benchmark phase that runs after
   * the writes: each {@code repeats} times per target, closed loop; with {@code flush} a target
   * that has a {@code POST /flush} endpoint is flushed and measured again ({@code flushWaitMs}
   * later); ratios are taken against the target named {@code baseline} (null: the last target).
   * The first phase starts {@code settleMs} after the writes (background flushes, compactions).
   */
  record QueryMix(
      int concurrency,
      double qps,
      int[] weights,
      long[] rangesMs,
      long[] stepsMs,
      List<BenchQuery> exprs,
      int repeats,
      boolean flush,
      long flushWaitMs,
      String baseline,
      long settleMs) {
    static final String[] CLASSES = {"instant", "range", "labels", "series"};
  }

  /**
   * One benchmark range query: {@code expr} may name {@code $counter}, {@code $gauge}, {@code
   * $constant} or {@code $histogram}, replaced by the first generated family of that type.
   */
  record BenchQuery(String name, String expr, long rangeMs, long stepMs) {}

  /** Types in the order of {@link #mix()}. */
  static final String[] TYPES = {"counter", "gauge", "constant", "histogram"};

  /** A mutable builder; {@link #build()} validates everything and names the bad value. */
  static final class Builder {
    long seed = 1;
    Protocol protocol = Protocol.RW1;
    int series = 1000;
    int labels = 10;
    int valuesPerLabel = 10;
    int familySize = 100;
    int[] mix = {40, 40, 10, 10};
    int gaugePrecision = 2;
    double counterResetProbability = 0.001;
    int histogramBuckets = 9;
    long intervalMs = 15_000;
    long jitterMs = 0;
    double churnPercent = 0;
    double outOfOrderPercent = 0;
    double duplicatePercent = 0;
    int haReplicas = 1;
    boolean haDedupe = false;
    long backfillMs = -1;
    int batchSize = 2000;
    int connections = 8;
    boolean closedLoop = false;
    double rate = 10_000;
    String profileType = "constant";
    double rampFrom = 0;
    long rampMs = 10_000;
    double spikeFactor = 3;
    long spikeAtMs = 10_000;
    long spikeForMs = 5_000;
    List<double[]> steps = new ArrayList<>(); // {rate, seconds}
    long durationMs = 30_000;
    long maxLagMs = 10_000;
    int maxRetries = 5;
    long minBackoffMs = 30;
    long maxBackoffMs = 5_000;
    List<Target> targets = new ArrayList<>();
    int queryConcurrency = 2;
    double qps = 0;
    int[] queryWeights = {50, 30, 10, 10};
    long[] queryRangesMs = {300_000, 3_600_000};
    long[] queryStepsMs = {15_000, 60_000};
    boolean verify = false;
    boolean stopAtNow = false;
    List<BenchQuery> benchQueries = new ArrayList<>();
    int benchRepeats = 10;
    boolean benchFlush = false;
    long benchFlushWaitMs = 0;
    String benchBaseline = null;
    long benchSettleMs = 0;

    Workload build() {
      check(series >= 1, "series", series, ">= 1");
      check(labels >= 2 && labels <= 64, "labels", labels, "in 2..64 (counts __name__ and lt_series)");
      check(valuesPerLabel >= 1, "values_per_label", valuesPerLabel, ">= 1");
      check(familySize >= 1, "family_size", familySize, ">= 1");
      check(mix.length == 4 && mix[0] + mix[1] + mix[2] + mix[3] > 0, "mix", mix, "weights summing > 0");
      for (int m : mix) {
        check(m >= 0, "mix", m, ">= 0");
      }
      check(gaugePrecision >= 0 && gaugePrecision <= 12, "gauge_precision", gaugePrecision, "in 0..12");
      check(counterResetProbability >= 0 && counterResetProbability <= 1,
          "counter_reset_probability", counterResetProbability, "in 0..1");
      check(histogramBuckets >= 1 && histogramBuckets <= 60, "histogram_buckets", histogramBuckets, "in 1..60");
      check(intervalMs >= 1, "interval", intervalMs, ">= 1ms");
      check(jitterMs >= 0 && jitterMs < intervalMs, "jitter", jitterMs, ">= 0 and < interval");
      check(churnPercent >= 0 && churnPercent <= 100, "churn_percent", churnPercent, "in 0..100");
      check(outOfOrderPercent >= 0 && outOfOrderPercent <= 50, "out_of_order_percent", outOfOrderPercent, "in 0..50");
      check(duplicatePercent >= 0 && duplicatePercent <= 50, "duplicate_percent", duplicatePercent, "in 0..50");
      check(haReplicas >= 1 && haReplicas <= 4, "ha_replicas", haReplicas, "in 1..4");
      check(batchSize >= 1 && batchSize <= 1_000_000, "batch_size", batchSize, "in 1..1000000");
      check(connections >= 1 && connections <= 1024, "connections", connections, "in 1..1024");
      check(connections <= series, "connections", connections, "<= series");
      check(durationMs >= 1, "duration", durationMs, ">= 1ms");
      check(rate > 0 || closedLoop, "rate", rate, "> 0 (or use closed loop)");
      check(maxRetries >= 0, "retries.max", maxRetries, ">= 0");
      check(qps >= 0, "queries.qps", qps, ">= 0");
      check(queryConcurrency >= 1, "queries.concurrency", queryConcurrency, ">= 1");
      check(queryRangesMs.length > 0 && queryStepsMs.length > 0, "queries.ranges/steps", "empty", "non-empty");
      check(benchRepeats >= 1, "queries.repeats", benchRepeats, ">= 1");
      check(benchFlushWaitMs >= 0, "queries.flush_wait", benchFlushWaitMs, ">= 0");
      check(benchSettleMs >= 0, "queries.settle", benchSettleMs, ">= 0");
      for (BenchQuery q : benchQueries) {
        check(q.rangeMs() >= 0, "queries.exprs." + q.name() + ".range", q.rangeMs(), ">= 0");
        check(q.stepMs() >= 1, "queries.exprs." + q.name() + ".step", q.stepMs(), ">= 1ms");
        check(q.rangeMs() / q.stepMs() <= 11_000, "queries.exprs." + q.name() + ".step", q.stepMs(),
            "at least range/11000 (Prometheus's 11,000 points per series)");
      }
      if (targets.isEmpty()) {
        throw new IllegalArgumentException("no target: give --url URL or targets: in the workload file");
      }
      RateProfile profile =
          switch (profileType) {
            case "constant", "soak" -> RateProfile.constant(rate);
            case "ramp" -> RateProfile.ramp(rampFrom, rate, rampMs / 1000.0);
            case "spike" -> RateProfile.spike(rate, spikeFactor, spikeAtMs / 1000.0, spikeForMs / 1000.0);
            case "step" -> {
              if (steps.isEmpty()) {
                throw new IllegalArgumentException("profile step: needs steps: [{rate: N, for: 10s}, ...]");
              }
              List<RateProfile.Segment> seg = new ArrayList<>();
              for (double[] s : steps) {
                seg.add(new RateProfile.Segment(s[0], s[0], s[1]));
              }
              yield new RateProfile(seg);
            }
            default -> throw new IllegalArgumentException(
                "profile: unknown type '" + profileType + "' (constant, soak, ramp, step, spike)");
          };
      List<Target> named = new ArrayList<>();
      for (int i = 0; i < targets.size(); i++) {
        Target t = targets.get(i);
        named.add(t.name() == null ? t.withName("target" + i) : t);
      }
      return new Workload(seed, protocol, series, labels, valuesPerLabel, familySize, mix.clone(),
          gaugePrecision, counterResetProbability, histogramBuckets, intervalMs, jitterMs,
          churnPercent, outOfOrderPercent, duplicatePercent, haReplicas, haDedupe, backfillMs,
          batchSize, connections, closedLoop, rate, profile, durationMs, maxLagMs, maxRetries,
          minBackoffMs, maxBackoffMs, List.copyOf(named),
          new QueryMix(queryConcurrency, qps, queryWeights.clone(), queryRangesMs.clone(),
              queryStepsMs.clone(), List.copyOf(benchQueries), benchRepeats, benchFlush,
              benchFlushWaitMs, benchBaseline, benchSettleMs),
          verify, stopAtNow);
    }

    private static void check(boolean ok, String what, Object value, String rule) {
      if (!ok) {
        String v = value instanceof int[] a ? java.util.Arrays.toString(a) : String.valueOf(value);
        throw new IllegalArgumentException(what + ": " + v + " is invalid, must be " + rule);
      }
    }
  }

  /** Target rate for one target: its own rate if set, else the workload rate. */
  double rateFor(Target t) {
    return t.rate() > 0 ? t.rate() : rate;
  }

  RateProfile profileFor(Target t) {
    if (t.rate() <= 0 || rate <= 0) {
      return profile;
    }
    double f = t.rate() / rate;
    List<RateProfile.Segment> s = new ArrayList<>();
    for (RateProfile.Segment g : profile.segments()) {
      s.add(new RateProfile.Segment(g.fromRate() * f, g.toRate() * f, g.seconds()));
    }
    return new RateProfile(s);
  }
}
