package io.theseus.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.model.Labels;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** DoubleDelta (1) and Varbit (2): write with Cortex's decisions, read back through the blob. */
class Prom1ChunkTest {
  static final Labels METRIC = Labels.of("__name__", "m", "job", "j");

  @Provide
  static Arbitrary<long[][]> ascending() {
    Arbitrary<Long> deltas =
        Arbitraries.oneOf(
            Arbitraries.just(15_000L),
            Arbitraries.longs().between(14_000, 16_000),
            Arbitraries.longs().between(0, 3),
            Arbitraries.longs().between(0, 1L << 25),
            Arbitraries.longs().between(0, 1L << 40));
    // Every NaN/Inf payload and integers. Excluded on purpose: fractional values, which
    // Cortex's integer double-delta paths can store lossily when a float64 delta happens to
    // round to an integer (see legacyFormats_*_areLossyLikeCortex); the XOR-based encodings
    // are covered for all bit patterns in XorChunkTest and ChunkPropertiesTest.
    Arbitrary<Long> values =
        Arbitraries.oneOf(
            Arbitraries.longs()
                .map(b -> b | 0x7ff0000000000000L)
                .filter(b -> b != 0x7ff0000000000000L && b != 0xfff0000000000000L),
            Arbitraries.of(
                XorChunkTest.STALE,
                0x7ff8000000000001L,
                0xfff0000000000000L,
                0x7ff0000000000000L,
                0x8000000000000000L,
                0L),
            Arbitraries.integers().between(-3, 3).map(i -> Double.doubleToRawLongBits(i)),
            Arbitraries.integers().map(i -> Double.doubleToRawLongBits(i * 1000.0)));
    Arbitrary<Long> start = Arbitraries.longs().between(-(1L << 50), 1L << 50);
    Arbitrary<List<Long>> vs =
        Arbitraries.oneOf(
            values.list().ofMaxSize(700),
            values.map(v -> List.of(v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v)));
    return Combinators.combine(start, deltas.list().ofMaxSize(700), vs)
        .as(XorChunkTest::seriesOf);
  }

  /**
   * The legacy formats keep NaN payloads exactly but, like Cortex, compare ordinary values
   * numerically (e.g. -0.0 may come back as +0.0 in zero or integer encodings).
   */
  static boolean sameValue(long expected, long actual) {
    if (expected == actual) {
      return true;
    }
    double e = Double.longBitsToDouble(expected);
    double a = Double.longBitsToDouble(actual);
    return !Double.isNaN(e) && e == a;
  }

  static void roundTrip(Prom1ChunkWriter w, long[][] s) {
    for (int i = 0; i < s[0].length; i++) {
      w.appendBits(s[0][i], s[1][i]);
    }
    int k = 0;
    for (int ci = 0; ci < w.numChunks(); ci++) {
      byte[] data = w.chunk(ci);
      assertThat(data).hasSize(1024);
      Chunk c =
          Chunk.build(
              "u", Fingerprint.fast(METRIC), METRIC, w.encoding(), data, w.firstTimestamp(ci),
              w.lastTimestamp(ci));
      ChunkDecodeResult r = Chunk.decode(c.key().toString(), c.blob());
      assertThat(r.error()).isNull();
      SampleIterator it = r.chunk().iterator();
      while (it.next()) {
        assertThat(k).isLessThan(s[0].length);
        assertThat(it.timestamp()).as("ts #%d", k).isEqualTo(s[0][k]);
        long want = s[1][k];
        long got = it.valueBits();
        assertThat(sameValue(want, got))
            .as("value #%d: want %x got %x", k, want, got)
            .isTrue();
        k++;
      }
      assertThat(it.error()).isNull();
    }
    assertThat(k).isEqualTo(s[0].length);
  }

  @Property(tries = 200)
  void doubleDelta_roundTrip_returnsEverySample(@ForAll("ascending") long[][] s) {
    roundTrip(Prom1ChunkWriter.doubleDelta(), s);
  }

  @Property(tries = 200)
  void varbit_roundTrip_returnsEverySample(@ForAll("ascending") long[][] s) {
    roundTrip(Prom1ChunkWriter.varbit(), s);
  }

