package io.theseus.store;

import io.theseus.schema.IndexQuery;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A byte-bounded LRU cache of index-query results ({@link IndexQuery} → its rows) for buckets that
 * can no longer change. The caller decides what is frozen: {@code ChunkReader} only consults it
 * for schema-period parts whose end lies more than {@code frozenAfterMs} plus one day (the longest
 * index bucket) before now, so every bucket the part touches closed before the newest chunk that
 * could still be flushed into it ({@code frozenAfterMs} = max chunk age plus a margin). Chunks
 * written later into such a bucket (backfills) stay invisible to cached queries until evicted.
 *
 * <p>Accounting: an entry costs {@link #ENTRY_OVERHEAD} plus two bytes per character of the
 * query's table and hash plus the lengths of its range and value conditions, plus, per row, its range and value lengths and
 * {@link #ROW_OVERHEAD}; the total never exceeds the capacity after a call returns. A result
 * larger than an eighth of the capacity is not cached.
 *
 * <p>Threading: one lock around an access-ordered {@link LinkedHashMap}; cached lists are
 * immutable and their rows must not be modified.
 */
public final class IndexCache {
  static final int ENTRY_OVERHEAD = 96;
  static final int ROW_OVERHEAD = 48;

  private final long capacityBytes;
  private final LinkedHashMap<IndexQuery, List<RowStore.StoredRow>> map =
      new LinkedHashMap<>(1024, 0.75f, true);
  private long bytes;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong evictions = new AtomicLong();

  public IndexCache(long capacityBytes) {
    if (capacityBytes < 0) {
      throw new IllegalArgumentException(
          "index cache capacity must be >= 0 bytes, got " + capacityBytes);
    }
    this.capacityBytes = capacityBytes;
  }

  static long cost(IndexQuery q, List<RowStore.StoredRow> rows) {
    long c = ENTRY_OVERHEAD + 2L * (q.table().length() + q.hash().length());
    c += len(q.rangePrefix()) + len(q.rangeStart()) + len(q.valueEqual());
    for (RowStore.StoredRow r : rows) {
      c += ROW_OVERHEAD + r.range().length + (r.value() == null ? 0 : r.value().length);
    }
    return c;
  }

  private static int len(byte[] b) {
    return b == null ? 0 : b.length;
  }

  /** The cached rows or null. */
  List<RowStore.StoredRow> get(IndexQuery q) {
    List<RowStore.StoredRow> v;
    synchronized (this) {
      v = map.get(q);
    }
    (v == null ? misses : hits).incrementAndGet();
    return v;
  }

  /** Caches {@code rows} under {@code q}, evicting least recently used entries as needed. */
  void put(IndexQuery q, List<RowStore.StoredRow> rows) {
    long c = cost(q, rows);
    if (c > capacityBytes / 8) {
      synchronized (this) {
        List<RowStore.StoredRow> old = map.remove(q);
        if (old != null) {
          bytes -= cost(q, old);
        }
      }
      return;
    }
    List<RowStore.StoredRow> v = List.copyOf(rows);
    synchronized (this) {
      List<RowStore.StoredRow> old = map.put(q, v);
      if (old != null) {
        bytes -= cost(q, old);
      }
      bytes += c;
      Iterator<Map.Entry<IndexQuery, List<RowStore.StoredRow>>> it = map.entrySet().iterator();
      while (bytes > capacityBytes && it.hasNext()) {
        Map.Entry<IndexQuery, List<RowStore.StoredRow>> e = it.next();
        bytes -= cost(e.getKey(), e.getValue());
        it.remove();
        evictions.incrementAndGet();
      }
    }
  }

  public synchronized long bytes() {
    return bytes;
  }

  public synchronized int size() {
    return map.size();
  }

  public long hits() {
    return hits.get();
  }

  public long misses() {
    return misses.get();
  }

  public long evictions() {
    return evictions.get();
  }
}
