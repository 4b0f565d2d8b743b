package io.theseus.schema;

import static io.theseus.schema.Keys.ascii;
import static io.theseus.schema.Keys.encodeTime;
import static io.theseus.schema.Keys.rangeKey;
import static io.theseus.schema.Keys.utf8;

import io.theseus.model.Labels;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cortex's index schemas v1..v11 (cortex-chunks.md §3.2/§3.3), one class switching on the version.
 * Notation: B = bucket hash key, M = metric name, L/V = label name/value, C = chunk ID, T =
 * encodeTime(relThrough), F = encodeTime(relFrom), S = seriesID, H(V) = value hash, NN = row shard
 * ({@code %02d}), ∅ = null value.
 *
 * <pre>
 * ver  hash          range                          value
 * v1/2 B:M           L 00 V 00 C 00                 ∅      (v1 hourly buckets)
 * v3   B:M           L 00 b64V 00 C 00 '1' 00       ∅
 * v4   B:M           00 00 C 00 '2' 00              ∅
 *      B:M:L         00 b64V 00 C 00 '1' 00         ∅
 * v5   B:M           T 00 00 C 00 '3' 00            ∅
 *      B:M:L         T 00 b64V 00 C 00 '4' 00       ∅
 * v6   B:M           T 00 00 C 00 '3' 00            ∅
 *      B:M:L         T 00 00 C 00 '5' 00            V
 * v7   v6 + B        b64(SHA1(M)) 00 00 00 '6' 00   M
 * v8   v6 + B        S 00 00 00 '7' 00              JSON of the metric
 * v9   B:M           S 00 00 00 '7' 00              "-"    (label entries, per series)
 *      B:M:L         H(V) 00 S 00 00 '8' 00         V
 *      B:S           T 00 00 C 00 '3' 00            ∅      (per chunk)
 * v10  NN:B:M, NN:B:M:L as v9; B:S with value "-"
 * v11  v10 + S       00 00 00 '9' 00                JSON array of label names
 * </pre>
 *
 * Immutable and thread-safe.
 */
final class CortexIndexSchema implements IndexSchema {
  private static final byte[] V1 = {'1'};
  private static final byte[] V2 = {'2'};
  private static final byte[] V3 = {'3'};
  private static final byte[] V4 = {'4'};
  private static final byte[] V5 = {'5'};
  private static final byte[] METRIC_NAME_V1 = {'6'};
  private static final byte[] SERIES_V1 = {'7'};
  private static final byte[] LABEL_SERIES_V1 = {'8'};
  private static final byte[] LABEL_NAMES_V1 = {'9'};
  private static final byte[] DASH = {'-'};

  private final int version;
  private final PeriodicTableConfig index;
  private final int rowShards;

  CortexIndexSchema(int version, PeriodicTableConfig index, int rowShards) {
    if (version < 1 || version > 11) {
      throw new IllegalArgumentException("unknown schema version v" + version);
    }
    this.version = version;
    this.index = index;
    this.rowShards = version >= 10 ? rowShards : 0;
    if (version >= 10 && rowShards <= 0) {
      throw new IllegalArgumentException("row_shards must be > 0 for schema v" + version);
    }
  }

  @Override
  public String version() {
    return "v" + version;
  }

  @Override
  public boolean indexesSeries() {
    return version >= 9;
  }

  @Override
  public int rowShards() {
    return rowShards;
  }

  @Override
  public List<Bucket> buckets(String userId, long from, long through) {
    long size = version == 1 ? Bucket.HOUR_MS : Bucket.DAY_MS;
    long sizeSecs = size / 1000;
    String sep = version == 1 ? ":" : ":d";
    // Go: from.Unix() / secondsInBucket, integer division truncating towards zero.
    long first = (from / 1000) / sizeSecs;
    long last = (through / 1000) / sizeSecs;
    List<Bucket> out = new ArrayList<>((int) Math.max(1, last - first + 1));
    for (long i = first; i <= last; i++) {
      long start = i * size;
      long relFrom = Math.max(0, from - start);
      long relThrough = Math.min(size, through - start);
      out.add(
          new Bucket(
              index.tableFor(start),
              userId + sep + i,
              start,
              relFrom & 0xFFFFFFFFL,
              relThrough & 0xFFFFFFFFL));
    }
    return out;
  }

