package io.theseus.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Round-trip and layout properties of the index key codecs, over random series. */
class KeysPropertiesTest {
  static final List<String> VERSIONS =
      List.of("v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11");

  @Provide
  Arbitrary<Labels> series() {
    Arbitrary<String> names =
        Arbitraries.strings().withCharRange('a', 'c').ofMinLength(1).ofMaxLength(3);
    Arbitrary<String> values =
        Arbitraries.strings()
            .withCharRange('\u0001', '\u00ff')
            .withChars('日', '本', '"', '\\', '\n')
            .ofMinLength(1)
            .ofMaxLength(12);
    Arbitrary<String> metric =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withChars(':', '_')
            .ofMinLength(1)
            .ofMaxLength(8);
    return Arbitraries.maps(names, values)
        .ofMaxSize(5)
        .flatMap(
            m ->
                metric.map(
                    n -> {
                      Map<String, String> all = new java.util.HashMap<>(m);
                      all.put("__name__", n);
                      return Labels.of(all);
                    }));
  }

  @Property
  void rangeKey_decodeRoundTrip(@ForAll("components") List<String> parts) {
    byte[][] raw =
        parts.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    List<byte[]> back = Keys.decodeRangeKey(Keys.rangeKey(raw));
    assertThat(back).hasSize(raw.length);
    for (int i = 0; i < raw.length; i++) {
      assertThat(back.get(i)).isEqualTo(raw[i]);
    }
  }

  @Provide
  Arbitrary<List<String>> components() {
    return Arbitraries.strings()
        .withCharRange('\u0001', '\u00ff')
        .ofMaxLength(6)
        .list()
        .ofMaxSize(5);
  }

  @Property
  void encodeTime_hexOfUint32AndOrderPreserving(
      @ForAll @LongRange(min = 0, max = 0xFFFFFFFFL) long a,
      @ForAll @LongRange(min = 0, max = 0xFFFFFFFFL) long b) {
    String ea = new String(Keys.encodeTime(a), StandardCharsets.US_ASCII);
    assertThat(ea).hasSize(8).matches("[0-9a-f]{8}");
    assertThat(Long.parseLong(ea, 16)).isEqualTo(a);
    assertThat(Integer.signum(Arrays.compareUnsigned(Keys.encodeTime(a), Keys.encodeTime(b))))
        .isEqualTo(Long.signum(a - b));
  }

  @Property
  void base64_roundTrip(@ForAll("values") String v) {
    byte[] b64 = Keys.base64(v);
    assertThat(new String(b64, StandardCharsets.US_ASCII)).doesNotContain("=");
    assertThat(new String(Keys.base64Decode(b64), StandardCharsets.UTF_8)).isEqualTo(v);
  }

  @Provide
  Arbitrary<String> values() {
    return Arbitraries.strings().ofMaxLength(40);
  }

  @Property(tries = 200)
  void writtenEntries_parseBackToChunkValueAndSeries(
      @ForAll("series") Labels metric,
      @ForAll @IntRange(min = 0, max = 10) int vi,
      @ForAll @LongRange(min = 1_600_000_000_000L, max = 1_700_000_000_000L) long from,
      @ForAll @LongRange(min = 0, max = 3 * 86_400_000L) long len) {
    String version = VERSIONS.get(vi);
    IndexSchema s = IndexSchema.of(version, new PeriodicTableConfig("index_", 604_800_000L), 16);
    String chunk = "u/1:" + Long.toHexString(from) + ":" + Long.toHexString(from + len) + ":0";
    String sid = Keys.seriesId(metric);
    List<IndexEntry> all = s.chunkEntries("u", from, from + len, metric, chunk);
    int buckets = s.buckets("u", from, from + len).size();
    List<String> hashes = new ArrayList<>();
    for (IndexEntry e : all) {
      hashes.add(e.hash());
      assertThat(e.hash()).doesNotEndWith(MetricNameIndex.HASH_SUFFIX);
      boolean v7v8Extra =
          (version.equals("v7") || version.equals("v8")) && e.hash().split(":").length == 2;
      if (e.hash().equals(sid) || v7v8Extra) {
        continue;
      }
      RangeValues.Parsed p = RangeValues.parse(e.range(), e.value());
      if (p.chunkId() != null) {
        assertThat(p.chunkId()).isEqualTo(chunk);
      } else {
        assertThat(p.seriesId()).isEqualTo(sid);
      }
      if (p.labelValue() != null && !p.labelValue().isEmpty()) {
        String[] parts = e.hash().split(":");
        String label =
            Integer.parseInt(version.substring(1)) >= 4
                ? parts[parts.length - 1]
                : new String(Keys.decodeRangeKey(e.range()).get(0), StandardCharsets.UTF_8);
        assertThat(p.labelValue()).isEqualTo(metric.get(label));
      }
    }
    int labels = metric.size() - 1;
    int expected =
        switch (version) {
          case "v1", "v2", "v3" -> buckets * labels;
          case "v4", "v5", "v6" -> buckets * (labels + 1);
          case "v7", "v8" -> buckets * (labels + 2);
          case "v9", "v10" -> buckets * (labels + 2);
          default -> buckets * (labels + 2) + 1;
        };
    assertThat(all).hasSize(expected);
    assertThat(hashes).allMatch(h -> !h.isEmpty());
  }

  @Property(tries = 100)
  void metricNameIndex_neverCollidesWithCortexReads(
      @ForAll("series") Labels metric, @ForAll @IntRange(min = 0, max = 10) int vi) {
    IndexSchema s =
        IndexSchema.of(VERSIONS.get(vi), new PeriodicTableConfig("index_", 604_800_000L), 16);
    long t = 1_623_753_000_000L;
    String name = metric.metricName();
    List<IndexQuery> cortex = new ArrayList<>(s.metricNameQueries("u", t, t + 1, name));
    for (int i = 0; i < metric.size(); i++) {
      cortex.addAll(s.labelNameQueries("u", t, t + 1, name, metric.name(i)));
      cortex.addAll(s.labelValueQueries("u", t, t + 1, name, metric.name(i), metric.value(i)));
    }
    if (s.indexesSeries()) {
      cortex.addAll(s.seriesChunkQueries("u", t, t + 1, Keys.seriesId(metric)));
    }
    List<IndexEntry> ext = MetricNameIndex.entries(s, "u", t, t + 1, name).get(0).entries();
    for (IndexQuery q : cortex) {
      assertThat(q.hash()).isNotEqualTo(ext.get(0).hash());
    }
    assertThat(MetricNameIndex.parse(ext.get(0).range())).isEqualTo(name);
    assertThat(HexFormat.of().formatHex(ext.get(0).value())).isEqualTo("2d");
  }
}
