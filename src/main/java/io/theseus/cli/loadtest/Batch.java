package io.theseus.cli.loadtest;

import java.util.Arrays;

/** Samples of one request in primitive arrays, reused across requests. Single-threaded. */
final class Batch {
  int[] slot;
  int[] gen;
  long[] tick;
  long[] ts;
  double[] value;
  int count;

  Batch(int capacity) {
    slot = new int[capacity];
    gen = new int[capacity];
    tick = new long[capacity];
    ts = new long[capacity];
    value = new double[capacity];
  }

  void clear() {
    count = 0;
  }

  void add(int s, int g, long k, long t, double v) {
    if (count == slot.length) {
      int c = slot.length * 2;
      slot = Arrays.copyOf(slot, c);
      gen = Arrays.copyOf(gen, c);
      tick = Arrays.copyOf(tick, c);
      ts = Arrays.copyOf(ts, c);
      value = Arrays.copyOf(value, c);
    }
    slot[count] = s;
    gen[count] = g;
    tick[count] = k;
    ts[count] = t;
    value[count] = v;
    count++;
  }
}