  // ------------------------------------------------------------------ write side

  @Override
  public List<IndexEntry> chunkEntries(
      String userId, long from, long through, Labels metric, String chunkId) {
    String name = metricName(metric);
    List<IndexEntry> all = new ArrayList<>();
    if (version >= 9) {
      String sid = Keys.seriesId(metric);
      for (Bucket b : buckets(userId, from, through)) {
        all.addAll(labelWriteEntries(b, name, metric, sid));
      }
      for (Bucket b : buckets(userId, from, through)) {
        all.add(chunkWriteEntry(b, sid, chunkId));
      }
    } else {
      for (Bucket b : buckets(userId, from, through)) {
        all.addAll(writeEntries(b, name, metric, chunkId));
      }
    }
    return dedupe(all);
  }

  @Override
  public List<BucketEntries> labelEntries(String userId, long from, long through, Labels metric) {
    if (version < 9) {
      return List.of();
    }
    String name = metricName(metric);
    String sid = Keys.seriesId(metric);
    List<BucketEntries> out = new ArrayList<>();
    for (Bucket b : buckets(userId, from, through)) {
      out.add(
          new BucketEntries(
              IndexSchema.writeDedupeKey(b, sid), labelWriteEntries(b, name, metric, sid)));
    }
    return out;
  }

  @Override
  public List<IndexEntry> seriesChunkEntries(
      String userId, long from, long through, Labels metric, String chunkId) {
    if (version < 9) {
      return chunkEntries(userId, from, through, metric, chunkId);
    }
    metricName(metric);
    String sid = Keys.seriesId(metric);
    List<IndexEntry> out = new ArrayList<>();
    for (Bucket b : buckets(userId, from, through)) {
      out.add(chunkWriteEntry(b, sid, chunkId));
    }
    return dedupe(out);
  }

  /** v1–v8: the entries of one chunk in one bucket. */
  private List<IndexEntry> writeEntries(Bucket b, String name, Labels metric, String chunkId) {
    List<IndexEntry> out = new ArrayList<>(metric.size() + 2);
    String t = b.table();
    String hm = b.hashKey() + ":" + name;
    byte[] c = utf8(chunkId);
    byte[] through = encodeTime(b.relThrough());
    switch (version) {
      case 4 -> out.add(new IndexEntry(t, hm, rangeKey(null, null, c, V2), null));
      case 5, 6, 7, 8 -> out.add(new IndexEntry(t, hm, rangeKey(through, null, c, V3), null));
      default -> {}
    }
    for (int i = 0; i < metric.size(); i++) {
      String l = metric.name(i);
      if (l.equals(Labels.METRIC_NAME)) {
        continue;
      }
      String v = metric.value(i);
      String hml = hm + ":" + l;
      switch (version) {
        case 1, 2 -> {
          if (v.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(
                "schema v"
                    + version
                    + ": label values cannot contain a NUL byte (label "
                    + l
                    + ")");
          }
          out.add(new IndexEntry(t, hm, rangeKey(utf8(l), utf8(v), c), null));
        }
        case 3 -> out.add(new IndexEntry(t, hm, rangeKey(utf8(l), Keys.base64(v), c, V1), null));
        case 4 -> out.add(new IndexEntry(t, hml, rangeKey(null, Keys.base64(v), c, V1), null));
        case 5 -> out.add(new IndexEntry(t, hml, rangeKey(through, Keys.base64(v), c, V4), null));
        default -> out.add(new IndexEntry(t, hml, rangeKey(through, null, c, V5), utf8(v)));
      }
    }
    if (version == 7) {
      byte[] nameHash = Keys.base64Raw(Keys.sha1(utf8(name)));
      out.add(
          new IndexEntry(
              t, b.hashKey(), rangeKey(nameHash, null, null, METRIC_NAME_V1), utf8(name)));
    } else if (version == 8) {
      StringBuilder json = new StringBuilder("{");
      for (int i = 0; i < metric.size(); i++) {
        if (i > 0) {
          json.append(',');
        }
        Keys.appendJsonString(json, metric.name(i), true);
        json.append(':');
        Keys.appendJsonString(json, metric.value(i), true);
      }
      json.append('}');
      out.add(
          new IndexEntry(
              t,
              b.hashKey(),
              rangeKey(ascii(Keys.seriesId(metric)), null, null, SERIES_V1),
              utf8(json.toString())));
    }
    return out;
  }

