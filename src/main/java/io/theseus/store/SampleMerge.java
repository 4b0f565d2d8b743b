package io.theseus.store;

import java.util.Arrays;
import java.util.List;

/**
 * Merges the sample runs of one series (one run per chunk, each sorted by timestamp) into one
 * strictly increasing run, de-duplicating equal timestamps: when several writers stored overlapping
 * chunks, the run listed first wins a tie. Runs are merged pairwise into a growing result; the
 * common case (runs that do not overlap, listed in time order) is a plain concatenation. Values
 * travel as raw bits so NaN payloads survive. Stateless.
 */
final class SampleMerge {
  /** One chunk's samples: {@code n} valid entries of {@code ts} (sorted) and {@code bits}. */
  record Run(long[] ts, long[] bits, int n) {}

  private SampleMerge() {}

  /** Merges {@code runs} (in priority order for ties) into one run. */
  static Run merge(List<Run> runs) {
    if (runs.isEmpty()) {
      return new Run(new long[0], new long[0], 0);
    }
    Run acc = runs.get(0);
    for (int i = 1; i < runs.size(); i++) {
      acc = mergeTwo(acc, runs.get(i));
    }
    return dedupeSorted(acc);
  }

  /** Merges two sorted runs; on equal timestamps {@code a}'s sample is kept once. */
  static Run mergeTwo(Run a, Run b) {
    if (b.n == 0) {
      return a;
    }
    if (a.n == 0) {
      return b;
    }
    if (a.ts[a.n - 1] < b.ts[0]) {
      return concat(a, b);
    }
    if (b.ts[b.n - 1] < a.ts[0]) {
      return concat(b, a);
    }
    long[] ts = new long[a.n + b.n];
    long[] bits = new long[a.n + b.n];
    int i = 0;
    int j = 0;
    int k = 0;
    while (i < a.n && j < b.n) {
      long ta = a.ts[i];
      long tb = b.ts[j];
      if (ta < tb) {
        ts[k] = ta;
        bits[k++] = a.bits[i++];
      } else if (tb < ta) {
        ts[k] = tb;
        bits[k++] = b.bits[j++];
      } else {
        ts[k] = ta;
        bits[k++] = a.bits[i++];
        j++;
      }
    }
    while (i < a.n) {
      ts[k] = a.ts[i];
      bits[k++] = a.bits[i++];
    }
    while (j < b.n) {
      ts[k] = b.ts[j];
      bits[k++] = b.bits[j++];
    }
    return new Run(ts, bits, k);
  }

  private static Run concat(Run first, Run second) {
    long[] ts = Arrays.copyOf(first.ts, first.n + second.n);
    long[] bits = Arrays.copyOf(first.bits, first.n + second.n);
    System.arraycopy(second.ts, 0, ts, first.n, second.n);
    System.arraycopy(second.bits, 0, bits, first.n, second.n);
    return new Run(ts, bits, first.n + second.n);
  }

  /** Drops repeated timestamps inside one sorted run (a chunk should not hold any). */
  private static Run dedupeSorted(Run r) {
    int k = 0;
    for (int i = 0; i < r.n; i++) {
      if (k > 0 && r.ts[k - 1] == r.ts[i]) {
        continue;
      }
      if (k != i) {
        r.ts[k] = r.ts[i];
        r.bits[k] = r.bits[i];
      }
      k++;
    }
    return k == r.n ? r : new Run(r.ts, r.bits, k);
  }
}
