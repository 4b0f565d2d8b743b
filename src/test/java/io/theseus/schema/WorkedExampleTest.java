package io.theseus.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.theseus.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The worked example of cortex-chunks.md §3.5, as a golden test for every schema version. The
 * expected rows are typed in from the document, never computed by the code under test.
 */
class WorkedExampleTest {
  static final String C = "t1/417c51668d58e26b:17a0f388440:17a10821b40:1a2b3c4d";
  static final String S = "WQBioVV+x501O4kVwKKxUAwD+YyVc1SHj181suPV2T4";
  static final String H_API = "FMJSnrRJjF0f/WkV0Fv1ipG92nlq9Z9B1IDRHAmdBHk";
  static final String H_GET = "FOMM0WPHMpEuBIxMg34VxOkMBi67eVq5R9V3BuLRDdg";
  static final long FROM = 1623753000000L; // 2021-06-15T10:30:00Z
  static final long THROUGH = 1623774600000L; // 2021-06-15T16:30:00Z
  static final long Q_FROM = 1623751200000L; // 10:00
  static final long Q_THROUGH = 1623758400000L; // 12:00
  static final Labels METRIC =
      Labels.of("__name__", "http_requests_total", "job", "api", "method", "GET");
  static final String T = "index_2684";
  static final String B = "t1:d18793";
  static final String M = B + ":http_requests_total";

  static IndexSchema schema(String v) {
    return IndexSchema.of(v, new PeriodicTableConfig("index_", 168 * 3600_000L), 16);
  }

  /** A range or value written as in the document: {@code \0} for NUL. */
  static byte[] b(String s) {
    return s == null ? null : s.replace("\\0", "\0").getBytes(StandardCharsets.UTF_8);
  }

  static IndexEntry e(String hash, String range, String value) {
    return new IndexEntry(T, hash, b(range), b(value));
  }

  static List<IndexEntry> entries(String v) {
    return schema(v).chunkEntries("t1", FROM, THROUGH, METRIC, C);
  }

  @Test
  void derivedValues_matchDocument() {
    assertThat(Keys.seriesString(METRIC))
        .isEqualTo("http_requests_total{job=\"api\", method=\"GET\"}");
    assertThat(Keys.seriesId(METRIC)).isEqualTo(S);
    assertThat(Keys.rowShard(S, 16)).isEqualTo(9);
    assertThat(new String(Keys.valueHash("api"), StandardCharsets.US_ASCII)).isEqualTo(H_API);
    assertThat(new String(Keys.valueHash("GET"), StandardCharsets.US_ASCII)).isEqualTo(H_GET);
    assertThat(new String(Keys.base64("api"), StandardCharsets.US_ASCII)).isEqualTo("YXBp");
    assertThat(new String(Keys.base64("GET"), StandardCharsets.US_ASCII)).isEqualTo("R0VU");
    assertThat(new String(Keys.encodeTime(37800000), StandardCharsets.US_ASCII))
        .isEqualTo("0240c840");
    assertThat(new String(Keys.encodeTime(59400000), StandardCharsets.US_ASCII))
        .isEqualTo("038a5f40");
    assertThat(new PeriodicTableConfig("chunk_", 168 * 3600_000L).tableFor(FROM))
        .isEqualTo("chunk_2684");
    List<Bucket> days = schema("v9").buckets("t1", FROM, THROUGH);
    assertThat(days).containsExactly(new Bucket(T, B, 1623715200000L, 37800000, 59400000));
  }

  @Test
  void chunkEntries_v1HourlyFourteenRows() {
    List<IndexEntry> expected = new ArrayList<>();
    for (int h = 451042; h <= 451048; h++) {
      String hash = "t1:" + h + ":http_requests_total";
      expected.add(e(hash, "job\\0api\\0" + C + "\\0", null));
      expected.add(e(hash, "method\\0GET\\0" + C + "\\0", null));
    }
    assertThat(entries("v1")).containsExactlyInAnyOrderElementsOf(expected).hasSize(14);
    assertThat(schema("v1").buckets("t1", FROM, THROUGH)).hasSize(7);
  }

  @Test
  void chunkEntries_v2DailySameLayoutAsV1() {
    assertThat(entries("v2"))
        .containsExactlyInAnyOrder(
            e(M, "job\\0api\\0" + C + "\\0", null), e(M, "method\\0GET\\0" + C + "\\0", null));
  }

