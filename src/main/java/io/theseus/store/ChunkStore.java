package io.theseus.store;

import io.theseus.chunk.Chunk;
import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import io.theseus.schema.SchemaConfig;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The Cassandra chunk store: Cortex-compatible chunk and index tables for every schema period of a
 * {@link SchemaConfig}, written and read through one {@link RowStore} and {@link TableManager}.
 *
 * <ul>
 *   <li>{@link #put} writes a chunk row, then its index entries ({@link ChunkWriter}); label
 *       entries of v9+ and Theseus metric-name entries are written once per series (name) per
 *       bucket thanks to an in-memory write-dedupe cache.
 *   <li>{@link #query} answers a tenant, a time range and label matchers with merged series ({@link
 *       ChunkReader}), including queries without a metric name.
 * </ul>
 *
 * <p>Thread-safe; all I/O is asynchronous and bounded (row store in-flight limits, chunk fetch
 * concurrency).
 */
public final class ChunkStore {
  private final SchemaConfig schema;
  private final ChunkWriter writer;
  private final ChunkReader reader;
  private final ChunkCache chunkCache;
  private final IndexCache indexCache;

  private ChunkStore(Builder b, WriteDedupeCache dedupe) {
    this.schema = b.schema;
    this.writer = new ChunkWriter(b.rows, b.tables, b.schema, dedupe, b.metricNames);
    this.chunkCache = b.chunkCacheBytes == 0 ? null : new ChunkCache(b.chunkCacheBytes);
    this.indexCache = b.indexCacheBytes == 0 ? null : new IndexCache(b.indexCacheBytes);
    this.reader =
        new ChunkReader(
            b.rows,
            b.schema,
            b.fetchConcurrency,
            b.chunkLimit,
            chunkCache,
            indexCache,
            b.indexFrozenAfterMs,
            b.clock);
  }

  /**
   * A store with default options sharing {@code dedupe} (e.g. one cache for several stores of one
   * process). Same as {@link #builder} otherwise.
   */
  public ChunkStore(
      SchemaConfig schema, RowStore rows, TableManager tables, WriteDedupeCache dedupe) {
    this(new Builder(rows, tables, schema), dedupe);
  }

  /** Default capacity of the read-side chunk cache: 256 MiB. */
  public static final long DEFAULT_CHUNK_CACHE_BYTES = 256L << 20;

  /**
   * Default capacity of the index-result cache: 0, disabled, as Cortex's {@code
   * -store.cache-lookups-older-than} (default 0): a backfill into an old bucket would stay
   * invisible to cached lookups. 64 MiB is a sensible size when enabled.
   */
  public static final long DEFAULT_INDEX_CACHE_BYTES = 0;

  /** Default age after which index buckets are frozen: 12 h max chunk age + 1 h margin. */
  public static final long DEFAULT_INDEX_FROZEN_AFTER_MS = 13 * 3_600_000L;

  public static Builder builder(RowStore rows, TableManager tables, SchemaConfig schema) {
    return new Builder(rows, tables, schema);
  }

  /** Builder with eager validation. */
  public static final class Builder {
    private final RowStore rows;
    private final TableManager tables;
    private final SchemaConfig schema;
    private int fetchConcurrency = 100;
    private int dedupeEntries = 1_000_000;
    private boolean metricNames = true;
    private int chunkLimit = 2_000_000;
    private long chunkCacheBytes = DEFAULT_CHUNK_CACHE_BYTES;
    private long indexCacheBytes = DEFAULT_INDEX_CACHE_BYTES;
    private long indexFrozenAfterMs = DEFAULT_INDEX_FROZEN_AFTER_MS;
    private java.util.function.LongSupplier clock = System::currentTimeMillis;

    private Builder(RowStore rows, TableManager tables, SchemaConfig schema) {
      if (rows == null || tables == null || schema == null) {
        throw new IllegalArgumentException("chunk store needs a row store, table manager, schema");
      }
      this.rows = rows;
      this.tables = tables;
      this.schema = schema;
    }

    /** Chunks fetched at once per query (Cortex: up to 1000). Default 100. */
    public Builder fetchConcurrency(int n) {
      if (n <= 0) {
        throw new IllegalArgumentException("chunk fetch concurrency must be > 0, got " + n);
      }
      fetchConcurrency = n;
      return this;
    }

    /**
     * Most chunks one query may fetch (Cortex {@code -store.query-chunk-limit}, default 2,000,000);
     * above it the query fails as a bad query.
     */
    public Builder chunkLimit(int n) {
      if (n <= 0) {
        throw new IllegalArgumentException("chunk limit must be > 0, got " + n);
      }
      chunkLimit = n;
      return this;
    }

