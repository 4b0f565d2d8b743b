package io.theseus.store;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongBiFunction;

/**
 * The LRU mechanism shared by {@link ChunkCache} and {@link IndexCache}: an access-ordered map
 * bounded by the summed cost of its entries (the owner's cost function), with hit, miss and
 * eviction counters.
 *
 * <p>Invariants: {@code bytes} is the summed cost of the entries; after {@link #put} returns it is
 * at most the capacity. An entry costing more than an eighth of the capacity is not cached (and a
 * previous value under its key is dropped), so one scan of big values cannot flush the working set.
 *
 * <p>Threading: one lock around the map and {@code bytes}; counters are atomic. Values are shared
 * with callers, who must not modify them.
 */
final class ByteBoundedLru<K, V> {
  private final long capacityBytes;
  private final ToLongBiFunction<K, V> cost;
  private final LinkedHashMap<K, V> map = new LinkedHashMap<>(1024, 0.75f, true);
  private long bytes;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong evictions = new AtomicLong();

  /**
   * @throws IllegalArgumentException if {@code capacityBytes} is negative ({@code what} names the
   *     cache in the message)
   */
  ByteBoundedLru(String what, long capacityBytes, ToLongBiFunction<K, V> cost) {
    if (capacityBytes < 0) {
      throw new IllegalArgumentException(
          what + " capacity must be >= 0 bytes, got " + capacityBytes);
    }
    this.capacityBytes = capacityBytes;
    this.cost = cost;
  }

  /** The cached value or null; counts a hit or a miss. */
  V get(K key) {
    V v;
    synchronized (this) {
      v = map.get(key);
    }
    (v == null ? misses : hits).incrementAndGet();
    return v;
  }

  /** Caches {@code value} under {@code key}, evicting least recently used entries as needed. */
  void put(K key, V value) {
    long c = cost.applyAsLong(key, value);
    synchronized (this) {
      if (c > capacityBytes / 8) {
        V old = map.remove(key);
        if (old != null) {
          bytes -= cost.applyAsLong(key, old);
        }
        return;
      }
      V old = map.put(key, value);
      if (old != null) {
        bytes -= cost.applyAsLong(key, old);
      }
      bytes += c;
      Iterator<Map.Entry<K, V>> it = map.entrySet().iterator();
      while (bytes > capacityBytes && it.hasNext()) {
        Map.Entry<K, V> e = it.next();
        bytes -= cost.applyAsLong(e.getKey(), e.getValue());
        it.remove();
        evictions.incrementAndGet();
      }
    }
  }

  synchronized long bytes() {
    return bytes;
  }

  synchronized int size() {
    return map.size();
  }

  long hits() {
    return hits.get();
  }

  long misses() {
    return misses.get();
  }

  long evictions() {
    return evictions.get();
  }
}