  @Test
  void chunkEntries_v3Base64Values() {
    assertThat(entries("v3"))
        .containsExactlyInAnyOrder(
            e(M, "job\\0YXBp\\0" + C + "\\01\\0", null),
            e(M, "method\\0R0VU\\0" + C + "\\01\\0", null));
  }

  @Test
  void chunkEntries_v4LabelNameInHash() {
    assertThat(entries("v4"))
        .containsExactlyInAnyOrder(
            e(M, "\\0\\0" + C + "\\02\\0", null),
            e(M + ":job", "\\0YXBp\\0" + C + "\\01\\0", null),
            e(M + ":method", "\\0R0VU\\0" + C + "\\01\\0", null));
  }

  @Test
  void chunkEntries_v5ThroughTimeFirst() {
    assertThat(entries("v5"))
        .containsExactlyInAnyOrder(
            e(M, "038a5f40\\0\\0" + C + "\\03\\0", null),
            e(M + ":job", "038a5f40\\0YXBp\\0" + C + "\\04\\0", null),
            e(M + ":method", "038a5f40\\0R0VU\\0" + C + "\\04\\0", null));
  }

  static final IndexEntry[] V6 = {
    e(M, "038a5f40\\0\\0" + C + "\\03\\0", null),
    e(M + ":job", "038a5f40\\0\\0" + C + "\\05\\0", "api"),
    e(M + ":method", "038a5f40\\0\\0" + C + "\\05\\0", "GET")
  };

  @Test
  void chunkEntries_v6ValueInValueColumn() {
    assertThat(entries("v6")).containsExactlyInAnyOrder(V6);
  }

  @Test
  void chunkEntries_v7AddsMetricNameRow() {
    // base64raw(SHA-1("http_requests_total")), checked independently with `sha1sum | base64`.
    List<IndexEntry> v7 = entries("v7");
    assertThat(v7).hasSize(4).contains(V6);
    IndexEntry extra = v7.stream().filter(x -> x.hash().equals(B)).findFirst().orElseThrow();
    assertThat(extra.value()).isEqualTo(b("http_requests_total"));
    assertThat(Keys.decodeRangeKey(extra.range())).hasSize(4);
    assertThat(extra.range()).endsWith(b("\\0\\0\\06\\0")).hasSize(27 + 5);
  }

  @Test
  void chunkEntries_v8AddsSeriesRowWithJson() {
    List<IndexEntry> v8 = entries("v8");
    assertThat(v8)
        .hasSize(4)
        .contains(V6)
        .contains(
            e(
                B,
                S + "\\0\\0\\07\\0",
                "{\"__name__\":\"http_requests_total\",\"job\":\"api\",\"method\":\"GET\"}"));
  }

  static final IndexEntry V9_METRIC = e(M, S + "\\0\\0\\07\\0", "-");
  static final IndexEntry V9_JOB = e(M + ":job", H_API + "\\0" + S + "\\0\\08\\0", "api");
  static final IndexEntry V9_METHOD = e(M + ":method", H_GET + "\\0" + S + "\\0\\08\\0", "GET");

  @Test
  void chunkEntries_v9SeriesIndex() {
    IndexEntry chunk = e(B + ":" + S, "038a5f40\\0\\0" + C + "\\03\\0", null);
    assertThat(entries("v9")).containsExactlyInAnyOrder(V9_METRIC, V9_JOB, V9_METHOD, chunk);
    assertThat(V9_METRIC.range()).hasSize(48);
    assertThat(V9_JOB.range()).hasSize(91);
    IndexSchema v9 = schema("v9");
    assertThat(v9.seriesChunkEntries("t1", FROM, THROUGH, METRIC, C)).containsExactly(chunk);
    List<IndexSchema.BucketEntries> labels = v9.labelEntries("t1", FROM, THROUGH, METRIC);
    assertThat(labels).hasSize(1);
    assertThat(labels.get(0).entries()).containsExactlyInAnyOrder(V9_METRIC, V9_JOB, V9_METHOD);
    assertThat(labels.get(0).cacheKey())
        .isEqualTo(HexFormat.of().formatHex(b("index_2684-t1:d18793-" + S)));
  }

  static IndexEntry shard09(IndexEntry x) {
    return new IndexEntry(x.table(), "09:" + x.hash(), x.range(), x.value());
  }

