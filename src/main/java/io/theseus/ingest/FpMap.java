package io.theseus.ingest;

import java.util.Arrays;

/**
 * Raw fingerprint → first {@link MemSeries} of its collision chain (open addressing on primitive
 * longs, no boxing). Not thread-safe.
 */
final class FpMap {
  private long[] keys = new long[16];
  private MemSeries[] vals = new MemSeries[16];
  private int size;

  MemSeries get(long fp) {
    int mask = keys.length - 1;
    int i = mix(fp) & mask;
    while (vals[i] != null) {
      if (keys[i] == fp) {
        return vals[i];
      }
      i = (i + 1) & mask;
    }
    return null;
  }

  /** Sets (or with null removes) the chain head for {@code fp}. */
  void put(long fp, MemSeries s) {
    if (s == null) {
      remove(fp);
      return;
    }
    if ((size + 1) * 4 > keys.length * 3) {
      grow();
    }
    int mask = keys.length - 1;
    int i = mix(fp) & mask;
    while (vals[i] != null) {
      if (keys[i] == fp) {
        vals[i] = s;
        return;
      }
      i = (i + 1) & mask;
    }
    keys[i] = fp;
    vals[i] = s;
    size++;
  }

  private void remove(long fp) {
    int mask = keys.length - 1;
    int i = mix(fp) & mask;
    while (vals[i] != null && keys[i] != fp) {
      i = (i + 1) & mask;
    }
    if (vals[i] == null) {
      return;
    }
    vals[i] = null;
    size--;
    int j = (i + 1) & mask;
    while (vals[j] != null) {
      int k = mix(keys[j]) & mask;
      boolean between = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (!between) {
        keys[i] = keys[j];
        vals[i] = vals[j];
        vals[j] = null;
        i = j;
      }
      j = (j + 1) & mask;
    }
  }

  private void grow() {
    long[] ok = keys;
    MemSeries[] ov = vals;
    keys = new long[ok.length * 2];
    vals = new MemSeries[ok.length * 2];
    size = 0;
    for (int i = 0; i < ok.length; i++) {
      if (ov[i] != null) {
        put(ok[i], ov[i]);
      }
    }
  }

  private static int mix(long fp) {
    long h = fp * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 29));
  }

  int size() {
    return size;
  }

  @Override
  public String toString() {
    return "FpMap(" + size + ")" + Arrays.hashCode(keys);
  }
}