  /** v9+: label entries of one series in one bucket. */
  private List<IndexEntry> labelWriteEntries(Bucket b, String name, Labels metric, String sid) {
    List<IndexEntry> out = new ArrayList<>(metric.size() + 2);
    String t = b.table();
    String prefix = version >= 10 ? Keys.twoDigits(Keys.rowShard(sid, rowShards)) + ":" : "";
    String hm = prefix + b.hashKey() + ":" + name;
    byte[] s = ascii(sid);
    out.add(new IndexEntry(t, hm, rangeKey(s, null, null, SERIES_V1), DASH));
    StringBuilder names = new StringBuilder("[");
    for (int i = 0; i < metric.size(); i++) {
      String l = metric.name(i);
      if (l.equals(Labels.METRIC_NAME)) {
        continue;
      }
      String v = metric.value(i);
      out.add(
          new IndexEntry(
              t, hm + ":" + l, rangeKey(Keys.valueHash(v), s, null, LABEL_SERIES_V1), utf8(v)));
      if (names.length() > 1) {
        names.append(',');
      }
      Keys.appendJsonString(names, l, false);
    }
    if (version >= 11) {
      names.append(']');
      out.add(
          new IndexEntry(
              t, sid, rangeKey(null, null, null, LABEL_NAMES_V1), utf8(names.toString())));
    }
    return out;
  }

  /** v9+: the series→chunk entry of one chunk in one bucket. */
  private IndexEntry chunkWriteEntry(Bucket b, String sid, String chunkId) {
    return new IndexEntry(
        b.table(),
        b.hashKey() + ":" + sid,
        rangeKey(encodeTime(b.relThrough()), null, utf8(chunkId), V3),
        version >= 10 ? DASH : null);
  }

  /** Removes entries with the same (table, hash, range), keeping the first. */
  static List<IndexEntry> dedupe(List<IndexEntry> entries) {
    Map<String, IndexEntry> seen = new LinkedHashMap<>();
    HexFormat hex = HexFormat.of();
    for (IndexEntry e : entries) {
      seen.putIfAbsent(e.table() + ":" + e.hash() + ":" + hex.formatHex(e.range()), e);
    }
    return seen.size() == entries.size() ? entries : new ArrayList<>(seen.values());
  }

  private String metricName(Labels metric) {
    String name = metric.metricName();
    if (name.isEmpty()) {
      throw new IllegalArgumentException("series without a metric name: " + metric);
    }
    return name;
  }

  // ------------------------------------------------------------------ read side

  private String shardPrefix(int shard) {
    return Keys.twoDigits(shard) + ":";
  }

  @Override
  public List<IndexQuery> metricNameQueries(
      String userId, long from, long through, String metricName) {
    List<IndexQuery> out = new ArrayList<>();
    for (Bucket b : buckets(userId, from, through)) {
      String hm = b.hashKey() + ":" + metricName;
      if (version >= 10) {
        for (int i = 0; i < rowShards; i++) {
          out.add(IndexQuery.wholeRow(b.table(), shardPrefix(i) + hm));
        }
      } else if (version >= 6 && version <= 8) {
        out.add(new IndexQuery(b.table(), hm, null, rangeKey(encodeTime(b.relFrom())), null));
      } else {
        out.add(IndexQuery.wholeRow(b.table(), hm));
      }
    }
    return out;
  }

