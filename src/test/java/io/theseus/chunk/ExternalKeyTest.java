package io.theseus.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class ExternalKeyTest {

  @Test
  void toString_workedExample_isLowercaseHex() {
    ExternalKey k =
        new ExternalKey("t1", 0x417c51668d58e26bL, 1623753000000L, 1623774600000L, 0x1a2b3c4d);
    assertThat(k.toString()).isEqualTo("t1/417c51668d58e26b:17a0f388440:17a10821b40:1a2b3c4d");
  }

  @Test
  void parse_currentForm_readsAllFields() {
    ExternalKey k = ExternalKey.parse("0/dded239cb02b50e6:172419b94f2:172442e4dc2:6e84c184");
    assertThat(k.userId()).isEqualTo("0");
    assertThat(k.fingerprint()).isEqualTo(0xdded239cb02b50e6L);
    assertThat(k.from()).isEqualTo(0x172419b94f2L);
    assertThat(k.through()).isEqualTo(0x172442e4dc2L);
    assertThat(k.checksum()).isEqualTo(0x6e84c184);
    assertThat(ExternalKey.isLegacy("0/dded239cb02b50e6:172419b94f2:172442e4dc2:6e84c184"))
        .isFalse();
  }

  @Test
  void parse_legacyDecimal_hasNoUserAndNoChecksum() {
    ExternalKey k = ExternalKey.parse("15960394395232665318:1623753000000:1623774600000");
    assertThat(k.userId()).isEmpty();
    assertThat(k.fingerprint()).isEqualTo(Long.parseUnsignedLong("15960394395232665318"));
    assertThat(k.from()).isEqualTo(1623753000000L);
    assertThat(k.through()).isEqualTo(1623774600000L);
    assertThat(ExternalKey.isLegacy("15960394395232665318:1623753000000:1623774600000")).isTrue();
  }

  @Test
  void parse_legacyWithUserPrefix_keepsUser() {
    ExternalKey k = ExternalKey.parse("t1/12:1000:2000");
    assertThat(k.userId()).isEqualTo("t1");
    assertThat(k.fingerprint()).isEqualTo(12);
  }

  @Test
  void parse_negativeTimes_roundTrip() {
    ExternalKey k = new ExternalKey("u", -1L, -26L, Long.MIN_VALUE, -1);
    assertThat(k.toString()).isEqualTo("u/ffffffffffffffff:-1a:-8000000000000000:ffffffff");
    assertThat(ExternalKey.parse(k.toString())).isEqualTo(k);
  }

  @Test
  void parse_malformed_namesTheKey() {
    for (String bad :
        new String[] {
          "t1/zz:1:2:3",
          "t1/1:2:3:4:5",
          "t1/1:2",
          "a/b/1:2:3:4",
          "t1/1:2:3:123456789",
          "t1/:2:3:4",
          "1:2",
          "x:2:3",
          "t1/+1:2:3:4"
        }) {
      assertThatThrownBy(() -> ExternalKey.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"" + bad + "\"");
    }
  }

  @Property(tries = 300)
  void parse_toString_roundTrips(
      @ForAll long fp, @ForAll long from, @ForAll long through, @ForAll int crc) {
    ExternalKey k = new ExternalKey("tenant-1", fp, from, through, crc);
    assertThat(ExternalKey.parse(k.toString())).isEqualTo(k);
  }
}