  static final IndexEntry V10_CHUNK = e(B + ":" + S, "038a5f40\\0\\0" + C + "\\03\\0", "-");

  @Test
  void chunkEntries_v10ShardedLabelRows() {
    assertThat(entries("v10"))
        .containsExactlyInAnyOrder(
            shard09(V9_METRIC), shard09(V9_JOB), shard09(V9_METHOD), V10_CHUNK);
    assertThat(shard09(V9_JOB).hash()).isEqualTo("09:t1:d18793:http_requests_total:job");
  }

  @Test
  void chunkEntries_v11AddsLabelNamesRow() {
    IndexEntry names =
        new IndexEntry(T, S, new byte[] {0, 0, 0, '9', 0}, b("[\"job\",\"method\"]"));
    assertThat(entries("v11"))
        .containsExactlyInAnyOrder(
            shard09(V9_METRIC), shard09(V9_JOB), shard09(V9_METHOD), V10_CHUNK, names);
  }

  @Test
  void chunkEntries_v11ChunkOverTwoDaysWritesLabelNamesOnce() {
    long through = 1623715200000L + 86_400_000L + 3_600_000L; // next day 01:00
    List<IndexEntry> all = schema("v11").chunkEntries("t1", FROM, through, METRIC, C);
    assertThat(all.stream().filter(x -> x.hash().equals(S))).hasSize(1);
    // 2 buckets × (3 label rows + 1 chunk row) + 1 label-names row
    assertThat(all).hasSize(9);
  }

  @Test
  void chunkEntries_v1RejectsNulInValue() {
    Labels bad = Labels.of("__name__", "m", "l", "a\0b");
    assertThatThrownBy(() -> schema("v1").chunkEntries("t1", FROM, THROUGH, bad, C))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NUL");
  }

  @Test
  void chunkEntries_withoutMetricNameRejected() {
    assertThatThrownBy(() -> schema("v9").chunkEntries("t1", FROM, THROUGH, Labels.of("a", "b"), C))
        .hasMessageContaining("metric name");
  }

  // ------------------------------------------------------------------ queries

  static IndexQuery q(String hash, String prefix, String start, String value) {
    return new IndexQuery(T, hash, b(prefix), b(start), b(value));
  }

  @Test
  void queries_v1() {
    IndexSchema v1 = schema("v1");
    long h = 451042L * 3600_000L;
    String hash = "t1:451042:http_requests_total";
    assertThat(v1.metricNameQueries("t1", h, h + 1000, "http_requests_total"))
        .containsExactly(q(hash, null, null, null));
    assertThat(v1.labelValueQueries("t1", h, h + 1000, "http_requests_total", "job", "api"))
        .containsExactly(q(hash, "job\\0api\\0", null, null));
    assertThat(v1.labelNameQueries("t1", h, h + 1000, "http_requests_total", "method"))
        .containsExactly(q(hash, "method\\0", null, null));
  }

  @Test
  void queries_v6From10To12() {
    IndexSchema v6 = schema("v6");
    assertThat(v6.metricNameQueries("t1", Q_FROM, Q_THROUGH, "http_requests_total"))
        .containsExactly(q(M, null, "02255100\\0", null));
    assertThat(v6.labelValueQueries("t1", Q_FROM, Q_THROUGH, "http_requests_total", "job", "api"))
        .containsExactly(q(M + ":job", null, "02255100\\0", "api"));
    assertThat(v6.labelNameQueries("t1", Q_FROM, Q_THROUGH, "http_requests_total", "method"))
        .containsExactly(q(M + ":method", null, "02255100\\0", null));
  }

  @Test
  void queries_v9() {
    IndexSchema v9 = schema("v9");
    assertThat(v9.labelValueQueries("t1", Q_FROM, Q_THROUGH, "http_requests_total", "job", "api"))
        .containsExactly(q(M + ":job", null, H_API + "\\0", "api"));
    assertThat(v9.seriesChunkQueries("t1", Q_FROM, Q_THROUGH, S))
        .containsExactly(q(B + ":" + S, null, "02255100\\0", null));
    assertThat(v9.metricNameQueries("t1", Q_FROM, Q_THROUGH, "http_requests_total"))
        .containsExactly(q(M, null, null, null));
    assertThat(v9.labelNameQueries("t1", Q_FROM, Q_THROUGH, "http_requests_total", "method"))
        .containsExactly(q(M + ":method", null, null, null));
  }

