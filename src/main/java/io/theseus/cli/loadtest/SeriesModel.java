package io.theseus.cli.loadtest;

import java.util.ArrayList;
import java.util.List;

/**
 * The deterministic data model: which series exist at which tick, their labels, timestamps and
 * values. Everything is a pure function of (seed, slot, tick) except the value walk, which a
 * {@link Cursor} replays in tick order per slot; so the sender and the verifier compute the same
 * samples independently without storing them.
 *
 * <p>Series: {@code series} slots; slot s belongs to family {@code s / family_size}, each family
 * one metric name and one type. Churn replaces {@code c = churn% * series} slots per tick in
 * round-robin order; the generation of slot s at tick k is the number of replacements it has seen,
 * and (slot, generation) is one series, identified by label {@code lt_series="<slot>-<gen>"}.
 *
 * <p>Timestamps: {@code t0 + k * interval + jitter(s, k)}, jitter in [0, jitter) < interval, so
 * per-series timestamps strictly increase. Immutable and thread-safe; Cursor is single-threaded.
 */
final class SeriesModel {
  static final int COUNTER = 0;
  static final int GAUGE = 1;
  static final int CONSTANT = 2;
  static final int HISTOGRAM = 3;

  private static final long SALT_TYPE = 0x1111;
  private static final long SALT_JITTER = 0x2222;
  private static final long SALT_OOO = 0x3333;
  private static final long SALT_DUP = 0x4444;
  private static final long SALT_VALUE = 0x5555;
  private static final long SALT_RESET = 0x6666;

  final Workload w;
  final int n;
  final long churnPerTick;
  final long t0;
  final int families;
  private final byte[] familyType;
  private final String[] familyName;
  private final double scale;
  private final double oooFrac;
  private final double dupFrac;
  private final int digits;

  SeriesModel(Workload w, long t0) {
    this.w = w;
    this.n = w.series();
    this.t0 = t0;
    this.churnPerTick = Math.round(w.churnPercent() / 100.0 * n);
    this.families = (n + w.familySize() - 1) / w.familySize();
    this.familyType = new byte[families];
    this.familyName = new String[families];
    int total = w.mix()[0] + w.mix()[1] + w.mix()[2] + w.mix()[3];
    for (int f = 0; f < families; f++) {
      // low-discrepancy pick (golden-ratio sequence offset by the seed): the type shares of the
      // families follow the mix closely even for few families
      double u = (unit(hash(w.seed(), 0, 0, SALT_TYPE)) + f * 0.6180339887498949) % 1.0;
      long pick = (long) (u * total);
      int t = 0;
      while (pick >= w.mix()[t]) {
        pick -= w.mix()[t];
        t++;
      }
      familyType[f] = (byte) t;
      familyName[f] =
          switch (t) {
            case COUNTER -> "lt_counter_" + f + "_total";
            case GAUGE -> "lt_gauge_" + f;
            case CONSTANT -> "lt_constant_" + f;
            default -> "lt_histogram_" + f + "_bucket";
          };
    }
    this.scale = Math.pow(10, w.gaugePrecision());
    this.oooFrac = w.outOfOrderPercent() / 100.0;
    this.dupFrac = w.duplicatePercent() / 100.0;
    int d = 1;
    long cap = w.valuesPerLabel();
    while (cap < n && d < 64 && w.valuesPerLabel() > 1) {
      cap *= w.valuesPerLabel();
      d++;
    }
    this.digits = d;
  }

