package io.theseus.cli.loadtest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Exact read-back verification of one {@link TargetRun}, family by family: regenerates every
 * sample the run generated (same seed, same cursor replay), classifies each as REQUIRED (its
 * request was acknowledged with 2xx), OPTIONAL (sent but not acknowledged: may or may not be
 * stored) or UNSENT (dropped before sending: must not be stored), reads the family back and
 * merges both sorted lists per series.
 *
 * <p>Counted: missing (required, not returned), altered (returned with other value bits),
 * duplicated (same timestamp twice in one series), unexpected (returned but never sent, or a
 * series nobody wrote), label mismatches. Values compare by raw bits; when the read path cannot
 * carry NaN payloads (JSON), an expected NaN matches any NaN. Stale markers are never generated,
 * since the query API never returns them. With HA replicas and {@code ha_dedupe}, a sample is
 * required only when every replica's request was acknowledged (the receiver keeps one replica).
 */
final class Verifier {
  static final byte UNSENT = 0;
  static final byte OPTIONAL = 1;
  static final byte REQUIRED = 2;
  static final int MAX_MISMATCHES = 20;

  /** A mismatch to print: series, timestamp (ms), expected and got (null when absent). */
  record Mismatch(String kind, String series, long ts, String expected, String got) {}

  /** Totals; {@link #ok()} when nothing acknowledged was lost and nothing foreign appeared. */
  static final class Result {
    long required;
    long optional;
    long foundRequired;
    long foundOptional;
    long missing;
    long altered;
    long duplicated;
    long unexpected;
    long labelMismatches;
    long seriesChecked;
    double seconds;
    final List<String> errors = new ArrayList<>();
    final List<Mismatch> mismatches = new ArrayList<>();

    boolean ok() {
      return missing == 0 && altered == 0 && duplicated == 0 && unexpected == 0
          && labelMismatches == 0 && errors.isEmpty();
    }

    long loss() {
      return missing;
    }

    void mismatch(Mismatch m) {
      if (mismatches.size() < MAX_MISMATCHES) {
        mismatches.add(m);
      }
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      m.put("ok", ok());
      m.put("required", required);
      m.put("optional_unacknowledged", optional);
      m.put("found_required", foundRequired);
      m.put("found_optional", foundOptional);
      m.put("missing", missing);
      m.put("altered", altered);
      m.put("duplicated", duplicated);
      m.put("unexpected", unexpected);
      m.put("label_mismatches", labelMismatches);
      m.put("series_checked", seriesChecked);
      m.put("seconds", seconds);
      m.put("errors", errors);
      List<Map<String, Object>> mm = new ArrayList<>();
      for (Mismatch x : mismatches) {
        Map<String, Object> e = new java.util.LinkedHashMap<>();
        e.put("kind", x.kind());
        e.put("series", x.series());
        e.put("ts", x.ts());
        e.put("expected", x.expected());
        e.put("got", x.got());
        mm.add(e);
      }
      m.put("first_mismatches", mm);
      return m;
    }
  }

  /** Expected samples of one series, in timestamp order. */
  private static final class Expected {
    final String key;
    final String[] labels;
    long[] ts = new long[16];
    double[] v = new double[16];
    byte[] status = new byte[16];
    int n;

    Expected(String key, String[] labels) {
      this.key = key;
      this.labels = labels;
    }

    void add(long t, double value, byte st) {
      if (n == ts.length) {
        ts = Arrays.copyOf(ts, n * 2);
        v = Arrays.copyOf(v, n * 2);
        status = Arrays.copyOf(status, n * 2);
      }
      ts[n] = t;
      v[n] = value;
      status[n] = st;
      n++;
    }
  }

  private final TargetRun run;
  private final SeriesModel model;
  private final Workload w;

  Verifier(TargetRun run) {
    this.run = run;
    this.model = run.model;
    this.w = run.w;
  }

  Result verify(ReadBack readBack) {
    return verify(readBack, model.new Cursor(), 0, Long.MAX_VALUE, null);
  }