  @Test
  void legacyFormats_subnormalAfterIntegers_areLossyLikeCortex() {
    // Cortex computes the delta in float64: 4.9e-324 - 2.0 rounds to the integer -2.0, so its
    // DoubleDelta stores an int delta and reads back 0.0; Varbit picks integer double-delta
    // from (4.9e-324 - 1.0) == -1.0 the same way. Byte compatibility means keeping this.
    Prom1ChunkWriter dd = Prom1ChunkWriter.doubleDelta();
    dd.append(0, 0.0);
    dd.append(15_000, 1.0);
    dd.appendBits(30_000, 1L);
    SampleIterator it = Chunk.iterator(Chunk.DOUBLE_DELTA, dd.chunk(0));
    it.next();
    it.next();
    it.next();
    assertThat(it.valueBits()).isEqualTo(0L);
    Prom1ChunkWriter vb = Prom1ChunkWriter.varbit();
    vb.append(0, 1.0);
    vb.appendBits(15_000, 1L);
    vb.append(30_000, 0.0);
    // The third sample first picks integer double-delta (v1 becomes 1 + -1 = 0), then
    // transcodes to XOR re-adding the already-rounded v1.
    SampleIterator v = Chunk.iterator(Chunk.VARBIT, vb.chunk(0));
    v.next();
    v.next();
    assertThat(v.valueBits()).isEqualTo(0L);
    assertThat(vb.chunk(0)[VarbitChunk.FLAG] & 3).isEqualTo(VarbitChunk.XOR);
  }

  @Test
  void legacyFormats_decimalDeltaRoundingToInteger_areLossyLikeCortex() {
    // 3.0, 9.6 keep the chunk in integer mode (Cortex only leaves it on a non-integral
    // double-delta); 0.2 - (3.0 + 2*6.6) == -16.0 exactly in float64, so Cortex stores the
    // integer -16 and reads back 16.2 - 16 = 0.19999999999999929.
    Prom1ChunkWriter dd = Prom1ChunkWriter.doubleDelta();
    dd.append(15_000, 3.0);
    dd.append(30_000, 9.6);
    dd.append(45_000, 0.2);
    SampleIterator it = Chunk.iterator(Chunk.DOUBLE_DELTA, dd.chunk(0));
    it.next();
    it.next();
    it.next();
    assertThat(it.value()).isEqualTo(3.0 + 2 * (9.6 - 3.0) - 16.0).isNotEqualTo(0.2);
  }

  @Test
  void doubleDelta_regularCounter_usesOneByteDeltasAndCutsAt1024Bytes() {
    Prom1ChunkWriter w = Prom1ChunkWriter.doubleDelta();
    for (int i = 0; i < 2000; i++) {
      w.append(1_000_000L + i * 15_000L, i * 3.0);
    }
    byte[] c0 = w.chunk(0);
    // tb=1, vb=0 (constant delta), is-int: 37-byte header then 1 byte per sample.
    assertThat(c0[2]).isEqualTo((byte) 1);
    assertThat(c0[3]).isEqualTo((byte) 0);
    assertThat(c0[4]).isEqualTo((byte) 1);
    assertThat(Bits.u16LE(c0, 0)).isEqualTo(1024);
    assertThat(w.numChunks()).isEqualTo(3);
    assertThat(w.lastTimestamp(0) - w.firstTimestamp(0)).isEqualTo((1024 - 37 + 1) * 15_000L);
  }

  @Test
  void varbit_constantSeries_staysZeroEncodedWithRepeatCounter() {
    Prom1ChunkWriter w = Prom1ChunkWriter.varbit();
    for (int i = 0; i < 300; i++) {
      w.append(1_000_000L + i * 15_000L, 1.0);
    }
    byte[] c = w.chunk(0);
    assertThat(w.numChunks()).isEqualTo(1);
    assertThat(c[VarbitChunk.FLAG] & 3).isEqualTo(VarbitChunk.ZERO);
    // 298 samples after the second: 3 repeat groups ('0' + 7 bits each), from bit 304.
    assertThat(Bits.u16BE(c, VarbitChunk.NEXT_OFFSET)).isEqualTo(304 + 3 * 8);
  }

  @Test
  void varbit_counter_switchesToIntDoubleDelta() {
    Prom1ChunkWriter w = Prom1ChunkWriter.varbit();
    List<Long> ts = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      w.append(1_000L + i * 15_000L, 100 + i * 7);
      ts.add(1_000L + i * 15_000L);
    }
    byte[] c = w.chunk(0);
    assertThat(c[VarbitChunk.FLAG] & 3).isEqualTo(VarbitChunk.INT_DD);
    assertThat((int) Bits.u32BE(c, VarbitChunk.FIRST_VALUE_DELTA)).isEqualTo(7);
  }

  @Test
  void doubleDelta_staleMarker_survivesBitForBit() {
    Prom1ChunkWriter w = Prom1ChunkWriter.doubleDelta();
    w.append(0, 1);
    w.append(15_000, 2);
    w.appendBits(30_000, XorChunkTest.STALE);
    w.append(45_000, 3);
    DoubleDeltaIterator it = new DoubleDeltaIterator().reset(w.chunk(0));
    long[] want = {
      Double.doubleToRawLongBits(1), Double.doubleToRawLongBits(2), XorChunkTest.STALE,
      Double.doubleToRawLongBits(3)
    };
    for (long b : want) {
      assertThat(it.next()).isTrue();
      assertThat(it.valueBits()).isEqualTo(b);
    }
    assertThat(it.next()).isFalse();
  }
}
