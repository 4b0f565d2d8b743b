package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import io.theseus.query.Series;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class HeadWireTest {
  @Property(tries = 200)
  void request_roundTrips(
      @ForAll long mint,
      @ForAll long maxt,
      @ForAll @Size(max = 5) List<@AlphaChars @StringLength(min = 1, max = 10) String> names,
      @ForAll @IntRange(min = 0, max = 3) int type)
      throws IOException {
    List<Matcher> ms = new ArrayList<>();
    for (String n : names) {
      ms.add(Matcher.of(Matcher.Type.values()[type], n, n + "é.*"));
    }
    HeadWire.Request r = HeadWire.decodeRequest(HeadWire.encodeRequest(mint, maxt, ms));
    assertThat(r.mint()).isEqualTo(mint);
    assertThat(r.maxt()).isEqualTo(maxt);
    assertThat(r.matchers()).isEqualTo(ms);
  }

  @Property(tries = 200)
  void response_roundTripsRawBits(
      @ForAll @Size(max = 6) List<@AlphaChars @StringLength(min = 1, max = 8) String> vals,
      @ForAll @Size(max = 30) List<Long> bits)
      throws IOException {
    List<Series> in = new ArrayList<>();
    for (String v : vals) {
      long[] ts = new long[bits.size()];
      double[] vs = new double[bits.size()];
      for (int i = 0; i < ts.length; i++) {
        ts[i] = i * 1000L;
        vs[i] = Double.longBitsToDouble(bits.get(i));
      }
      in.add(new Series(Labels.of("__name__", "m", "v", v), ts, vs, ts.length));
    }
    List<Series> out = HeadWire.decodeResponse(HeadWire.encodeResponse(in));
    assertThat(out).hasSize(in.size());
    for (int k = 0; k < in.size(); k++) {
      assertThat(out.get(k).labels()).isEqualTo(in.get(k).labels());
      assertThat(out.get(k).timestamps()).isEqualTo(in.get(k).timestamps());
      long[] a = Arrays.stream(in.get(k).values()).mapToLong(Double::doubleToRawLongBits).toArray();
      long[] b =
          Arrays.stream(out.get(k).values()).mapToLong(Double::doubleToRawLongBits).toArray();
      assertThat(b).isEqualTo(a);
    }
  }

  @Property(tries = 100)
  void truncated_isAnError(@ForAll @IntRange(min = 1, max = 20) int cut) {
    byte[] full =
        HeadWire.encodeResponse(
            List.of(new Series(Labels.of("a", "b"), new long[] {1}, new double[] {2}, 1)));
    byte[] t = Arrays.copyOf(full, Math.max(0, full.length - cut));
    assertThatThrownBy(() -> HeadWire.decodeResponse(t)).isInstanceOf(IOException.class);
  }
}