    /**
     * Capacity of the read-side chunk cache in bytes (see {@link ChunkCache} for the accounting).
     * Default {@link #DEFAULT_CHUNK_CACHE_BYTES} (256 MiB); 0 disables it.
     */
    public Builder chunkCacheBytes(long n) {
      if (n < 0) {
        throw new IllegalArgumentException("chunk cache bytes must be >= 0, got " + n);
      }
      chunkCacheBytes = n;
      return this;
    }

    /**
     * Capacity of the index-result cache in bytes (see {@link IndexCache}). Default {@link
     * #DEFAULT_INDEX_CACHE_BYTES} (0: disabled); 0 disables it.
     */
    public Builder indexCacheBytes(long n) {
      if (n < 0) {
        throw new IllegalArgumentException("index cache bytes must be >= 0, got " + n);
      }
      indexCacheBytes = n;
      return this;
    }

    /**
     * Age after which an index bucket can no longer change: the ingesters' max chunk age plus a
     * margin for flush retries. Index results of query parts ending more than this plus one day
     * ago are cached. Default {@link #DEFAULT_INDEX_FROZEN_AFTER_MS} (12h max chunk age + 1h).
     */
    public Builder indexFrozenAfterMs(long ms) {
      if (ms < 0) {
        throw new IllegalArgumentException("index frozen-after must be >= 0 ms, got " + ms);
      }
      indexFrozenAfterMs = ms;
      return this;
    }

    /** Wall clock (ms) deciding which buckets are frozen. Default the system clock. */
    public Builder clock(java.util.function.LongSupplier c) {
      if (c == null) {
        throw new IllegalArgumentException("chunk store clock must not be null");
      }
      clock = c;
      return this;
    }

    /** Capacity of the write-dedupe cache (keys). Default 1,000,000; 0 disables it. */
    public Builder dedupeCacheEntries(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("dedupe cache entries must be >= 0, got " + n);
      }
      dedupeEntries = n;
      return this;
    }

    /**
     * Whether to write the Theseus metric-names index (needed for queries without a metric name).
     * Default true.
     */
    public Builder metricNamesIndex(boolean on) {
      metricNames = on;
      return this;
    }

    public ChunkStore build() {
      return new ChunkStore(this, new WriteDedupeCache(dedupeEntries));
    }
  }

  public SchemaConfig schema() {
    return schema;
  }

  /** The index-result cache (hit, miss and eviction counters), or null when disabled. */
  public IndexCache indexCache() {
    return indexCache;
  }

  /** The read-side chunk cache (hit, miss and eviction counters), or null when disabled. */
  public ChunkCache chunkCache() {
    return chunkCache;
  }

  /**
   * Stores a chunk and indexes it; completes when Cassandra acknowledged the chunk row and every
   * index entry. Fails with a {@link ChunkStoreException} ({@code badQuery}) for a chunk without a
   * metric name or before the first schema period.
   */
  public CompletionStage<Void> put(Chunk chunk) {
    return writer.put(chunk);
  }

  /**
   * Stores an already encoded chunk blob under its external key {@code key} and indexes it for
   * {@code metric} over [from, through]; the blob is not decoded or verified here (readers verify
   * it). For copying chunks between stores and for callers that encoded the chunk themselves.
   */
  public CompletionStage<Void> put(
      String tenant, String key, byte[] blob, long from, long through, Labels metric) {
    if (tenant == null || key == null || blob == null || metric == null) {
      return CompletableFuture.failedFuture(
          ChunkStoreException.badQuery("chunk put needs a tenant, key, blob and metric"));
    }
    return writer.put(tenant, key, from, through, metric, blob);
  }

  /**
   * Series of {@code tenant} whose labels satisfy every matcher, with their samples in [from,
   * through] (ms, inclusive), sorted by labels. Fails with a {@link ChunkStoreException}.
   */
  public CompletionStage<List<StoredSeries>> query(
      String tenant, long from, long through, List<Matcher> matchers) {
    return reader.query(tenant, from, through, matchers);
  }

  /** Blocking {@link #query}. */
  public List<StoredSeries> select(String tenant, long from, long through, List<Matcher> matchers) {
    try {
      return query(tenant, from, through, matchers).toCompletableFuture().join();
    } catch (CompletionException e) {
      Throwable c = ChunkReader.cause(e);
      if (c instanceof ChunkStoreException cse) {
        throw cse;
      }
      throw ChunkStoreException.failed("chunk store query failed: " + c, c);
    }
  }
}
