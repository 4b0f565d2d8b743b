package io.theseus.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MergeQueryableTest {
  static final List<Matcher> ALL = List.of(Matcher.of(Matcher.Type.RE, "__name__", ".+"));

  @Test
  void select_overlappingSources_dedupByTimestampFirstWins() {
    MemoryQueryable head = new MemoryQueryable();
    MemoryQueryable store = new MemoryQueryable();
    Labels l = Labels.of("__name__", "m");
    head.append(l, 20, 2.5);
    head.append(l, 30, 3);
    store.append(l, 10, 1);
    store.append(l, 20, 99);
    store.append(Labels.of("__name__", "a"), 5, 5);
    SeriesSet s =
        new MergeQueryable(List.of(head, store)).select(0, 100, ALL, Queryable.Hints.NONE);
    assertThat(s.series())
        .extracting(Series::labels)
        .containsExactly(Labels.of("__name__", "a"), l);
    Series m = s.series().get(1);
    assertThat(m.size()).isEqualTo(3);
    assertThat(java.util.Arrays.copyOf(m.timestamps(), 3)).containsExactly(10, 20, 30);
    assertThat(java.util.Arrays.copyOf(m.values(), 3)).containsExactly(1, 2.5, 3);
  }

  @Test
  void select_keepsWarningsOfAllSources() {
    Queryable warn = (a, b, c, d) -> new SeriesSet(List.of(), List.of("peer x did not answer"));
    SeriesSet s =
        new MergeQueryable(List.of(new MemoryQueryable(), warn, warn))
            .select(0, 1, ALL, Queryable.Hints.NONE);
    assertThat(s.warnings()).containsExactly("peer x did not answer");
  }

  /** The merge is the set union of timestamps, sorted, each series once, values from the first. */
  @Property(tries = 200)
  void merge_isSortedUnion(
      @ForAll @Size(max = 40) Set<@IntRange(min = 0, max = 100) Integer> a,
      @ForAll @Size(max = 40) Set<@IntRange(min = 0, max = 100) Integer> b,
      @ForAll @Size(max = 40) Set<@IntRange(min = 0, max = 100) Integer> c) {
    List<Set<Integer>> sets = List.of(a, b, c);
    TreeMap<Long, Double> want = new TreeMap<>();
    MemoryQueryable[] srcs = new MemoryQueryable[3];
    for (int k = 0; k < 3; k++) {
      srcs[k] = new MemoryQueryable();
      for (int t : sets.get(k)) {
        srcs[k].append(Labels.of("__name__", "m"), t, k * 1000 + t);
        want.putIfAbsent((long) t, (double) (k * 1000 + t));
      }
    }
    SeriesSet s = new MergeQueryable(List.of(srcs)).select(0, 100, ALL, Queryable.Hints.NONE);
    if (want.isEmpty()) {
      assertThat(s.series()).isEmpty();
      return;
    }
    assertThat(s.series()).hasSize(1);
    Series m = s.series().get(0);
    assertThat(m.size()).isEqualTo(want.size());
    int i = 0;
    for (var e : want.entrySet()) {
      assertThat(m.timestamps()[i]).isEqualTo(e.getKey());
      assertThat(m.values()[i]).isEqualTo(e.getValue());
      i++;
    }
  }
}
