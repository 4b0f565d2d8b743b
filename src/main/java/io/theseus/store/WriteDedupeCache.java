package io.theseus.store;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cortex's index write-dedupe cache, in memory: the keys of label entries (v9+, one per series per
 * bucket) and of metric-name entries already written, so they are written once per series per
 * bucket rather than once per chunk. Bounded LRU; a key evicted early only costs a repeated,
 * idempotent write. Keys are recorded only after their entries were acknowledged, so a failed write
 * is retried with the next chunk. Thread-safe (one lock; operations are O(1)).
 */
public final class WriteDedupeCache {
  private final Map<String, Boolean> keys;

  /** A cache of at most {@code capacity} keys (0 disables it). */
  public WriteDedupeCache(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("dedupe cache capacity must be >= 0, got " + capacity);
    }
    this.keys =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  synchronized boolean contains(String key) {
    return keys.get(key) != null;
  }

  synchronized void add(String key) {
    keys.put(key, Boolean.TRUE);
  }

  synchronized int size() {
    return keys.size();
  }
}
