package io.theseus.query.promql;

import io.theseus.model.Labels;
import java.util.Arrays;
import java.util.HashSet;

/**
 * An instant vector at one evaluation step, as parallel arrays (no per-sample objects). {@code t}
 * carries the sample timestamp where it differs from the step (only for {@code timestamp()}).
 */
final class Vec {
  Labels[] l = new Labels[8];
  double[] v = new double[8];
  long[] t = new long[8];
  int n;

  void add(Labels labels, double val) {
    add(labels, val, 0);
  }

  void add(Labels labels, double val, long ts) {
    if (n == l.length) {
      l = Arrays.copyOf(l, n * 2);
      v = Arrays.copyOf(v, n * 2);
      t = Arrays.copyOf(t, n * 2);
    }
    l[n] = labels;
    t[n] = ts;
    v[n++] = val;
  }

  void clear() {
    Arrays.fill(l, 0, n, null);
    n = 0;
  }

  boolean hasDuplicateLabels() {
    if (n < 2) {
      return false;
    }
    HashSet<Labels> seen = new HashSet<>(n * 2);
    for (int i = 0; i < n; i++) {
      if (!seen.add(l[i])) {
        return true;
      }
    }
    return false;
  }
}