  @Test
  void queries_v10SixteenShards() {
    IndexSchema v10 = schema("v10");
    List<IndexQuery> qs =
        v10.labelValueQueries("t1", Q_FROM, Q_THROUGH, "http_requests_total", "job", "api");
    List<IndexQuery> expected = new ArrayList<>();
    for (String nn :
        List.of(
            "00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13",
            "14", "15")) {
      expected.add(q(nn + ":" + M + ":job", null, H_API + "\\0", "api"));
    }
    assertThat(qs).containsExactlyElementsOf(expected);
    assertThat(v10.seriesChunkQueries("t1", Q_FROM, Q_THROUGH, S))
        .containsExactly(q(B + ":" + S, null, "02255100\\0", null));
    assertThat(v10.metricNameQueries("t1", Q_FROM, Q_THROUGH, "http_requests_total"))
        .hasSize(16)
        .contains(q("15:" + M, null, null, null));
  }

  @Test
  void queries_v11LabelNames() {
    assertThat(schema("v11").labelNamesQueries("t1", Q_FROM, Q_THROUGH, S))
        .containsExactly(q(S, null, null, null));
    assertThatThrownBy(() -> schema("v10").labelNamesQueries("t1", Q_FROM, Q_THROUGH, S))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void queries_v3v4v5() {
    assertThat(
            schema("v3")
                .labelValueQueries("t1", Q_FROM, Q_THROUGH, "http_requests_total", "job", "api"))
        .containsExactly(q(M, "job\\0YXBp\\0", null, null));
    assertThat(
            schema("v4")
                .labelValueQueries("t1", Q_FROM, Q_THROUGH, "http_requests_total", "job", "api"))
        .containsExactly(q(M + ":job", "\\0YXBp\\0", null, null));
    assertThat(
            schema("v5")
                .labelValueQueries("t1", Q_FROM, Q_THROUGH, "http_requests_total", "job", "api"))
        .containsExactly(q(M + ":job", null, null, null));
  }

  // ------------------------------------------------------------------ parsing

  @Test
  void parse_everyWrittenRowOfEveryVersion() {
    for (String v : List.of("v1", "v2", "v3", "v4", "v5", "v6")) {
      for (IndexEntry x : entries(v)) {
        RangeValues.Parsed p = RangeValues.parse(x.range(), x.value());
        assertThat(p.chunkId()).as(v).isEqualTo(C);
        if (x.hash().endsWith(":job")
            || new String(x.range(), StandardCharsets.UTF_8).startsWith("job")) {
          assertThat(p.labelValue()).as(v + " " + x).isEqualTo("api");
        }
      }
    }
    assertThat(RangeValues.parse(V9_METRIC.range(), V9_METRIC.value()))
        .isEqualTo(new RangeValues.Parsed(null, null, S));
    assertThat(RangeValues.parse(V9_JOB.range(), V9_JOB.value()))
        .isEqualTo(new RangeValues.Parsed(null, "api", S));
    assertThat(RangeValues.parse(V10_CHUNK.range(), V10_CHUNK.value()))
        .isEqualTo(new RangeValues.Parsed(C, null, null));
  }

  @Test
  void parse_acceptsOldVersionByte0x01() {
    byte[] range = b("job\\0YXBp\\0" + C + "\\0\u0001\\0");
    assertThat(RangeValues.parse(range, null)).isEqualTo(new RangeValues.Parsed(C, "api", null));
  }

  @Test
  void parse_rejectsShortAndUnknown() {
    assertThatThrownBy(() -> RangeValues.parse(b("a\\0b\\0"), null))
        .hasMessageContaining("invalid chunk time range value: 61006200");
    assertThatThrownBy(() -> RangeValues.parse(b("a\\0b\\0c\\0x\\0"), null))
        .hasMessageContaining("version 0x78");
    assertThatThrownBy(() -> RangeValues.parse(b("a\\0b\\0c\\0xy\\0"), null))
        .hasMessageContaining("version");
  }

  @Test
  void parseLabelNames_jsonArray() {
    assertThat(RangeValues.parseLabelNames(b("[\"job\",\"method\"]")))
        .containsExactly("job", "method");
    assertThatThrownBy(() -> RangeValues.parseLabelNames(b("{}")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
