package io.theseus.store;

import io.theseus.schema.IndexQuery;
import java.util.List;

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
 * <p>Threading: one lock around an access-ordered {@link ByteBoundedLru}; cached lists are
 * immutable and their rows must not be modified.
 */
public final class IndexCache {
  static final int ENTRY_OVERHEAD = 96;
  static final int ROW_OVERHEAD = 48;

  private final ByteBoundedLru<IndexQuery, List<RowStore.StoredRow>> lru;

  public IndexCache(long capacityBytes) {
    this.lru = new ByteBoundedLru<>("index cache", capacityBytes, IndexCache::cost);
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
    return lru.get(q);
  }

  /** Caches an immutable copy of {@code rows} under {@code q}, evicting as needed. */
  void put(IndexQuery q, List<RowStore.StoredRow> rows) {
    lru.put(q, List.copyOf(rows));
  }

  public long bytes() {
    return lru.bytes();
  }

  public int size() {
    return lru.size();
  }

  public long hits() {
    return lru.hits();
  }

  public long misses() {
    return lru.misses();
  }

  public long evictions() {
    return lru.evictions();
  }
}
