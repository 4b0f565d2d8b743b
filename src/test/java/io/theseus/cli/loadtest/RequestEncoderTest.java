package io.theseus.cli.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlift.compress.snappy.SnappyDecompressor;
import io.theseus.proto.Remote;
import io.theseus.proto.Types;
import io.theseus.proto.v2.WriteV2;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class RequestEncoderTest {
  private static SeriesModel model(Workload.Protocol p, int replicas) {
    Workload.Builder b = new Workload.Builder();
    b.protocol = p;
    b.series = 50;
    b.labels = 5;
    b.familySize = 10;
    b.haReplicas = replicas;
    b.connections = 1;
    b.targets.add(new Target("t", "discard", null, null, null, null, 0));
    return new SeriesModel(b.build(), 0);
  }

  private static byte[] raw(RequestEncoder e) {
    byte[] raw = new byte[SnappyDecompressor.getUncompressedLength(e.compressed, 0)];
    new SnappyDecompressor().decompress(e.compressed, 0, e.compressedLen, raw, 0, raw.length);
    return raw;
  }

  @Provide
  Arbitrary<List<double[]>> samples() {
    // {slot, gen, ts, value bits}: any double bit pattern incl. NaN payloads and -0.0
    return Arbitraries.longs()
        .map(bits -> bits)
        .tuple4()
        .map(t -> new double[] {
          Math.floorMod(t.get1(), 50), Math.floorMod(t.get2(), 3), Math.floorMod(t.get3(), 1L << 45),
          Double.longBitsToDouble(t.get4())})
        .list()
        .ofMaxSize(300);
  }

  @Property(tries = 60)
  void encode_rw1RoundTripsThroughProtobuf(
      @ForAll("samples") List<double[]> in, @ForAll @IntRange(min = 0, max = 1) int replica) throws Exception {
    SeriesModel m = model(Workload.Protocol.RW1, 2);
    RequestEncoder e = new RequestEncoder(m);
    Batch b = fill(in);
    e.encode(b, replica);
    List<Types.TimeSeries> ts = Remote.WriteRequest.parseFrom(raw(e)).getTimeseriesList();
    assertThat(ts).hasSize(in.size());
    for (int i = 0; i < in.size(); i++) {
      List<String> labels = new ArrayList<>();
      for (Types.Label l : ts.get(i).getLabelsList()) {
        labels.add(l.getName());
        labels.add(l.getValue());
      }
      assertThat(labels).containsExactly(m.labels(b.slot[i], b.gen[i], replica));
      assertThat(ts.get(i).getSamplesCount()).isEqualTo(1);
      Types.Sample s = ts.get(i).getSamples(0);
      assertThat(s.getTimestamp()).isEqualTo(b.ts[i]);
      assertThat(Double.doubleToRawLongBits(s.getValue())).isEqualTo(Double.doubleToRawLongBits(b.value[i]));
    }
  }

  @Property(tries = 60)
  void encode_rw2RoundTripsThroughProtobuf(@ForAll("samples") List<double[]> in) throws Exception {
    SeriesModel m = model(Workload.Protocol.RW2, 1);
    RequestEncoder e = new RequestEncoder(m);
    for (int round = 0; round < 2; round++) { // second round reuses cached refs and buffers
      Batch b = fill(in);
      e.encode(b, 0);
      WriteV2.Request r = WriteV2.Request.parseFrom(raw(e));
      assertThat(r.getSymbols(0)).isEmpty();
      assertThat(r.getSymbolsList()).doesNotHaveDuplicates();
      assertThat(r.getTimeseriesCount()).isEqualTo(in.size());
      for (int i = 0; i < in.size(); i++) {
        WriteV2.TimeSeries t = r.getTimeseries(i);
        List<String> labels = new ArrayList<>();
        for (int ref : t.getLabelsRefsList()) {
          labels.add(r.getSymbols(ref));
        }
        assertThat(labels).containsExactly(m.labels(b.slot[i], b.gen[i], -1));
        assertThat(t.getSamples(0).getTimestamp()).isEqualTo(b.ts[i]);
        assertThat(Double.doubleToRawLongBits(t.getSamples(0).getValue()))
            .isEqualTo(Double.doubleToRawLongBits(b.value[i]));
        assertThat(t.getMetadata().getTypeValue()).isEqualTo(RequestEncoder.v2Type(m.type(b.slot[i])));
      }
    }
  }

  private static Batch fill(List<double[]> in) {
    Batch b = new Batch(4);
    for (double[] x : in) {
      b.add((int) x[0], (int) x[1], 0, (long) x[2], x[3]);
    }
    return b;
  }
}
