package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import io.theseus.query.MemoryQueryable;
import io.theseus.query.Queryable;
import io.theseus.query.promql.Engine;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class QueryGuardTest {
  static MemoryQueryable data() {
    MemoryQueryable m = new MemoryQueryable();
    for (int s = 0; s < 10; s++) {
      for (int i = 0; i < 100; i++) {
        m.append(Labels.of("__name__", "m", "s", Integer.toString(s)), i * 1000L, i);
      }
    }
    return m;
  }

  static QueryGuard guard(long samples, long series, AtomicBoolean cancelled) {
    return new QueryGuard(
        data(),
        new QueryLimits(samples, series, 0, 1000, 0),
        System.nanoTime() + 60_000_000_000L,
        cancelled);
  }

  @Test
  void sampleLimit_abortsWithExecutionError() {
    QueryGuard g = guard(500, 0, new AtomicBoolean());
    assertThatThrownBy(() -> new Engine(g).range("sum(m)", 0, 99_000, 1000))
        .isInstanceOf(QueryGuard.Abort.class)
        .hasMessageContaining("too many samples")
        .hasMessageContaining("500");
  }

  @Test
  void seriesLimit_abortsNamingTheLimit() {
    QueryGuard g = guard(0, 5, new AtomicBoolean());
    assertThatThrownBy(() -> new Engine(g).instant("m", 50_000))
        .hasMessage("the query hit the max number of series limit (limit: 5 series)");
  }

  @Test
  void underLimits_passesThrough() {
    QueryGuard g = guard(100_000, 10, new AtomicBoolean());
    assertThat(new Engine(g).instant("count(m)", 50_000).series().get(0).values()[0]).isEqualTo(10);
  }

  @Test
  void cancelled_isTimeout() {
    QueryGuard g = guard(0, 0, new AtomicBoolean(true));
    assertThatThrownBy(
            () -> g.select(0, 1, List.of(Matcher.eq("__name__", "m")), Queryable.Hints.NONE))
        .isInstanceOf(QueryGuard.Abort.class)
        .hasMessage("query timed out in query execution");
  }
}
