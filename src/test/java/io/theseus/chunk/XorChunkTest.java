package io.theseus.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class XorChunkTest {
  static final long STALE = 0x7ff0000000000002L;

  /** Arbitrary (timestamp, value-bits) series: irregular, negative and huge deltas. */
  @Provide
  static Arbitrary<long[][]> series() {
    Arbitrary<Long> deltas =
        Arbitraries.oneOf(
            Arbitraries.just(15_000L),
            Arbitraries.longs().between(-10, 10).map(d -> 15_000 + d),
            Arbitraries.longs().between(-600_000, 600_000),
            Arbitraries.longs().between(-(1L << 40), 1L << 40),
            Arbitraries.longs());
    Arbitrary<Long> values =
        Arbitraries.oneOf(
            Arbitraries.longs(),
            Arbitraries.of(
                STALE,
                0x7ff8000000000001L,
                0x7ff8000000000000L,
                0xfff0000000000000L,
                0x7ff0000000000000L,
                0x8000000000000000L,
                0L,
                1L,
                Double.doubleToRawLongBits(1.0)),
            Arbitraries.doubles().map(Double::doubleToRawLongBits),
            Arbitraries.integers().between(0, 100).map(i -> Double.doubleToRawLongBits(i / 4.0)));
    Arbitrary<Long> start =
        Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.just(1_700_000_000_000L));
    return Combinators.combine(start, deltas.list().ofMaxSize(300), values.list().ofMaxSize(301))
        .as(XorChunkTest::seriesOf);
  }

  /**
   * {@code {timestamps, value bits}}: starts at {@code t0}, then adds {@code deltas} in turn;
   * as long as the shorter of {@code deltas + 1} and {@code values}.
   */
  static long[][] seriesOf(long t0, List<Long> deltas, List<Long> values) {
    int n = Math.min(deltas.size() + 1, values.size());
    long[] ts = new long[n];
    long[] bits = new long[n];
    long t = t0;
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        t += deltas.get(i - 1);
      }
      ts[i] = t;
      bits[i] = values.get(i);
    }
    return new long[][] {ts, bits};
  }

  /** Asserts that {@code it} yields exactly the samples of {@code s}, bit for bit, then ends. */
  static void assertYields(SampleIterator it, long[][] s) {
    for (int i = 0; i < s[0].length; i++) {
      assertThat(it.next()).isTrue();
      assertThat(it.timestamp()).isEqualTo(s[0][i]);
      assertThat(it.valueBits()).isEqualTo(s[1][i]);
    }
    assertThat(it.next()).isFalse();
    assertThat(it.error()).isNull();
  }

  @Property(tries = 300)
  void iterator_afterAppend_returnsEverySampleBitForBit(@ForAll("series") long[][] s) {
    XorChunk c = new XorChunk();
    for (int i = 0; i < s[0].length; i++) {
      c.appendBits(s[0][i], s[1][i]);
    }
    XorIterator it = new XorIterator().reset(c.bytes());
    assertThat(it.numSamples()).isEqualTo(s[0].length);
    assertYields(it, s);
  }

  @Property(tries = 100)
  void reset_reusedChunk_encodesLikeFreshOne(
      @ForAll("series") long[][] a, @ForAll("series") long[][] b) {
    XorChunk reused = new XorChunk();
    for (int i = 0; i < a[0].length; i++) {
      reused.appendBits(a[0][i], a[1][i]);
    }
    reused.reset();
    XorChunk fresh = new XorChunk();
    for (int i = 0; i < b[0].length; i++) {
      reused.appendBits(b[0][i], b[1][i]);
      fresh.appendBits(b[0][i], b[1][i]);
    }
    assertThat(reused.bytes()).isEqualTo(fresh.bytes());
  }

  @Property(tries = 100)
  void next_truncatedChunk_reportsErrorWithoutThrowing(
      @ForAll("series") long[][] s, @ForAll @Size(max = 1) List<Integer> cutSeed) {
    XorChunk c = new XorChunk();
    for (int i = 0; i < s[0].length; i++) {
      c.appendBits(s[0][i], s[1][i]);
    }
    byte[] full = c.bytes();
    if (s[0].length < 2) {
      return;
    }
    int cut = cutSeed.isEmpty() ? full.length / 2 : Math.floorMod(cutSeed.get(0), full.length - 3);
    byte[] truncated = java.util.Arrays.copyOf(full, Math.max(2, cut));
    XorIterator it = new XorIterator().reset(truncated);
    int n = 0;
    while (it.next()) {
      n++;
    }
    assertThat(n).isLessThan(s[0].length);
    assertThat(it.error()).contains("truncated");
  }

  @Test
  void bytes_singleSample_hasGoBstreamPadByte() {
    XorChunk c = new XorChunk();
    c.append(1000, 1.0);
    // header 00 01, varint(1000) = d0 0f, 3ff0000000000000, then Go's free trailing byte.
    assertThat(java.util.HexFormat.of().formatHex(c.bytes()))
        .isEqualTo("0001d00f3ff000000000000000");
  }

  @Test
  void bytes_twoSamplesSameValue_matchesPrometheusLayout() {
    XorChunk c = new XorChunk();
    c.append(1000, 1.0);
    c.append(16000, 1.0);
    // header 0002, d00f, value, uvarint(15000)=98 75, then bit '0' for the unchanged value.
    assertThat(java.util.HexFormat.of().formatHex(c.bytes()))
        .isEqualTo("0002d00f3ff0000000000000987500");
  }

  @Test
  void seek_toTimestamp_landsOnFirstSampleAtOrAfter() {
    XorChunk c = new XorChunk();
    for (int i = 0; i < 10; i++) {
      c.append(i * 10L, i);
    }
    XorIterator it = c.iterator();
    assertThat(it.seek(35)).isTrue();
    assertThat(it.timestamp()).isEqualTo(40);
    assertThat(it.seek(40)).isTrue();
    assertThat(it.timestamp()).isEqualTo(40);
    assertThat(it.seek(5)).isTrue();
    assertThat(it.timestamp()).isEqualTo(40);
    assertThat(it.next()).isTrue();
    assertThat(it.value()).isEqualTo(5.0);
    assertThat(it.seek(91)).isFalse();
  }

  @Test
  void iterator_headerOnly_isEmptyWithoutError() {
    XorIterator it = new XorIterator().reset(new byte[] {0, 0});
    assertThat(it.next()).isFalse();
    assertThat(it.error()).isNull();
    XorIterator bad = new XorIterator().reset(new byte[] {0});
    assertThat(bad.next()).isFalse();
    assertThat(bad.error()).contains("header");
  }
}
