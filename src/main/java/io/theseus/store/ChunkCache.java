package io.theseus.store;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A byte-bounded LRU cache of chunk blobs keyed by their Cortex external key. Chunks are immutable
 * and their key contains the checksum, so entries never need invalidation.
 *
 * <p>Accounting: an entry costs its value length plus {@link #ENTRY_OVERHEAD} plus two bytes per
 * key character; the total never exceeds the capacity after a call returns. A value larger than an
 * eighth of the capacity is not cached (one scan of big chunks must not flush the working set).
 *
 * <p>Threading: one lock around an access-ordered {@link LinkedHashMap}; values are shared, so
 * callers must not modify returned arrays. Use: {@code ChunkReader} looks chunks up here before
 * {@code RowStore.getChunk} and stores each fetched blob once it passed its CRC and metadata
 * checks; sized by {@code ChunkStore.Builder.chunkCacheBytes}.
 */
public final class ChunkCache {
  static final int ENTRY_OVERHEAD = 64;

  private final long capacityBytes;
  private final LinkedHashMap<String, byte[]> map = new LinkedHashMap<>(1024, 0.75f, true);
  private long bytes;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong evictions = new AtomicLong();

  public ChunkCache(long capacityBytes) {
    if (capacityBytes < 0) {
      throw new IllegalArgumentException(
          "chunk cache capacity must be >= 0 bytes, got " + capacityBytes);
    }
    this.capacityBytes = capacityBytes;
  }

  static long cost(String key, byte[] value) {
    return value.length + ENTRY_OVERHEAD + 2L * key.length();
  }

  /** The cached blob or null. */
  public byte[] get(String key) {
    byte[] v;
    synchronized (this) {
      v = map.get(key);
    }
    (v == null ? misses : hits).incrementAndGet();
    return v;
  }

  /** Caches {@code value} under {@code key}, evicting least recently used entries as needed. */
  public void put(String key, byte[] value) {
    long c = cost(key, value);
    if (c > capacityBytes / 8) {
      synchronized (this) {
        byte[] old = map.remove(key);
        if (old != null) {
          bytes -= cost(key, old);
        }
      }
      return;
    }
    synchronized (this) {
      byte[] old = map.put(key, value);
      if (old != null) {
        bytes -= cost(key, old);
      }
      bytes += c;
      Iterator<Map.Entry<String, byte[]>> it = map.entrySet().iterator();
      while (bytes > capacityBytes && it.hasNext()) {
        Map.Entry<String, byte[]> e = it.next();
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
