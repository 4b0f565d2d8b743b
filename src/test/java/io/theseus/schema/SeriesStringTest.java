package io.theseus.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.model.Labels;
import org.junit.jupiter.api.Test;

/**
 * seriesString / seriesID rules and the Go {@code strconv.Quote} semantics they rely on (expected
 * strings are what Go 1.16 prints for {@code strconv.Quote}).
 */
class SeriesStringTest {
  static String quoted(String v) {
    return Keys.seriesString(Labels.of("__name__", "m", "l", v));
  }

  @Test
  void seriesString_goQuoteEscapes() {
    assertThat(quoted("say \"hi\"")).isEqualTo("m{l=\"say \\\"hi\\\"\"}");
    assertThat(quoted("C:\\temp")).isEqualTo("m{l=\"C:\\\\temp\"}");
    assertThat(quoted("a\nb\tc\u0007\u000b\f\r\b")).isEqualTo("m{l=\"a\\nb\\tc\\a\\v\\f\\r\\b\"}");
    assertThat(quoted("\u0000\u001f\u007f")).isEqualTo("m{l=\"\\x00\\x1f\\x7f\"}");
    assertThat(quoted("\u0085\u00a0\u00ad\u2028\ufeff\ue000"))
        .isEqualTo("m{l=\"\\u0085\\u00a0\\u00ad\\u2028\\ufeff\\ue000\"}");
    assertThat(quoted("héllo 日本語 \uD83D\uDE80 \ufffd"))
        .isEqualTo("m{l=\"héllo 日本語 \uD83D\uDE80 \ufffd\"}");
    assertThat(quoted("\uDBFF\uDFFF")).isEqualTo("m{l=\"\\U0010ffff\"}");
  }

  @Test
  void seriesString_nameOnlyAndOrder() {
    assertThat(Keys.seriesString(Labels.of("__name__", "up"))).isEqualTo("up");
    assertThat(Keys.seriesString(Labels.of("a0", "x0", "__name__", "a0", "a", "x")))
        .isEqualTo("a0{a=\"x\", a0=\"x0\"}");
    assertThat(Keys.seriesString(Labels.of("job", "x"))).isEqualTo("{job=\"x\"}");
  }

  @Test
  void rowShard_threeDigitsAbove100() {
    // "WQBi" = 0x57514269 = 1464943209; mod 1000 = 209.
    assertThat(Keys.rowShard(WorkedExampleTest.S, 1000)).isEqualTo(209);
    assertThat(Keys.twoDigits(209)).isEqualTo("209");
    assertThat(Keys.twoDigits(9)).isEqualTo("09");
  }
}
