package io.theseus.query;

import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Merges several {@link Queryable}s (this instance's head, Cassandra, peers' heads) into one:
 * series with equal labels from different sources become one series whose samples are the union by
 * timestamp. On equal timestamps the source listed first wins (the head is listed first: it holds
 * the newest write of a sample). Warnings of all sources are kept, de-duplicated, in order.
 *
 * <p>Invariants of the output: series sorted by labels, samples strictly increasing in time.
 * Thread-safe if the sources are. Allocates only per series, not per sample (merging copies into
 * one pair of primitive arrays).
 */
public final class MergeQueryable implements Queryable {
  private final List<Queryable> sources;

  public MergeQueryable(List<Queryable> sources) {
    this.sources = List.copyOf(sources);
  }

  @Override
  public SeriesSet select(long mint, long maxt, List<Matcher> matchers, Hints hints) {
    if (sources.size() == 1) {
      return sources.get(0).select(mint, maxt, matchers, hints);
    }
    Map<Labels, List<Series>> byLabels = new TreeMap<>();
    LinkedHashSet<String> warnings = new LinkedHashSet<>();
    for (Queryable q : sources) {
      SeriesSet s = q.select(mint, maxt, matchers, hints);
      warnings.addAll(s.warnings());
      for (Series x : s.series()) {
        byLabels.computeIfAbsent(x.labels(), k -> new ArrayList<>(2)).add(x);
      }
    }
    List<Series> out = new ArrayList<>(byLabels.size());
    for (List<Series> group : byLabels.values()) {
      out.add(group.size() == 1 ? group.get(0) : merge(group));
    }
    return new SeriesSet(out, List.copyOf(warnings));
  }

  /** Merges series with equal labels; earlier entries win on equal timestamps. */
  public static Series merge(List<Series> group) {
    Series acc = group.get(0);
    for (int i = 1; i < group.size(); i++) {
      acc = merge2(acc, group.get(i));
    }
    return acc;
  }

  private static Series merge2(Series a, Series b) {
    long[] ts = new long[a.size() + b.size()];
    double[] vs = new double[ts.length];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < a.size() || j < b.size()) {
      if (j >= b.size() || (i < a.size() && a.timestamps()[i] <= b.timestamps()[j])) {
        if (j < b.size() && a.timestamps()[i] == b.timestamps()[j]) {
          j++;
        }
        ts[n] = a.timestamps()[i];
        vs[n++] = a.values()[i++];
      } else {
        ts[n] = b.timestamps()[j];
        vs[n++] = b.values()[j++];
      }
    }
    return new Series(a.labels(), ts, vs, n);
  }
}
