package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SampleMergeTest {
  static SampleMerge.Run run(long... tsAndBits) {
    long[] ts = new long[tsAndBits.length / 2];
    long[] bits = new long[ts.length];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = tsAndBits[2 * i];
      bits[i] = tsAndBits[2 * i + 1];
    }
    return new SampleMerge.Run(ts, bits, ts.length);
  }

  static String render(SampleMerge.Run r) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < r.n(); i++) {
      b.append(r.ts()[i]).append(':').append(r.bits()[i]).append(' ');
    }
    return b.toString().trim();
  }

  @Test
  void merge_overlappingRuns_interleavesAndKeepsFirstOnTies() {
    SampleMerge.Run m =
        SampleMerge.merge(List.of(run(1, 10, 3, 30, 5, 50), run(2, 20, 3, 99, 6, 60)));
    assertThat(render(m)).isEqualTo("1:10 2:20 3:30 5:50 6:60");
  }

  @Test
  void merge_disjointRunsOutOfOrder_concatenatesSorted() {
    SampleMerge.Run m = SampleMerge.merge(List.of(run(7, 70, 8, 80), run(1, 10, 2, 20)));
    assertThat(render(m)).isEqualTo("1:10 2:20 7:70 8:80");
  }

  @Test
  void merge_noRuns_isEmpty() {
    assertThat(SampleMerge.merge(List.of()).n()).isZero();
  }

  /** Merging any sorted runs equals a map of timestamp to the first run's value. */
  @Property(tries = 200)
  void merge_equalsFirstWinsMap(
      @ForAll @Size(max = 5) List<@Size(max = 30) List<@IntRange(min = 0, max = 60) Integer>> raw) {
    List<SampleMerge.Run> runs = new ArrayList<>();
    TreeMap<Long, Long> want = new TreeMap<>();
    for (int r = 0; r < raw.size(); r++) {
      long[] ts = raw.get(r).stream().mapToLong(Integer::longValue).distinct().sorted().toArray();
      long[] bits = new long[ts.length];
      for (int i = 0; i < ts.length; i++) {
        bits[i] = r * 1000L + ts[i];
        want.putIfAbsent(ts[i], bits[i]);
      }
      runs.add(new SampleMerge.Run(ts, bits, ts.length));
    }
    SampleMerge.Run m = SampleMerge.merge(runs);
    assertThat(Arrays.copyOf(m.ts(), m.n()))
        .containsExactly(want.keySet().stream().mapToLong(Long::longValue).toArray());
    assertThat(Arrays.copyOf(m.bits(), m.n()))
        .containsExactly(want.values().stream().mapToLong(Long::longValue).toArray());
  }
}