  /**
   * Verifies ticks [fromTick, toTick) only: regenerates their samples with {@code cursor}, which
   * must have seen every tick below {@code fromTick} (a fresh cursor for 0), and reads back the
   * time range they span (timestamps grow with the tick and jitter stays below the interval, so
   * no other tick's samples fall inside). Used for consecutive windows during the run, where the
   * caller keeps {@code toTick} at or below {@link TargetRun#resolvedTicks()} and passes the
   * shards' {@link TargetRun.Shard#snapshot()}s taken after it (null: read the live bitsets, once
   * the run has ended).
   */
  Result verify(ReadBack readBack, SeriesModel.Cursor cursor, long fromTick, long toTick,
      java.util.BitSet[][] snapshots) {
    Result res = new Result();
    int replicas = w.haReplicas();
    boolean perReplica = replicas > 1 && !w.haDedupe();
    int views = perReplica ? replicas : 1;
    byte[] st = new byte[replicas];
    for (int f = 0; f < model.families; f++) {
      Map<String, Expected> exp = new HashMap<>();
      long minTs = Long.MAX_VALUE;
      long maxTs = Long.MIN_VALUE;
      int from = f * w.familySize();
      int to = Math.min(model.n, from + w.familySize());
      for (int s = from; s < to; s++) {
        TargetRun.Shard shard = run.shards[s % w.connections()];
        java.util.BitSet[] bits = snapshots == null ? null : snapshots[shard.c];
        java.util.BitSet sent = bits == null ? shard.sent : bits[0];
        long li = s / w.connections();
        Expected[] cur = new Expected[views];
        int curGen = -1;
        for (long k = fromTick; k < toTick; k++) {
          long i = k * shard.nc + li;
          if (i >= shard.generatedUpTo) {
            break;
          }
          int gen = model.gen(s, k);
          double v = cursor.next(s, k, gen);
          long ts = model.ts(s, k);
          int j = (int) (i / w.batchSize());
          boolean held = model.heldBack(s, k);
          for (int r = 0; r < replicas; r++) {
            boolean ackedBit = bits == null ? shard.acked[r].get(j) : bits[1 + r].get(j);
            boolean acked = (!held && ackedBit) || run.injectedAcked.contains(run.key(s, k, r));
            st[r] = acked ? REQUIRED : (held || sent.get(j)) ? OPTIONAL : UNSENT;
          }
          if (gen != curGen) {
            curGen = gen;
            for (int x = 0; x < views; x++) {
              int replica = perReplica ? x : -1;
              String key = key(SeriesModel.seriesKey(s, gen), replica);
              cur[x] = new Expected(key, model.labels(s, gen, replica));
              exp.put(key, cur[x]);
            }
          }
          if (perReplica) {
            for (int r = 0; r < replicas; r++) {
              cur[r].add(ts, v, st[r]);
            }
          } else {
            byte min = REQUIRED;
            byte max = UNSENT;
            for (int r = 0; r < replicas; r++) {
              min = (byte) Math.min(min, st[r]);
              max = (byte) Math.max(max, st[r]);
            }
            cur[0].add(ts, v, min == REQUIRED ? REQUIRED : max > UNSENT ? OPTIONAL : UNSENT);
          }
          minTs = Math.min(minTs, ts);
          maxTs = Math.max(maxTs, ts);
        }
      }
      if (exp.isEmpty()) {
        continue;
      }
      long expectedSamples = 0;
      for (Expected e : exp.values()) {
        expectedSamples += e.n;
      }
      List<ReadBack.Series> got;
      try {
        got = readWindows(readBack, model.familyName(f), minTs, maxTs, expectedSamples);
      } catch (Exception e) {
        res.errors.add("read " + model.familyName(f) + ": " + e.getMessage());
        if (res.errors.size() > 5) {
          return res;
        }
        continue;
      }
      compareFamily(exp, got, readBack.rawNaN(), perReplica, res);
    }
    return res;
  }

  /** Samples per read-back call; larger families are read in consecutive time windows. */
  static final long SAMPLES_PER_READ = 500_000;

  /** Reads [minTs, maxTs] in windows of about SAMPLES_PER_READ samples, concatenating per series. */
  static List<ReadBack.Series> readWindows(ReadBack rb, String family, long minTs, long maxTs, long samples)
      throws Exception {
    int windows = (int) Math.min(10_000, Math.max(1, (samples + SAMPLES_PER_READ - 1) / SAMPLES_PER_READ));
    if (windows == 1) {
      return rb.read(family, minTs, maxTs);
    }
    long span = maxTs - minTs + 1;
    Map<Map<String, String>, List<ReadBack.Series>> parts = new java.util.LinkedHashMap<>();
    for (int i = 0; i < windows; i++) {
      long from = minTs + span * i / windows;
      long to = minTs + span * (i + 1) / windows - 1;
      for (ReadBack.Series s : rb.read(family, from, to)) {
        parts.computeIfAbsent(s.labels(), k -> new ArrayList<>()).add(s);
      }
    }
    List<ReadBack.Series> out = new ArrayList<>();
    for (Map.Entry<Map<String, String>, List<ReadBack.Series>> e : parts.entrySet()) {
      int n = 0;
      for (ReadBack.Series s : e.getValue()) {
        n += s.ts().length;
      }
      long[] ts = new long[n];
      double[] v = new double[n];
      int at = 0;
      for (ReadBack.Series s : e.getValue()) {
        System.arraycopy(s.ts(), 0, ts, at, s.ts().length);
        System.arraycopy(s.values(), 0, v, at, s.values().length);
        at += s.ts().length;
      }
      out.add(new ReadBack.Series(e.getKey(), ts, v));
    }
    return out;
  }

