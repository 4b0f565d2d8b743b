package io.theseus.query.promql;

import java.util.Arrays;

/**
 * Sorting with a Go {@code sort.Interface} Less function, for result orders that must match
 * Prometheus where Less is not a strict order (NaN handling, ties). Up to 12 elements Go's {@code
 * sort.Sort} is an insertion sort, reproduced here exactly; longer inputs fall back to a stable
 * sort with NaN-consistent ordering (Go's pdqsort order among ties is not reproduced).
 */
final class GoSort {
  private GoSort() {}

  /** Go's Less(i, j) over element indexes. */
  interface Less {
    boolean less(int i, int j);
  }

  /** Sorts the permutation {@code idx} (element indexes) by {@code less}. */
  static void sort(int[] idx, Less less) {
    int n = idx.length;
    if (n <= 12) {
      for (int i = 1; i < n; i++) {
        for (int j = i; j > 0 && less.less(idx[j], idx[j - 1]); j--) {
          int t = idx[j];
          idx[j] = idx[j - 1];
          idx[j - 1] = t;
        }
      }
      return;
    }
    Integer[] boxed = new Integer[n];
    for (int i = 0; i < n; i++) {
      boxed[i] = idx[i];
    }
    Arrays.sort(
        boxed,
        (a, b) -> {
          boolean ab = less.less(a, b);
          boolean ba = less.less(b, a);
          return ab == ba ? 0 : ab ? -1 : 1;
        });
    for (int i = 0; i < n; i++) {
      idx[i] = boxed[i];
    }
  }
}
