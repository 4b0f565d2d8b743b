package io.theseus.schema;

import io.theseus.model.Labels;
import java.util.List;

/**
 * The index layout of one Cortex schema version (v1..v11) in one schema period: which index entries
 * a chunk or series writes, and which index queries answer a matcher (cortex-chunks.md §3.2, §3.3).
 * All times are Unix ms; [from, through] is inclusive and should already be clipped to the period
 * ({@link SchemaConfig#split}).
 *
 * <p>Write side. v1–v8 index chunks: {@link #chunkEntries} is everything a chunk writes. v9+ index
 * series: {@link #labelEntries} are written once per series per bucket (deduplicated by {@link
 * BucketEntries#cacheKey}, Cortex's write-dedupe cache key), and {@link #seriesChunkEntries} once
 * per chunk. {@link #chunkEntries} is always the union Cortex writes for one chunk with an empty
 * dedupe cache, duplicates removed by (table, hash, range).
 *
 * <p>Read side. Each method returns one query per bucket (per shard for v10+). Rows are parsed with
 * {@link RangeValues#parse}.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface IndexSchema {

  /** The schema's layout for a period config. */
  static IndexSchema of(PeriodConfig period) {
    return new CortexIndexSchema(period.version(), period.index(), period.rowShards());
  }

  /** A schema version with the given index tables; rowShards is used by v10/v11 only. */
  static IndexSchema of(String version, PeriodicTableConfig index, int rowShards) {
    if (!PeriodConfig.VERSIONS.contains(version)) {
      throw new IllegalArgumentException("unknown schema version '" + version + "'");
    }
    int v = Integer.parseInt(version.substring(1));
    if (v >= 10 && rowShards <= 0) {
      throw new IllegalArgumentException("row_shards must be > 0 for schema " + version);
    }
    return new CortexIndexSchema(v, index, rowShards);
  }

  /** Label entries of one series in one bucket, with Cortex's write-dedupe cache key. */
  record BucketEntries(String cacheKey, List<IndexEntry> entries) {}

  /** "v1".."v11". */
  String version();

  /** True for v9+: the index maps labels to series and series to chunks. */
  boolean indexesSeries();

  /** v10/v11 row shards; 0 for other versions. */
  int rowShards();

  /** The hour (v1) or day buckets that [from, through] touches. */
  List<Bucket> buckets(String userId, long from, long through);

  // ---- write side ----

  /** Every index entry Cortex writes for one chunk (with an empty dedupe cache), deduplicated. */
  List<IndexEntry> chunkEntries(
      String userId, long from, long through, Labels metric, String chunkId);

  /** v9+: label entries per bucket, to be written once per series per bucket. Empty for v1–v8. */
  List<BucketEntries> labelEntries(String userId, long from, long through, Labels metric);

  /** v9+: the series→chunk entries of one chunk. v1–v8: same as {@link #chunkEntries}. */
  List<IndexEntry> seriesChunkEntries(
      String userId, long from, long through, Labels metric, String chunkId);

  // ---- read side ----

  /** Queries for all chunks (v1–v8) or series (v9+) of a metric. */
  List<IndexQuery> metricNameQueries(String userId, long from, long through, String metricName);

  /**
   * Queries for every value of label {@code labelName} of a metric ({@code !=}, {@code =~}, {@code
   * !~} matchers and the label-values API): parse the rows and test each value.
   */
  List<IndexQuery> labelNameQueries(
      String userId, long from, long through, String metricName, String labelName);

  /**
   * Queries for {@code labelName="value"}. v5 and v9+ rows may hold other values too (v5 reads the
   * whole row; v9+ reads from the value hash onwards): always test the parsed label value.
   */
  List<IndexQuery> labelValueQueries(
      String userId, long from, long through, String metricName, String labelName, String value);

  /** v9+: the series→chunk queries of one series. */
  List<IndexQuery> seriesChunkQueries(String userId, long from, long through, String seriesId);

  /** v11: the seriesID→label-names queries (rows hold JSON arrays; add {@code __name__}). */
  List<IndexQuery> labelNamesQueries(String userId, long from, long through, String seriesId);

  /**
   * Cortex's write-dedupe cache key of a series in a bucket: hex of {@code <table>-<bucket hash
   * key>-<seriesID>}.
   */
  static String writeDedupeKey(Bucket bucket, String seriesId) {
    byte[] k = Keys.utf8(bucket.table() + "-" + bucket.hashKey() + "-" + seriesId);
    return java.util.HexFormat.of().formatHex(k);
  }
}
