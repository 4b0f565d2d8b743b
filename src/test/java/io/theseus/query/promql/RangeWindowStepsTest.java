package io.theseus.query.promql;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.model.Labels;
import io.theseus.query.MemoryQueryable;
import io.theseus.query.Series;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/**
 * Range functions over many steps (windows sliding across the samples) against one instant query
 * per step (a fresh window each time): same points, same value bits. Samples have irregular
 * spacing, counter resets and staleness markers.
 */
class RangeWindowStepsTest {
  @Provide
  Arbitrary<String> funcs() {
    return Arbitraries.of(
        "rate", "increase", "delta", "irate", "idelta", "avg_over_time", "sum_over_time",
        "count_over_time", "max_over_time", "min_over_time", "last_over_time", "changes",
        "resets", "deriv", "stddev_over_time", "present_over_time");
  }

  @Property(tries = 300)
  void range_function_equalsInstantPerStep(
      @ForAll("funcs") String func,
      @ForAll @Size(min = 1, max = 80) List<@IntRange(min = 1, max = 150) Integer> gapsSec,
      @ForAll @IntRange(min = 0, max = 9) int staleEvery,
      @ForAll @LongRange(min = 1, max = 6) long rangeMin,
      @ForAll @IntRange(min = 0, max = 2) int offsetMin,
      @ForAll @IntRange(min = 7, max = 90) int stepSec) {
    MemoryQueryable q = new MemoryQueryable();
    long t = 0;
    double v = 0;
    for (int i = 0; i < gapsSec.size(); i++) {
      t += gapsSec.get(i) * 1000L;
      v = (i % 13 == 12) ? 1 : v + gapsSec.get(i) * 0.37;
      boolean stale = staleEvery > 0 && i % (staleEvery + 2) == staleEvery;
      q.append(Labels.of("__name__", "m", "i", "a"), t, stale ? Series.staleNaN() : v);
      q.append(Labels.of("__name__", "m", "i", "b"), t + 500, v * 2);
    }
    String expr =
        func + "(m[" + rangeMin + "m]" + (offsetMin > 0 ? " offset " + offsetMin + "m" : "") + ")";
    Engine engine = new Engine(q);
    long step = stepSec * 1000L;
    long end = t + 10 * 60_000L;
    QueryResult got = engine.range(expr, 0, end, step);
    List<String> expected = new ArrayList<>();
    for (long ts = 0; ts <= end; ts += step) {
      for (Series s : engine.instant(expr, ts).series()) {
        expected.add(line(s.labels(), ts, s.values()[0]));
      }
    }
    List<String> actual = new ArrayList<>();
    for (Series s : got.series()) {
      for (int i = 0; i < s.size(); i++) {
        actual.add(line(s.labels(), s.timestamps()[i], s.values()[i]));
      }
    }
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
  }

  private static String line(Labels l, long ts, double v) {
    return l + " " + ts + " " + Long.toHexString(Double.doubleToRawLongBits(v));
  }
}
