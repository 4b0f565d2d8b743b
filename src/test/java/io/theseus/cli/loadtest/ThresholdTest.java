package io.theseus.cli.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ThresholdTest {
  @Test
  void parse_unitsAndOperators() {
    Threshold p99 = Threshold.parse("p99>500ms");
    assertThat(p99.metric()).isEqualTo("p99");
    assertThat(p99.value()).isEqualTo(500);
    assertThat(p99.fails(500.1)).isTrue();
    assertThat(p99.fails(500)).isFalse();
    assertThat(Threshold.parse("p99 > 1.5s").value()).isEqualTo(1500);
    assertThat(Threshold.parse("max>=250us").value()).isEqualTo(0.25);
    assertThat(Threshold.parse("rate<100k").fails(99_999)).isTrue();
    assertThat(Threshold.parse("rate<1.5M").value()).isEqualTo(1_500_000);
    assertThat(Threshold.parse("loss>0").fails(0)).isFalse();
    assertThat(Threshold.parse("loss>0").fails(1)).isTrue();
    assertThat(Threshold.parse("error_rate>=1%").fails(1)).isTrue();
    assertThat(Threshold.parse("drops!=0").fails(0)).isFalse();
    assertThat(Threshold.parse("mismatches==0").fails(0)).isTrue();
    assertThat(Threshold.parse("query_p99<=2s").value()).isEqualTo(2000);
  }

  @Test
  void parse_badExpressionsNameTheProblem() {
    assertThatThrownBy(() -> Threshold.parse("p98>5ms"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'p98>5ms'")
        .hasMessageContaining("unknown metric 'p98'");
    assertThatThrownBy(() -> Threshold.parse("p99 500ms"))
        .hasMessageContaining("'p99 500ms'")
        .hasMessageContaining("<metric><op><number>");
    assertThatThrownBy(() -> Threshold.parse("loss>5ms")).hasMessageContaining("unit 'ms'");
    assertThatThrownBy(() -> Threshold.parse("p99>5k")).hasMessageContaining("unit 'k'");
    assertThatThrownBy(() -> Threshold.parse("rate>5%")).hasMessageContaining("'%'");
    assertThatThrownBy(() -> Threshold.parse("")).hasMessageContaining("--fail-if ''");
  }
}
