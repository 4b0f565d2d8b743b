package io.theseus.query.promql;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.model.Labels;
import io.theseus.query.MemoryQueryable;
import io.theseus.query.Series;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The all-steps aggregation of range queries against the per-step reference: for every step, the
 * instant vector of the argument at that step folded by {@link Aggregation#aggregate} (the
 * per-step implementation the range path used before). Values compared by their bits.
 */
class AggregateStepsTest {
  private static final long STEP = 60_000;

  @Provide
  Arbitrary<String> ops() {
    return Arbitraries.of(
        "sum", "avg", "count", "group", "max", "min", "stdvar", "stddev");
  }

  @Provide
  Arbitrary<Double> values() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(20, Arbitraries.doubles().between(-1e6, 1e6)),
        net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(-5, 5).map(i -> (double) i)),
        net.jqwik.api.Tuple.of(1, Arbitraries.of(
            Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 1e308)));
  }

  @Property(tries = 300)
  void range_aggregation_equalsPerStepReference(
      @ForAll("ops") String op,
      @ForAll boolean without,
      @ForAll @Size(min = 1, max = 60) List<@From("values") Double> vals,
      @ForAll @IntRange(min = 1, max = 6) int seriesCount,
      @ForAll @IntRange(min = 0, max = 3) int gapEvery) {
    MemoryQueryable q = new MemoryQueryable();
    for (int i = 0; i < vals.size(); i++) {
      int s = i % seriesCount;
      int slot = i / seriesCount;
      if (gapEvery > 0 && (slot + s) % (gapEvery + 3) == 0) {
        continue; // gaps longer than the lookback for some series at some steps
      }
      Labels l =
          Labels.of("__name__", "m", "g", "g" + (s % 2), "i", "s" + s, "k", s < 3 ? "x" : "y");
      q.append(l, slot * STEP * 7, vals.get(i));
    }
    String expr = op + (without ? " without (i) (m)" : " by (g) (m)");
    Engine engine = new Engine(q);
    long end = (vals.size() / seriesCount + 1) * STEP * 7;
    QueryResult got = engine.range(expr, 0, end, STEP);

    Ast.Aggregate a = (Ast.Aggregate) Parser.parse(expr);
    List<String> expected = new ArrayList<>();
    HashMap<Labels, Labels> cache = new HashMap<>();
    for (long ts = 0; ts <= end; ts += STEP) {
      QueryResult in = engine.instant("m", ts);
      Vec vec = new Vec();
      for (Series s : in.series()) {
        vec.add(s.labels(), s.values()[0]);
      }
      Vec out = new Vec();
      Aggregation.aggregate(a, 0, null, vec, out, cache);
      for (int i = 0; i < out.n; i++) {
        expected.add(out.l[i] + " " + ts + " " + Long.toHexString(Double.doubleToRawLongBits(out.v[i])));
      }
    }
    List<String> actual = new ArrayList<>();
    for (Series s : got.series()) {
      for (int i = 0; i < s.size(); i++) {
        actual.add(s.labels() + " " + s.timestamps()[i] + " "
            + Long.toHexString(Double.doubleToRawLongBits(s.values()[i])));
      }
    }
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
  }
}
