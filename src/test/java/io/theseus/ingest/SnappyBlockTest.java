package io.theseus.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Decompression-bomb guard of {@link SnappyBlock} (found by the hostile-input fuzz test). */
class SnappyBlockTest {
  /** The most compressible inputs (long runs) still fit the expansion bound. */
  @Property(tries = 50)
  void maxExpansion_boundsRealCompression(@ForAll @IntRange(min = 0, max = 4 << 20) int n,
      @ForAll byte fill) {
    byte[] raw = new byte[n];
    java.util.Arrays.fill(raw, fill);
    byte[] c = SnappyBlock.compress(raw);
    assertThat((long) n).isLessThanOrEqualTo(SnappyBlock.maxExpansion(c.length));
    SnappyBlock s = new SnappyBlock();
    assertThat(s.decompress(c, c.length, 4 << 20)).isEqualTo(SnappyBlock.OK);
    assertThat(s.length()).isEqualTo(n);
  }

  @Test
  void decompress_tinyBodyDeclaring100MiB_corruptWithoutAllocating() {
    // uvarint(100 MiB) followed by a 2-byte literal.
    byte[] bomb = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x32, 0x04, 'a', 'b'};
    SnappyBlock s = new SnappyBlock();
    assertThat(SnappyBlock.declaredLength(bomb, bomb.length)).isEqualTo(100L << 20);
    assertThat(s.decompress(bomb, bomb.length, 100L << 20)).isEqualTo(SnappyBlock.CORRUPT);
    assertThat(s.error()).contains("cannot come from 7 bytes");
    assertThat(s.buffer().length).isLessThanOrEqualTo(64 * 1024);
  }
}
