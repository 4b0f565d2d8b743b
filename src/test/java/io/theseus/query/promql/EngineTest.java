package io.theseus.query.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.theseus.model.Labels;
import io.theseus.query.MemoryQueryable;
import io.theseus.query.Series;
import org.junit.jupiter.api.Test;

class EngineTest {
  private static Engine engine() {
    MemoryQueryable q = new MemoryQueryable();
    for (int i = 0; i <= 10; i++) {
      q.append(Labels.of("__name__", "up", "job", "b"), i * 60_000L, i);
      q.append(Labels.of("__name__", "up", "job", "a"), i * 60_000L, 2 * i);
    }
    q.append(Labels.of("__name__", "up", "job", "a"), 11 * 60_000L, Series.staleNaN());
    return new Engine(q);
  }

  @Test
  void range_returnsSeriesSortedByLabelsWithOnePointPerStep() {
    QueryResult r = engine().range("up * 10", 0, 600_000, 120_000);
    assertThat(r.type()).isEqualTo(ValueType.MATRIX);
    assertThat(r.series())
        .extracting(Series::labels)
        .containsExactly(Labels.of("job", "a"), Labels.of("job", "b"));
    Series b = r.series().get(1);
    assertThat(b.timestamps()).containsExactly(0, 120_000, 240_000, 360_000, 480_000, 600_000);
    assertThat(b.values()).containsExactly(0, 20, 40, 60, 80, 100);
  }

  @Test
  void range_staleMarkerEndsSeriesBeforeLookback() {
    QueryResult r = engine().range("up", 600_000, 900_000, 60_000);
    Series a = r.series().get(0);
    assertThat(a.labels().get("job")).isEqualTo("a");
    assertThat(a.timestamps()).containsExactly(600_000);
    Series b = r.series().get(1);
    assertThat(b.timestamps())
        .containsExactly(600_000, 660_000, 720_000, 780_000, 840_000, 900_000);
  }

  @Test
  void range_rangeVectorExpression_isRejected() {
    assertThatThrownBy(() -> engine().range("up[5m]", 0, 60_000, 1000))
        .isInstanceOf(EvalException.class)
        .hasMessage(
            "invalid expression type \"range vector\" for range query, must be Scalar or instant"
                + " Vector");
  }

  @Test
  void instant_kindsOfResult() {
    Engine e = engine();
    assertThat(e.instant("\"hi\"", 0).string()).isEqualTo("hi");
    QueryResult s = e.instant("time()", 5_000);
    assertThat(s.type()).isEqualTo(ValueType.SCALAR);
    assertThat(s.series().get(0).values()[0]).isEqualTo(5.0);
    QueryResult m = e.instant("up{job=\"a\"}[2m]", 120_000);
    assertThat(m.type()).isEqualTo(ValueType.MATRIX);
    assertThat(m.series().get(0).timestamps()).containsExactly(0, 60_000, 120_000);
  }

  @Test
  void instant_duplicateLabelsetAfterNameDrop_fails() {
    MemoryQueryable q = new MemoryQueryable();
    q.append(Labels.of("__name__", "x", "a", "1"), 0, 1);
    q.append(Labels.of("__name__", "y", "a", "1"), 0, 2);
    assertThatThrownBy(() -> new Engine(q).instant("abs({a=\"1\"})", 0))
        .isInstanceOf(EvalException.class)
        .hasMessage("vector cannot contain metrics with the same labelset");
  }

  /**
   * Prometheus 2.42 turns {@code @} into an offset relative to the query start; a range function
   * that is not step invariant (here because of time()) therefore sees its window move with the
   * step, clipped to the data read for the {@code @} window. Checked against prometheus 2.42.
   */
  @Test
  void range_atModifierOutsideStepInvariantCall_movesLikePrometheus() {
    MemoryQueryable q = new MemoryQueryable();
    for (int i = 0; i <= 20; i++) {
      q.append(Labels.of("__name__", "m"), i * 60_000L, i);
    }
    Engine e = new Engine(q);
    QueryResult moving = e.range("quantile_over_time(time() * 0, m[5m] @ 300)", 0, 120_000, 60_000);
    assertThat(moving.series().get(0).values()).containsExactly(0, 1, 2);
    QueryResult fixed = e.range("min_over_time(m[5m] @ 300)", 0, 120_000, 60_000);
    assertThat(fixed.series().get(0).values()).containsExactly(0, 0, 0);
  }
}
