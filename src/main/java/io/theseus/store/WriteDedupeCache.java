package io.theseus.store;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded set of Cortex write-dedupe keys (hex of {@code <table>-<user>:d<day>-<seriesID>}):
 * the label entries of a series are written once per bucket, not once per chunk. When full, the
 * oldest key is forgotten (FIFO), which at worst causes one redundant, idempotent re-write of the
 * same rows. A key is added only after its entries were acknowledged. Thread-safe (synchronized;
 * one lookup and one insert per series per chunk flush).
 */
public final class WriteDedupeCache {
  private final int capacity;
  private final LinkedHashMap<String, Boolean> keys;

  public WriteDedupeCache(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("dedupe cache capacity must be > 0, got " + capacity);
    }
    this.capacity = capacity;
    this.keys =
        new LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > WriteDedupeCache.this.capacity;
          }
        };
  }

  public synchronized boolean contains(String key) {
    return keys.containsKey(key);
  }

  public synchronized void add(String key) {
    keys.put(key, Boolean.TRUE);
  }

  public synchronized int size() {
    return keys.size();
  }
}