  @Override
  public List<IndexQuery> labelNameQueries(
      String userId, long from, long through, String metricName, String labelName) {
    List<IndexQuery> out = new ArrayList<>();
    for (Bucket b : buckets(userId, from, through)) {
      String hm = b.hashKey() + ":" + metricName;
      String hml = hm + ":" + labelName;
      switch (version) {
        case 1, 2, 3 ->
            out.add(new IndexQuery(b.table(), hm, rangeKey(utf8(labelName)), null, null));
        case 4, 5, 9 -> out.add(IndexQuery.wholeRow(b.table(), hml));
        case 6, 7, 8 ->
            out.add(new IndexQuery(b.table(), hml, null, rangeKey(encodeTime(b.relFrom())), null));
        default -> {
          for (int i = 0; i < rowShards; i++) {
            out.add(IndexQuery.wholeRow(b.table(), shardPrefix(i) + hml));
          }
        }
      }
    }
    return out;
  }

  @Override
  public List<IndexQuery> labelValueQueries(
      String userId, long from, long through, String metricName, String labelName, String value) {
    List<IndexQuery> out = new ArrayList<>();
    for (Bucket b : buckets(userId, from, through)) {
      String hm = b.hashKey() + ":" + metricName;
      String hml = hm + ":" + labelName;
      String t = b.table();
      switch (version) {
        case 1, 2 ->
            out.add(new IndexQuery(t, hm, rangeKey(utf8(labelName), utf8(value)), null, null));
        case 3 ->
            out.add(
                new IndexQuery(t, hm, rangeKey(utf8(labelName), Keys.base64(value)), null, null));
        case 4 -> out.add(new IndexQuery(t, hml, rangeKey(null, Keys.base64(value)), null, null));
        case 5 -> out.add(IndexQuery.wholeRow(t, hml));
        case 6, 7, 8 ->
            out.add(new IndexQuery(t, hml, null, rangeKey(encodeTime(b.relFrom())), utf8(value)));
        case 9 ->
            out.add(new IndexQuery(t, hml, null, rangeKey(Keys.valueHash(value)), utf8(value)));
        default -> {
          byte[] start = rangeKey(Keys.valueHash(value));
          for (int i = 0; i < rowShards; i++) {
            out.add(new IndexQuery(t, shardPrefix(i) + hml, null, start, utf8(value)));
          }
        }
      }
    }
    return out;
  }

  @Override
  public List<IndexQuery> seriesChunkQueries(
      String userId, long from, long through, String seriesId) {
    requireVersion(9, "series→chunk queries");
    List<IndexQuery> out = new ArrayList<>();
    for (Bucket b : buckets(userId, from, through)) {
      out.add(
          new IndexQuery(
              b.table(),
              b.hashKey() + ":" + seriesId,
              null,
              rangeKey(encodeTime(b.relFrom())),
              null));
    }
    return out;
  }

  @Override
  public List<IndexQuery> labelNamesQueries(
      String userId, long from, long through, String seriesId) {
    requireVersion(11, "label-names queries");
    List<IndexQuery> out = new ArrayList<>();
    String lastTable = null;
    for (Bucket b : buckets(userId, from, through)) {
      if (!b.table().equals(lastTable)) {
        out.add(IndexQuery.wholeRow(b.table(), seriesId));
        lastTable = b.table();
      }
    }
    return out;
  }

  private void requireVersion(int min, String what) {
    if (version < min) {
      throw new UnsupportedOperationException(
          "schema v" + version + " has no " + what + " (needs v" + min + "+)");
    }
  }

  @Override
  public String toString() {
    return "IndexSchema[v"
        + version
        + ", "
        + index
        + (rowShards > 0 ? ", shards " + rowShards : "")
        + "]";
  }
}
