package io.theseus.query;

import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An in-memory {@link Queryable} for tests and the PromQL script runner.
 *
 * <p>Samples are appended per series; an append at an existing timestamp replaces the value. Not
 * thread-safe for writes; reads after all writes are safe.
 */
public final class MemoryQueryable implements Queryable {
  private static final class Buf {
    long[] ts = new long[16];
    double[] vs = new double[16];
    int n;
  }

  private final Map<Labels, Buf> series = new TreeMap<>();

  /** Appends a sample (out-of-order appends are inserted in place). */
  public void append(Labels labels, long t, double v) {
    Buf b = series.computeIfAbsent(labels, k -> new Buf());
    int i = b.n == 0 || b.ts[b.n - 1] < t ? -(b.n + 1) : Arrays.binarySearch(b.ts, 0, b.n, t);
    if (i >= 0) {
      b.vs[i] = v;
      return;
    }
    int at = -i - 1;
    if (b.n == b.ts.length) {
      b.ts = Arrays.copyOf(b.ts, b.n * 2);
      b.vs = Arrays.copyOf(b.vs, b.n * 2);
    }
    System.arraycopy(b.ts, at, b.ts, at + 1, b.n - at);
    System.arraycopy(b.vs, at, b.vs, at + 1, b.n - at);
    b.ts[at] = t;
    b.vs[at] = v;
    b.n++;
  }

  /** Drops all series. */
  public void clear() {
    series.clear();
  }

  @Override
  public SeriesSet select(long mint, long maxt, List<Matcher> matchers, Hints hints) {
    List<Series> out = new ArrayList<>();
    for (Map.Entry<Labels, Buf> e : series.entrySet()) {
      Labels l = e.getKey();
      boolean ok = true;
      for (Matcher m : matchers) {
        if (!m.matches(l.get(m.name()))) {
          ok = false;
          break;
        }
      }
      if (!ok) {
        continue;
      }
      Buf b = e.getValue();
      int from = lowerBound(b.ts, b.n, mint);
      int to = lowerBound(b.ts, b.n, maxt + 1);
      if (to > from) {
        out.add(
            new Series(
                l,
                Arrays.copyOfRange(b.ts, from, to),
                Arrays.copyOfRange(b.vs, from, to),
                to - from));
      }
    }
    return new SeriesSet(out, List.of());
  }

  private static int lowerBound(long[] a, int n, long key) {
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
