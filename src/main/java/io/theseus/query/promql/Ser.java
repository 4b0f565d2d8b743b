package io.theseus.query.promql;

import io.theseus.model.Labels;
import java.util.Arrays;

/**
 * A growable series of points used inside the evaluator (one point per step at most for
 * instant-vector expressions). Mutable, confined to one evaluation.
 */
final class Ser {
  Labels labels;
  long[] t;
  double[] v;
  int n;

  Ser(Labels labels, int capacity) {
    this.labels = labels;
    this.t = new long[Math.max(1, capacity)];
    this.v = new double[Math.max(1, capacity)];
  }

  void add(long ts, double val) {
    if (n == t.length) {
      t = Arrays.copyOf(t, n * 2);
      v = Arrays.copyOf(v, n * 2);
    }
    t[n] = ts;
    v[n++] = val;
  }
}
