package io.theseus.schema;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * THESEUS EXTENSION (not Cortex): an additive index of the metric names of a tenant per bucket, so
 * that selectors without a metric name ({@code {job="api"}}, Cortex issue #416) can be answered:
 * read the names of each bucket, then run the normal per-metric queries for each name.
 *
 * <p>One row per tenant per bucket (the schema's own buckets: hourly for v1, daily otherwise), in
 * the same index table as the bucket's Cortex rows:
 *
 * <pre>
 * hash                 range                      value
 * &lt;B&gt;:~names           M 00 00 00 't' 00          "-"
 * e.g. t1:d18793:~names  http_requests_total 00 00 00 74 00   2d
 * </pre>
 *
 * <p>Why Cortex readers ignore it: Cortex only ever reads the hashes {@code B:M}, {@code B:M:L},
 * {@code NN:B:M[:L]}, {@code B:S} and {@code S}. Metric and label names cannot contain {@code ~}
 * ({@code [a-zA-Z_:][a-zA-Z0-9_:]*}), a seriesID is base64 and a shard is digits, so no hash Cortex
 * reads ends in {@code :~names}; Cortex never sees these rows, and no Cortex row changes. The
 * version byte {@code 't'} (0x74) is unused by Cortex, so a tool that scans whole tables can tell
 * the rows apart. The value is {@code "-"}, not null, to avoid Cassandra tombstones.
 *
 * <p>Writes are idempotent; the store should write each (bucket, metric) once, keyed by {@link
 * IndexSchema.BucketEntries#cacheKey} = hex({@code <table>-<B>-~names-<M>}). Stateless.
 */
public final class MetricNameIndex {
  /** Hash suffix of the metric-names row. */
  public static final String HASH_SUFFIX = ":~names";

  /** Version byte of a metric-names range ('t' for Theseus). */
  public static final byte VERSION = 't';

  private static final byte[] VERSION_BYTES = {VERSION};
  private static final byte[] DASH = {'-'};

  private MetricNameIndex() {}

  /** The metric-names entries of one metric in every bucket of [from, through]. */
  public static List<IndexSchema.BucketEntries> entries(
      IndexSchema schema, String userId, long from, long through, String metricName) {
    if (metricName == null || metricName.isEmpty()) {
      throw new IllegalArgumentException("metric-names entry without a metric name");
    }
    byte[] range = Keys.rangeKey(Keys.utf8(metricName), null, null, VERSION_BYTES);
    List<IndexSchema.BucketEntries> out = new ArrayList<>();
    for (Bucket b : schema.buckets(userId, from, through)) {
      String hash = b.hashKey() + HASH_SUFFIX;
      String key =
          HexFormat.of()
              .formatHex(
                  (b.table() + "-" + b.hashKey() + "-~names-" + metricName)
                      .getBytes(StandardCharsets.UTF_8));
      out.add(
          new IndexSchema.BucketEntries(
              key, List.of(new IndexEntry(b.table(), hash, range, DASH))));
    }
    return out;
  }

  /** Whole-row reads of the metric-names rows of every bucket of [from, through]. */
  public static List<IndexQuery> queries(
      IndexSchema schema, String userId, long from, long through) {
    List<IndexQuery> out = new ArrayList<>();
    for (Bucket b : schema.buckets(userId, from, through)) {
      out.add(IndexQuery.wholeRow(b.table(), b.hashKey() + HASH_SUFFIX));
    }
    return out;
  }

  /**
   * The metric name of a metric-names row.
   *
   * @throws IllegalArgumentException if the range is not a metric-names range
   */
  public static String parse(byte[] range) {
    List<byte[]> c = Keys.decodeRangeKey(range);
    if (c.size() != 4 || c.get(3).length != 1 || c.get(3)[0] != VERSION || c.get(0).length == 0) {
      throw new IllegalArgumentException(
          "not a Theseus metric-names range: " + HexFormat.of().formatHex(range));
    }
    return new String(c.get(0), StandardCharsets.UTF_8);
  }
}