  /** splitmix64 over the inputs: the only randomness source. */
  static long hash(long seed, long a, long b, long salt) {
    long z = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL + salt;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static double unit(long h) {
    return (h >>> 11) * 0x1.0p-53;
  }

  int family(int slot) {
    return slot / w.familySize();
  }

  int type(int slot) {
    return familyType[slot / w.familySize()];
  }

  String familyName(int f) {
    return familyName[f];
  }

  int familyTypeOf(int f) {
    return familyType[f];
  }

  /** Generation of slot s at tick k (number of churn replacements so far). */
  int gen(int s, long k) {
    if (churnPerTick == 0) {
      return 0;
    }
    long r = k * churnPerTick;
    return r > s ? (int) ((r - s - 1) / n + 1) : 0;
  }

  long ts(int s, long k) {
    long j = w.jitterMs() > 0 ? Long.remainderUnsigned(hash(w.seed(), s, k, SALT_JITTER), w.jitterMs()) : 0;
    return t0 + k * w.intervalMs() + j;
  }

  /** Sample held back from its batch and sent later, out of order, in its own request. */
  boolean heldBack(int s, long k) {
    return oooFrac > 0 && k > 0 && unit(hash(w.seed(), s, k, SALT_OOO)) < oooFrac;
  }

  /** Sample sent normally and again later in an injection request. */
  boolean duplicated(int s, long k) {
    return dupFrac > 0 && unit(hash(w.seed(), s, k, SALT_DUP)) < dupFrac;
  }

  static String seriesKey(int slot, int gen) {
    return slot + "-" + gen;
  }

  /**
   * Sorted label pairs {name0, value0, name1, value1, ...} of (slot, gen) for replica r (r < 0:
   * without HA labels, as a deduplicating receiver stores it).
   */
  String[] labels(int s, int gen, int replica) {
    List<String[]> l = new ArrayList<>();
    int f = family(s);
    l.add(new String[] {"__name__", familyName[f]});
    l.add(new String[] {"lt_series", seriesKey(s, gen)});
    int fill = w.labels() - 2;
    if (familyType[f] == HISTOGRAM) {
      int b = (s % w.familySize()) % (w.histogramBuckets() + 1);
      l.add(new String[] {"le", b == w.histogramBuckets() ? "+Inf" : leValue(b)});
      fill--;
    }
    long v = s;
    for (int i = 1; i <= fill; i++) {
      long digit;
      if (i <= digits) {
        digit = v % w.valuesPerLabel();
        v /= w.valuesPerLabel();
      } else {
        digit = Long.remainderUnsigned(hash(w.seed(), f, i, SALT_TYPE), w.valuesPerLabel());
      }
      l.add(new String[] {String.format("l%02d", i), "v" + digit});
    }
    if (w.haReplicas() > 1 && replica >= 0) {
      l.add(new String[] {"__replica__", "r" + replica});
      l.add(new String[] {"cluster", "lt"});
    }
    l.sort((a, b) -> a[0].compareTo(b[0]));
    String[] out = new String[l.size() * 2];
    for (int i = 0; i < l.size(); i++) {
      out[2 * i] = l.get(i)[0];
      out[2 * i + 1] = l.get(i)[1];
    }
    return out;
  }

  static String leValue(int b) {
    return Double.toString(0.005 * (1L << b));
  }

  /** Replays values in tick order; one instance per thread (sender shard or verifier). */
  final class Cursor {
    private final int[] lastGen = new int[n];
    private final double[] value = new double[n];
    private final long[] local = new long[n];

    Cursor() {
      java.util.Arrays.fill(lastGen, -1);
    }

    /** Value of slot s at tick k; calls for one slot must come in increasing k, every tick. */
    double next(int s, long k, int gen) {
      if (gen != lastGen[s]) {
        lastGen[s] = gen;
        local[s] = 0;
        value[s] = initial(s, gen);
      } else {
        local[s]++;
        value[s] = step(s, k, value[s]);
      }
      if (type(s) == HISTOGRAM) {
        int b = (s % w.familySize()) % (w.histogramBuckets() + 1);
        long weight = 1 + Long.remainderUnsigned(hash(w.seed(), family(s), gen, SALT_VALUE), 4);
        return (double) ((local[s] + 1) * (b + 1) * weight);
      }
      return value[s];
    }

    private double initial(int s, int gen) {
      long h = hash(w.seed(), s, gen, SALT_VALUE);
      return switch (type(s)) {
        case COUNTER -> (double) Long.remainderUnsigned(h, 100);
        case GAUGE -> Math.rint(unit(h) * 100 * scale) / scale;
        case CONSTANT -> 1 + (s % 7);
        default -> 0;
      };
    }

    private double step(int s, long k, double v) {
      switch (type(s)) {
        case COUNTER:
          {
            long h = hash(w.seed(), s, k, SALT_VALUE);
            if (w.counterResetProbability() > 0
                && unit(hash(w.seed(), s, k, SALT_RESET)) < w.counterResetProbability()) {
              v = 0;
            }
            return v + 1 + Long.remainderUnsigned(h, 100);
          }
        case GAUGE:
          {
            double u = unit(hash(w.seed(), s, k, SALT_VALUE)) * 2 - 1;
            return Math.rint((v + u) * scale) / scale;
          }
        default:
          return v;
      }
    }
  }
}
