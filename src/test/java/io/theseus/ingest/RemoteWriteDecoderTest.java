package io.theseus.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.proto.Remote;
import io.theseus.proto.Types;
import io.theseus.proto.v2.WriteV2;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class RemoteWriteDecoderTest {
  record Series(Map<String, String> labels, List<long[]> samples) {}

  @Provide
  Arbitrary<List<Series>> requests() {
    Arbitrary<Map<String, String>> labels =
        Arbitraries.maps(
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8),
                Arbitraries.strings().withCharRange((char) 0, (char) 0xD7FF).ofMaxLength(12))
            .ofMaxSize(6);
    Arbitrary<List<long[]>> samples =
        Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
            .as((t, v) -> new long[] {t, v})
            .list()
            .ofMaxSize(5);
    return Combinators.combine(labels, samples).as(Series::new).list().ofMaxSize(6);
  }

  static byte[] v1(List<Series> req) {
    Remote.WriteRequest.Builder b = Remote.WriteRequest.newBuilder();
    for (Series s : req) {
      Types.TimeSeries.Builder ts = Types.TimeSeries.newBuilder();
      s.labels.forEach((k, v) -> ts.addLabels(Types.Label.newBuilder().setName(k).setValue(v)));
      for (long[] x : s.samples) {
        ts.addSamples(
            Types.Sample.newBuilder().setTimestamp(x[0]).setValue(Double.longBitsToDouble(x[1])));
      }
      b.addTimeseries(ts);
    }
    return b.build().toByteArray();
  }

  static byte[] v2(List<Series> req) {
    WriteV2.Request.Builder b = WriteV2.Request.newBuilder();
    List<String> symbols = new ArrayList<>(List.of(""));
    Map<String, Integer> idx = new LinkedHashMap<>();
    idx.put("", 0);
    for (Series s : req) {
      WriteV2.TimeSeries.Builder ts = WriteV2.TimeSeries.newBuilder();
      s.labels.forEach(
          (k, v) -> {
            for (String x : List.of(k, v)) {
              Integer i = idx.get(x);
              if (i == null) {
                i = symbols.size();
                symbols.add(x);
                idx.put(x, i);
              }
              ts.addLabelsRefs(i);
            }
          });
      for (long[] x : s.samples) {
        ts.addSamples(
            WriteV2.Sample.newBuilder().setTimestamp(x[0]).setValue(Double.longBitsToDouble(x[1])));
      }
      b.addTimeseries(ts);
    }
    b.addAllSymbols(symbols);
    return b.build().toByteArray();
  }

  static void assertDecoded(WriteBatch w, List<Series> req) {
    assertThat(w.series).isEqualTo(req.size());
    for (int s = 0; s < req.size(); s++) {
      Map<String, String> got = new LinkedHashMap<>();
      for (int l = w.labelStart[s]; l < w.labelEnd[s]; l++) {
        got.put(w.name(l), w.value(l));
      }
      assertThat(got).containsExactlyEntriesOf(req.get(s).labels);
      List<long[]> samples = req.get(s).samples;
      assertThat(w.sampleEnd[s] - w.sampleStart[s]).isEqualTo(samples.size());
      for (int i = 0; i < samples.size(); i++) {
        assertThat(w.ts[w.sampleStart[s] + i]).isEqualTo(samples.get(i)[0]);
        assertThat(Double.doubleToRawLongBits(w.val[w.sampleStart[s] + i]))
            .isEqualTo(samples.get(i)[1]);
      }
    }
  }

  @Property(tries = 200)
  void decode_v1RoundTrip(@ForAll("requests") List<Series> req) {
    byte[] bytes = v1(req);
    WriteBatch w = new WriteBatch();
    RemoteWriteDecoder d = new RemoteWriteDecoder();
    assertThat(d.decode(bytes, bytes.length, false, w)).isEqualTo(RemoteWriteDecoder.OK);
    assertDecoded(w, req);
  }

  @Property(tries = 200)
  void decode_v2RoundTrip(@ForAll("requests") List<Series> req) {
    byte[] bytes = v2(req);
    WriteBatch w = new WriteBatch();
    RemoteWriteDecoder d = new RemoteWriteDecoder();
    assertThat(d.decode(bytes, bytes.length, true, w)).isEqualTo(RemoteWriteDecoder.OK);
    assertDecoded(w, req);
  }

  @Property(tries = 100)
  void decode_truncatedInput_returnsStatusNeverThrows(@ForAll("requests") List<Series> req) {
    byte[] bytes = v1(req);
    RemoteWriteDecoder d = new RemoteWriteDecoder();
    WriteBatch w = new WriteBatch();
    for (int cut = 0; cut < bytes.length; cut++) {
      int r = d.decode(bytes, cut, false, w);
      assertThat(r == RemoteWriteDecoder.OK || d.error() != null).isTrue();
      int r2 = d.decode(bytes, cut, true, w);
      assertThat(r2 == RemoteWriteDecoder.OK || d.error() != null).isTrue();
    }
  }

  @Test
  void decode_v1Metadata_keptWithoutSeries() {
    byte[] bytes =
        Remote.WriteRequest.newBuilder()
            .addMetadata(
                Types.MetricMetadata.newBuilder()
                    .setType(Types.MetricMetadata.MetricType.GAUGE)
                    .setMetricFamilyName("up")
                    .setHelp("Target up")
                    .setUnit("u"))
            .build()
            .toByteArray();
    WriteBatch w = new WriteBatch();
    assertThat(new RemoteWriteDecoder().decode(bytes, bytes.length, false, w)).isZero();
    assertThat(w.series).isZero();
    assertThat(w.metadata).isEqualTo(1);
    assertThat(w.metaType[0]).isEqualTo(2);
    assertThat(w.string(w.metaNameOff[0], w.metaNameLen[0])).isEqualTo("up");
    assertThat(w.string(w.metaHelpOff[0], w.metaHelpLen[0])).isEqualTo("Target up");
  }

  @Test
  void decode_v2BadSymbolRef_isError() {
    byte[] bytes =
        WriteV2.Request.newBuilder()
            .addSymbols("")
            .addSymbols("__name__")
            .addTimeseries(WriteV2.TimeSeries.newBuilder().addLabelsRefs(1).addLabelsRefs(7))
            .build()
            .toByteArray();
    RemoteWriteDecoder d = new RemoteWriteDecoder();
    assertThat(d.decode(bytes, bytes.length, true, new WriteBatch()))
        .isEqualTo(RemoteWriteDecoder.ERROR);
    assertThat(d.error()).contains("out of range");
  }

  @Test
  void decode_v2FirstSymbolNotEmpty_isError() {
    byte[] bytes = WriteV2.Request.newBuilder().addSymbols("x").build().toByteArray();
    RemoteWriteDecoder d = new RemoteWriteDecoder();
    assertThat(d.decode(bytes, bytes.length, true, new WriteBatch()))
        .isEqualTo(RemoteWriteDecoder.ERROR);
    assertThat(d.error()).contains("symbols[0]");
  }

  @Test
  void decode_histogramsAndExemplars_counted() {
    byte[] bytes =
        Remote.WriteRequest.newBuilder()
            .addTimeseries(
                Types.TimeSeries.newBuilder()
                    .addLabels(Types.Label.newBuilder().setName("__name__").setValue("h"))
                    .addHistograms(Types.Histogram.newBuilder().setTimestamp(5).setSum(1))
                    .addExemplars(Types.Exemplar.newBuilder().setTimestamp(5).setValue(1)))
            .build()
            .toByteArray();
    WriteBatch w = new WriteBatch();
    assertThat(new RemoteWriteDecoder().decode(bytes, bytes.length, false, w)).isZero();
    assertThat(w.histograms[0]).isEqualTo(1);
    assertThat(w.exemplars[0]).isEqualTo(1);
  }

  @Property(tries = 100)
  void snappy_roundTrip(@ForAll byte[] raw) {
    byte[] c = SnappyBlock.compress(raw);
    SnappyBlock s = new SnappyBlock();
    assertThat(s.decompress(c, c.length, 1 << 20)).isEqualTo(SnappyBlock.OK);
    assertThat(java.util.Arrays.copyOf(s.buffer(), s.length())).isEqualTo(raw);
  }

  @Test
  void snappy_declaredLengthOverLimit_tooLarge() {
    byte[] c = SnappyBlock.compress(new byte[5000]);
    SnappyBlock s = new SnappyBlock();
    assertThat(s.decompress(c, c.length, 4999)).isEqualTo(SnappyBlock.TOO_LARGE);
    assertThat(s.decompress(new byte[] {(byte) 0xff, 1, 2}, 3, 1000)).isEqualTo(SnappyBlock.CORRUPT);
    assertThat(s.decompress(new byte[] {10, 0x7f}, 2, 1000)).isEqualTo(SnappyBlock.CORRUPT);
  }
}
