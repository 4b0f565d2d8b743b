package io.theseus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.theseus.model.Labels;
import org.junit.jupiter.api.Test;

class SeriesSelectorParserTest {
  @Test
  void parse_forms() {
    Labels want = Labels.of("__name__", "m", "a", "x", "b", "y");
    assertThat(SeriesSelectorParser.parse("m{a=\"x\",b=\"y\"}")).isEqualTo(want);
    assertThat(SeriesSelectorParser.parse(" m { b = 'y' , a = `x` , } ")).isEqualTo(want);
    assertThat(SeriesSelectorParser.parse("{__name__=\"m\", a=\"x\", b=\"y\"}")).isEqualTo(want);
    assertThat(SeriesSelectorParser.parse("job:rate5m"))
        .isEqualTo(Labels.of("__name__", "job:rate5m"));
  }

  @Test
  void parse_escapes() {
    assertThat(
            SeriesSelectorParser.parse("m{a=\"q\\\"\\\\\\n\\t\\x41\\u00e9\\U0001F680\\101\"}")
                .get("a"))
        .isEqualTo("q\"\\\n\tAé\uD83D\uDE80A");
    assertThat(SeriesSelectorParser.parse("m{a=`raw\\n`}").get("a")).isEqualTo("raw\\n");
  }

  @Test
  void parse_errorsNamePosition() {
    assertThatThrownBy(() -> SeriesSelectorParser.parse("m{a=\"x\""))
        .hasMessageContaining("missing '}'");
    assertThatThrownBy(() -> SeriesSelectorParser.parse("m{a!=\"x\"}"))
        .hasMessageContaining("position 3");
    assertThatThrownBy(() -> SeriesSelectorParser.parse("{a=\"x\"}"))
        .hasMessageContaining("no metric name");
    assertThatThrownBy(() -> SeriesSelectorParser.parse("m{a=\"x\",a=\"y\"}"))
        .hasMessageContaining("duplicate label a");
    assertThatThrownBy(() -> SeriesSelectorParser.parse("m{a=\"\\q\"}"))
        .hasMessageContaining("unknown escape");
    assertThatThrownBy(() -> SeriesSelectorParser.parse("m{a=\"x\"} extra"))
        .hasMessageContaining("unexpected text");
  }
}
