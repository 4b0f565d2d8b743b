package io.theseus.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.model.Labels;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Round-trip properties for the XOR-based encodings through the full blob, and for snappy. */
class ChunkPropertiesTest {

  @Provide
  Arbitrary<long[][]> series() {
    return XorChunkTest.series();
  }

  @Provide
  Arbitrary<Map<String, String>> labelMaps() {
    Arbitrary<String> names =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withChars('_', '0')
            .ofMinLength(1)
            .ofMaxLength(12);
    Arbitrary<String> values = Arbitraries.strings().ofMinLength(1).ofMaxLength(40);
    return Arbitraries.maps(names, values).ofMaxSize(8);
  }

  @Property(tries = 200)
  void bigchunk_blobRoundTrip_returnsEverySampleBitForBit(
      @ForAll("series") long[][] s, @ForAll("labelMaps") Map<String, String> labels) {
    BigChunk b = new BigChunk();
    for (int i = 0; i < s[0].length; i++) {
      b.appendBits(s[0][i], s[1][i]);
    }
    assertRoundTrip(Chunk.BIGCHUNK, b.encode(), s, Labels.of(labels));
    assertThat(b.numSubChunks()).isEqualTo((s[0].length + 119) / 120);
  }

  @Property(tries = 200)
  void prometheusXor_blobRoundTrip_returnsEverySampleBitForBit(
      @ForAll("series") long[][] s, @ForAll("labelMaps") Map<String, String> labels) {
    XorChunk x = new XorChunk();
    for (int i = 0; i < s[0].length; i++) {
      x.appendBits(s[0][i], s[1][i]);
    }
    assertRoundTrip(Chunk.PROMETHEUS_XOR, x.bytes(), s, Labels.of(labels));
  }

  static void assertRoundTrip(int encoding, byte[] data, long[][] s, Labels metric) {
    long from = s[0].length == 0 ? 0 : s[0][0];
    long through = s[0].length == 0 ? 0 : s[0][s[0].length - 1];
    Chunk c =
        Chunk.build("tenant", Fingerprint.fast(metric), metric, encoding, data, from, through);
    ChunkDecodeResult r = Chunk.decode(c.key().toString(), c.blob());
    assertThat(r.error()).isNull();
    assertThat(r.chunk().metric()).isEqualTo(metric);
    assertThat(r.chunk().key()).isEqualTo(c.key());
    XorChunkTest.assertYields(r.chunk().iterator(), s);
  }

  @Property(tries = 300)
  void snappy_blockAndFramed_roundTrip(@ForAll byte[] raw, @ForAll boolean repetitive) {
    byte[] in = raw;
    if (repetitive) {
      in = new byte[raw.length * 7];
      for (int i = 0; i < in.length; i++) {
        in[i] = raw.length == 0 ? 0 : raw[(i / 3) % raw.length];
      }
    }
    String[] err = new String[1];
    byte[] block = Snappy.encodeBlock(in);
    assertThat(Snappy.decodeBlock(block, 0, block.length, err)).isEqualTo(in);
    byte[] framed = Snappy.encodeFramed(in);
    assertThat(Snappy.decodeFramed(framed, 0, framed.length, err)).isEqualTo(in);
  }

  @Property(tries = 300)
  void bigchunkSeek_anyTarget_landsWhereLinearScanDoes(
      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 1000) int n,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 3) int step,
      @ForAll long seed,
      @ForAll @net.jqwik.api.constraints.Size(max = 4) java.util.List<Long> targets) {
    java.util.Random r = new java.util.Random(seed);
    long[] ts = new long[n];
    long t = r.nextInt(1000) - 500;
    BigChunk b = new BigChunk();
    for (int i = 0; i < n; i++) {
      t += step == 0 ? 0 : r.nextInt(step * 10_000);
      ts[i] = t;
      b.append(t, i);
    }
    byte[] data = b.encode();
    BigChunkIterator it = BigChunk.iterator(data);
    int cursor = -1;
    for (long raw : targets) {
      long target = n == 0 ? raw : ts[0] - 10 + Math.floorMod(raw, ts[n - 1] - ts[0] + 20);
      int expect = Math.max(cursor, 0);
      while (expect < n && ts[expect] < target) {
        expect++;
      }
      if (cursor >= 0 && ts[cursor] >= target) {
        expect = cursor;
      }
      boolean found = it.seek(target);
      assertThat(found).isEqualTo(expect < n);
      if (!found) {
        return;
      }
      assertThat(it.timestamp()).isEqualTo(ts[expect]);
      assertThat(it.value()).isEqualTo((double) expect);
      cursor = expect;
    }
  }
}
