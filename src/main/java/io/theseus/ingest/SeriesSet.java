package io.theseus.ingest;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A compact identity set of {@link MemSeries} (open addressing, linear probing, backward-shift
 * deletion), used for postings and the ref/fingerprint tables. Not thread-safe.
 */
final class SeriesSet {
  private MemSeries[] table = new MemSeries[4];
  private int size;

  int size() {
    return size;
  }

  private static int hash(long ref) {
    long h = ref * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }

  boolean add(MemSeries s) {
    if ((size + 1) * 4 > table.length * 3) {
      grow();
    }
    int mask = table.length - 1;
    int i = hash(s.ref) & mask;
    while (table[i] != null) {
      if (table[i] == s) {
        return false;
      }
      i = (i + 1) & mask;
    }
    table[i] = s;
    size++;
    return true;
  }

  boolean remove(MemSeries s) {
    int mask = table.length - 1;
    int i = hash(s.ref) & mask;
    while (table[i] != null && table[i] != s) {
      i = (i + 1) & mask;
    }
    if (table[i] == null) {
      return false;
    }
    table[i] = null;
    size--;
    int j = (i + 1) & mask;
    while (table[j] != null) {
      MemSeries m = table[j];
      int k = hash(m.ref) & mask;
      // Move m into the hole if its home slot is not in (i, j].
      boolean between = i <= j ? (i < k && k <= j) : (i < k || k <= j);
      if (!between) {
        table[i] = m;
        table[j] = null;
        i = j;
      }
      j = (j + 1) & mask;
    }
    return true;
  }

  boolean contains(MemSeries s) {
    int mask = table.length - 1;
    int i = hash(s.ref) & mask;
    while (table[i] != null) {
      if (table[i] == s) {
        return true;
      }
      i = (i + 1) & mask;
    }
    return false;
  }

  void forEach(Consumer<MemSeries> c) {
    for (MemSeries m : table) {
      if (m != null) {
        c.accept(m);
      }
    }
  }

  private void grow() {
    MemSeries[] old = table;
    table = new MemSeries[old.length * 2];
    size = 0;
    for (MemSeries m : old) {
      if (m != null) {
        add(m);
      }
    }
  }

  @Override
  public String toString() {
    return "SeriesSet" + Arrays.toString(table);
  }
}
