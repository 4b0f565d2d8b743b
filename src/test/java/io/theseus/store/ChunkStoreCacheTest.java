package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.theseus.chunk.Chunk;
import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The read-side {@link ChunkCache} wired into {@link ChunkStore#query}, on real Cassandra. */
@ExtendWith(CassandraExtension.class)
class ChunkStoreCacheTest {
  static final long DAY = ChunkStoreTest.DAY;
  static final long HOUR = 3_600_000L;
  static RowStore rows;
  static TableManager tables;
  static String ks;
  static CassandraExtension.CassandraKeyspace keyspace;

  @BeforeAll
  static void setUp(CassandraExtension.CassandraKeyspace k) {
    keyspace = k;
    ks = k.name();
    rows = RowStore.builder(k.session(), ks).build();
    tables = new TableManager(k.session(), ks, t -> "");
  }

  @AfterAll
  static void tearDown() {
    rows.close();
  }

  /** {@code n} chunks of one series {@code name}, one per hour from DAY. */
  static List<Chunk> putChunks(ChunkStore store, String tenant, String name, int n) {
    Labels ls = Labels.of("__name__", name, "job", "x");
    List<Chunk> cs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Chunk c = ChunkStoreTest.chunk(tenant, ls, DAY + i * HOUR, 30);
      store.put(c).toCompletableFuture().join();
      cs.add(c);
    }
    return cs;
  }

  static void deleteChunkRows(List<Chunk> cs) {
    for (Chunk c : cs) {
      keyspace
          .session()
          .execute(
              "DELETE FROM "
                  + ks
                  + "."
                  + ChunkStoreTest.CFG.chunkTableFor(c.key().from())
                  + " WHERE hash = ?",
              c.key().toString());
    }
  }

  @Test
  void query_repeated_servedFromCache() {
    ChunkStore store = ChunkStore.builder(rows, tables, ChunkStoreTest.CFG).build();
    ChunkCache cache = store.chunkCache();
    List<Chunk> cs = putChunks(store, "h1", "cached_m", 3);
    List<Matcher> ms = List.of(Matcher.eq("__name__", "cached_m"));
    List<StoredSeries> first = store.select("h1", DAY, DAY + 4 * HOUR, ms);
    assertThat(first).singleElement().satisfies(s -> assertThat(s.size()).isEqualTo(90));
    assertThat(cache.misses()).isEqualTo(3);
    assertThat(cache.hits()).isZero();
    assertThat(cache.size()).isEqualTo(3);

    // the chunk rows are gone from Cassandra: only the cache can answer the second query
    deleteChunkRows(cs);
    List<StoredSeries> second = store.select("h1", DAY, DAY + 4 * HOUR, ms);
    assertThat(cache.hits()).isEqualTo(3);
    assertThat(cache.misses()).isEqualTo(3);
    assertThat(second).hasSize(1);
    assertThat(second.get(0).labels()).isEqualTo(first.get(0).labels());
    assertThat(second.get(0).timestamps()).containsExactly(first.get(0).timestamps());
    assertThat(second.get(0).values()).containsExactly(first.get(0).values());
  }

  @Test
  void query_cacheDisabled_readsCassandraEveryTime() {
    ChunkStore store =
        ChunkStore.builder(rows, tables, ChunkStoreTest.CFG).chunkCacheBytes(0).build();
    assertThat(store.chunkCache()).isNull();
    List<Chunk> cs = putChunks(store, "h2", "uncached_m", 1);
    List<Matcher> ms = List.of(Matcher.eq("__name__", "uncached_m"));
    assertThat(store.select("h2", DAY, DAY + HOUR, ms)).hasSize(1);
    deleteChunkRows(cs);
    assertThatThrownBy(() -> store.select("h2", DAY, DAY + HOUR, ms))
        .isInstanceOf(ChunkStoreException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void query_corruptChunk_isNotCached() {
    ChunkStore store = ChunkStore.builder(rows, tables, ChunkStoreTest.CFG).build();
    Chunk c = putChunks(store, "h3", "corrupt_cached_m", 1).get(0);
    byte[] blob = c.blob().clone();
    blob[blob.length - 1] ^= 1;
    rows.putChunk(ChunkStoreTest.CFG.chunkTableFor(DAY), c.key().toString(), blob)
        .toCompletableFuture()
        .join();
    List<Matcher> ms = List.of(Matcher.eq("__name__", "corrupt_cached_m"));
    assertThatThrownBy(() -> store.select("h3", DAY, DAY + HOUR, ms))
        .isInstanceOf(ChunkStoreException.class)
        .hasMessageContaining("checksum");
    assertThat(store.chunkCache().size()).isZero();
    assertThat(store.chunkCache().bytes()).isZero();
  }

  @Test
  void query_moreChunksThanByteBound_evictsAndRefetches() {
    Labels ls = Labels.of("__name__", "evict_m", "job", "x");
    long maxCost = 0;
    for (int i = 0; i < 12; i++) {
      Chunk c = ChunkStoreTest.chunk("h4", ls, DAY + i * HOUR, 30);
      maxCost = Math.max(maxCost, ChunkCache.cost(c.key().toString(), c.blob()));
    }
    long capacity = 8 * maxCost; // room for 8 of the 12 chunks
    ChunkStore store =
        ChunkStore.builder(rows, tables, ChunkStoreTest.CFG).chunkCacheBytes(capacity).build();
    ChunkCache cache = store.chunkCache();
    putChunks(store, "h4", "evict_m", 12);
    List<Matcher> ms = List.of(Matcher.eq("__name__", "evict_m"));
    List<StoredSeries> first = store.select("h4", DAY, DAY + 13 * HOUR, ms);
    assertThat(first).singleElement().satisfies(s -> assertThat(s.size()).isEqualTo(360));
    assertThat(cache.misses()).isEqualTo(12);
    int kept = cache.size();
    assertThat(kept).isBetween(8, 11);
    assertThat(cache.evictions()).isEqualTo(12 - kept);
    assertThat(cache.bytes()).isLessThanOrEqualTo(capacity);

    List<StoredSeries> second = store.select("h4", DAY, DAY + 13 * HOUR, ms);
    assertThat(cache.hits() + cache.misses()).isEqualTo(24);
    assertThat(cache.misses() - 12)
        .as("evicted chunks fetched again")
        .isGreaterThanOrEqualTo(12 - kept);
    assertThat(cache.bytes()).isLessThanOrEqualTo(capacity);
    assertThat(second.get(0).timestamps()).containsExactly(first.get(0).timestamps());
    assertThat(second.get(0).values()).containsExactly(first.get(0).values());
  }

  /** A store with the index cache on and a clock {@code nowMs}; chunk cache off. */
  static ChunkStore indexCached(long bytes, long nowMs) {
    return ChunkStore.builder(rows, tables, ChunkStoreTest.CFG)
        .chunkCacheBytes(0)
        .indexCacheBytes(bytes)
        .indexFrozenAfterMs(13 * HOUR)
        .clock(() -> nowMs)
        .build();
  }

  @Test
  void query_frozenBuckets_indexServedFromCache() {
    ChunkStore store = indexCached(1L << 20, DAY + 10 * 24 * HOUR);
    IndexCache cache = store.indexCache();
    putChunks(store, "i1", "frozen_m", 2);
    List<Matcher> ms = List.of(Matcher.eq("__name__", "frozen_m"), Matcher.eq("job", "x"));
    List<StoredSeries> first = store.select("i1", DAY, DAY + 3 * HOUR, ms);
    assertThat(first).singleElement().satisfies(s -> assertThat(s.size()).isEqualTo(60));
    long misses = cache.misses();
    assertThat(misses).isPositive();
    assertThat(cache.hits()).isZero();
    assertThat(cache.size()).isEqualTo((int) misses);

    List<StoredSeries> second = store.select("i1", DAY, DAY + 3 * HOUR, ms);
    assertThat(cache.hits()).isEqualTo(misses);
    assertThat(cache.misses()).isEqualTo(misses);
    assertThat(second.get(0).labels()).isEqualTo(first.get(0).labels());
    assertThat(second.get(0).timestamps()).containsExactly(first.get(0).timestamps());
    assertThat(second.get(0).values()).containsExactly(first.get(0).values());
  }

  @Test
  void query_recentBuckets_indexNotCached() {
    // the query ends 13 h + 1 day - 1 ms before "now": its buckets may still change
    long end = DAY + 3 * HOUR;
    ChunkStore store = indexCached(1L << 20, end + 13 * HOUR + 24 * HOUR);
    putChunks(store, "i2", "recent_m", 1);
    List<Matcher> ms = List.of(Matcher.eq("__name__", "recent_m"));
    assertThat(store.select("i2", DAY, end, ms)).hasSize(1);
    assertThat(store.select("i2", DAY, end, ms)).hasSize(1);
    assertThat(store.indexCache().hits() + store.indexCache().misses()).isZero();
    assertThat(store.indexCache().size()).isZero();
  }

  @Test
  void query_indexResultsOverByteBound_evicts() {
    ChunkStore big = indexCached(1L << 20, DAY + 10 * 24 * HOUR);
    putChunks(big, "i3", "ievict_m", 1);
    Matcher name = Matcher.eq("__name__", "ievict_m");
    // 40 distinct label-value lookups, each a small cache entry of its own
    for (int i = 0; i < 40; i++) {
      big.select("i3", DAY, DAY + HOUR, List.of(name, Matcher.eq("job", "v" + i)));
    }
    long total = big.indexCache().bytes();
    int all = big.indexCache().size();
    assertThat(big.indexCache().evictions()).isZero();
    assertThat(all).isGreaterThanOrEqualTo(40);

    // a cache of half that size keeps at most half of them and stays within its bound
    long capacity = total / 2;
    ChunkStore small = indexCached(capacity, DAY + 10 * 24 * HOUR);
    for (int i = 0; i < 40; i++) {
      small.select("i3", DAY, DAY + HOUR, List.of(name, Matcher.eq("job", "v" + i)));
    }
    IndexCache c = small.indexCache();
    assertThat(c.evictions()).isPositive();
    assertThat(c.bytes()).isLessThanOrEqualTo(capacity);
    assertThat(c.size()).isPositive().isLessThan(all);
    assertThat(c.size() + c.evictions()).isEqualTo(all);
  }
}
