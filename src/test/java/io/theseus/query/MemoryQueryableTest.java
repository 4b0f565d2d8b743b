package io.theseus.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryQueryableTest {
  private static final Labels A = Labels.of("__name__", "m", "job", "a");
  private static final Labels B = Labels.of("__name__", "m", "job", "b");

  @Test
  void select_outOfOrderAppends_returnsSortedSamplesInClosedRange() {
    MemoryQueryable q = new MemoryQueryable();
    for (long t : new long[] {30, 10, 50, 20, 40, 20}) {
      q.append(A, t, t / 10.0);
    }
    SeriesSet set = q.select(20, 40, List.of(Matcher.eq("job", "a")), Queryable.Hints.NONE);
    assertThat(set.series()).hasSize(1);
    Series s = set.series().get(0);
    assertThat(s.size()).isEqualTo(3);
    assertThat(s.timestamps()).containsExactly(20, 30, 40);
    assertThat(s.values()).containsExactly(2, 3, 4);
  }

  @Test
  void select_missingLabelMatchesEmptyValue() {
    MemoryQueryable q = new MemoryQueryable();
    q.append(A, 1, 1);
    q.append(Labels.of("__name__", "m"), 1, 2);
    SeriesSet set =
        q.select(0, 10, List.of(Matcher.of(Matcher.Type.EQ, "job", "")), Queryable.Hints.NONE);
    assertThat(set.series()).extracting(Series::labels).containsExactly(Labels.of("__name__", "m"));
  }

  @Test
  void select_skipsSeriesWithoutSamplesInRange_andClearDropsAll() {
    MemoryQueryable q = new MemoryQueryable();
    q.append(A, 100, 1);
    q.append(B, 5, 1);
    assertThat(q.select(0, 10, List.of(), Queryable.Hints.NONE).series())
        .extracting(Series::labels)
        .containsExactly(B);
    q.clear();
    assertThat(q.select(0, 1000, List.of(), Queryable.Hints.NONE).series()).isEmpty();
  }

  @Test
  void isStale_comparesRawBits() {
    assertThat(Series.isStale(Series.staleNaN())).isTrue();
    assertThat(Series.isStale(Double.NaN)).isFalse();
  }
}
