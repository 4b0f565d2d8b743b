package io.theseus.store;


/**
 * A byte-bounded LRU cache of chunk blobs keyed by their Cortex external key. Chunks are immutable
 * and their key contains the checksum, so entries never need invalidation.
 *
 * <p>Accounting: an entry costs its value length plus {@link #ENTRY_OVERHEAD} plus two bytes per
 * key character; the total never exceeds the capacity after a call returns. A value larger than an
 * eighth of the capacity is not cached (one scan of big chunks must not flush the working set).
 *
 * <p>Threading: one lock around an access-ordered {@link ByteBoundedLru}; values are shared, so
 * callers must not modify returned arrays. Use: {@code ChunkReader} looks chunks up here before
 * {@code RowStore.getChunk} and stores each fetched blob once it passed its CRC and metadata
 * checks; sized by {@code ChunkStore.Builder.chunkCacheBytes}.
 */
public final class ChunkCache {
  static final int ENTRY_OVERHEAD = 64;

  private final ByteBoundedLru<String, byte[]> lru;

  public ChunkCache(long capacityBytes) {
    this.lru = new ByteBoundedLru<>("chunk cache", capacityBytes, ChunkCache::cost);
  }

  static long cost(String key, byte[] value) {
    return value.length + ENTRY_OVERHEAD + 2L * key.length();
  }

  /** The cached blob or null. */
  public byte[] get(String key) {
    return lru.get(key);
  }

  /** Caches {@code value} under {@code key}, evicting least recently used entries as needed. */
  public void put(String key, byte[] value) {
    lru.put(key, value);
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