  private static String key(String lt, int replica) {
    return replica < 0 ? lt : lt + "@r" + replica;
  }

  /** Compares one family's expected series with what the server returned. */
  static void compareFamily(
      Map<String, Expected> exp, List<ReadBack.Series> got, boolean rawNaN, boolean perReplica, Result res) {
    Map<String, ReadBack.Series> byKey = new HashMap<>();
    for (ReadBack.Series g : got) {
      String lt = g.labels().get("lt_series");
      String rep = g.labels().get("__replica__");
      String k = lt == null ? "?" + g.labels() : perReplica && rep != null ? lt + "@" + rep : lt;
      if (byKey.put(k, g) != null) {
        res.duplicated += g.ts().length;
        res.mismatch(new Mismatch("duplicate series", g.labels().toString(), 0, null, null));
      }
    }
    for (Expected e : exp.values()) {
      for (int i = 0; i < e.n; i++) {
        if (e.status[i] == REQUIRED) {
          res.required++;
        } else if (e.status[i] == OPTIONAL) {
          res.optional++;
        }
      }
      ReadBack.Series g = byKey.remove(e.key);
      res.seriesChecked++;
      long[] gts = g == null ? new long[0] : g.ts();
      double[] gv = g == null ? new double[0] : g.values();
      if (g != null && !labelsEqual(e.labels, g.labels())) {
        res.labelMismatches++;
        res.mismatch(new Mismatch("labels", e.key, 0, Arrays.toString(e.labels), g.labels().toString()));
      }
      int i = 0;
      int j = 0;
      while (i < e.n || j < gts.length) {
        if (j > 0 && j < gts.length && gts[j] == gts[j - 1]) {
          res.duplicated++;
          res.mismatch(new Mismatch("duplicate", e.key, gts[j], null, str(gv[j])));
          j++;
        } else if (i >= e.n || (j < gts.length && gts[j] < e.ts[i])) {
          res.unexpected++;
          res.mismatch(new Mismatch("unexpected", e.key, gts[j], null, str(gv[j])));
          j++;
        } else if (j >= gts.length || e.ts[i] < gts[j]) {
          if (e.status[i] == REQUIRED) {
            res.missing++;
            res.mismatch(new Mismatch("missing", e.key, e.ts[i], str(e.v[i]), null));
          }
          i++;
        } else {
          if (e.status[i] == UNSENT) {
            res.unexpected++;
            res.mismatch(new Mismatch("unexpected (never sent)", e.key, e.ts[i], str(e.v[i]), str(gv[j])));
          } else if (!sameValue(e.v[i], gv[j], rawNaN)) {
            res.altered++;
            res.mismatch(new Mismatch("altered", e.key, e.ts[i], str(e.v[i]), str(gv[j])));
          } else if (e.status[i] == REQUIRED) {
            res.foundRequired++;
          } else {
            res.foundOptional++;
          }
          i++;
          j++;
        }
      }
    }
    for (ReadBack.Series g : byKey.values()) {
      res.unexpected += g.ts().length;
      res.mismatch(new Mismatch("unexpected series", g.labels().toString(),
          g.ts().length > 0 ? g.ts()[0] : 0, null, g.ts().length + " samples"));
    }
  }

  static boolean sameValue(double expected, double got, boolean rawNaN) {
    if (!rawNaN && Double.isNaN(expected)) {
      return Double.isNaN(got);
    }
    return Double.doubleToRawLongBits(expected) == Double.doubleToRawLongBits(got);
  }

  private static boolean labelsEqual(String[] expected, Map<String, String> got) {
    if (got.size() != expected.length / 2) {
      return false;
    }
    for (int i = 0; i < expected.length; i += 2) {
      if (!expected[i + 1].equals(got.get(expected[i]))) {
        return false;
      }
    }
    return true;
  }

  private static String str(double v) {
    return Double.isNaN(v) ? "NaN(0x" + Long.toHexString(Double.doubleToRawLongBits(v)) + ")" : Double.toString(v);
  }
}
