package io.theseus.query;

import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Merges several {@link Queryable}s (this instance's head, Cassandra, peers' heads) into one:
 * series with equal labels from different sources become one series whose samples are the union by
 * timestamp. On equal timestamps the source listed first wins (the head is listed first: it holds
 * the newest write of a sample). Warnings of all sources are kept, de-duplicated, in order.
 *
 * <p>Concurrency: with an executor, every source but the first is started on it at once and the
 * first runs on the calling thread; the merge starts when all have answered, so a select takes as
 * long as its slowest source, not their sum. The wait ends at the deadline ({@code
 * System.nanoTime()} based) with {@link QueryTimeoutException}; a source that fails fails the
 * select. Sources that must degrade instead (peers) turn their own failures into warnings. The
 * merge itself is the same whatever order the sources finish in.
 *
 * <p>Invariants of the output: series sorted by labels, samples strictly increasing in time.
 * Thread-safe if the sources are. Allocates only per series, not per sample (merging copies into
 * one pair of primitive arrays).
 */
public final class MergeQueryable implements Queryable {
  /** Thrown when the deadline passes while waiting for sources. */
  public static final class QueryTimeoutException extends RuntimeException {
    QueryTimeoutException() {
      super("query timed out while waiting for data sources", null, false, false);
    }
  }

  private final List<Queryable> sources;
  private final Executor executor;
  private final long deadlineNanos;

  /** Sequential merge (sources queried one after the other on the calling thread). */
  public MergeQueryable(List<Queryable> sources) {
    this.sources = List.copyOf(sources);
    this.executor = null;
    this.deadlineNanos = 0;
  }

  /**
   * Concurrent merge: sources 2..n start on {@code executor} at once.
   *
   * @param deadlineNanos {@code System.nanoTime()} after which waiting stops
   */
  public MergeQueryable(List<Queryable> sources, Executor executor, long deadlineNanos) {
    this.sources = List.copyOf(sources);
    this.executor = executor;
    this.deadlineNanos = deadlineNanos;
  }

  @Override
  public SeriesSet select(long mint, long maxt, List<Matcher> matchers, Hints hints) {
    if (sources.size() == 1) {
      return sources.get(0).select(mint, maxt, matchers, hints);
    }
    SeriesSet[] results = new SeriesSet[sources.size()];
    if (executor == null) {
      for (int i = 0; i < results.length; i++) {
        results[i] = sources.get(i).select(mint, maxt, matchers, hints);
      }
    } else {
      selectConcurrently(results, mint, maxt, matchers, hints);
    }
    Map<Labels, List<Series>> byLabels = new TreeMap<>();
    LinkedHashSet<String> warnings = new LinkedHashSet<>();
    for (SeriesSet s : results) {
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

  private void selectConcurrently(
      SeriesSet[] results, long mint, long maxt, List<Matcher> matchers, Hints hints) {
    List<CompletableFuture<SeriesSet>> fs = new ArrayList<>(sources.size() - 1);
    for (int i = 1; i < sources.size(); i++) {
      Queryable q = sources.get(i);
      fs.add(CompletableFuture.supplyAsync(() -> q.select(mint, maxt, matchers, hints), executor));
    }
    try {
      results[0] = sources.get(0).select(mint, maxt, matchers, hints);
      for (int i = 0; i < fs.size(); i++) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0 && !fs.get(i).isDone()) {
          throw new QueryTimeoutException();
        }
        results[i + 1] = fs.get(i).get(Math.max(0, left), TimeUnit.NANOSECONDS);
      }
    } catch (TimeoutException e) {
      throw new QueryTimeoutException();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueryTimeoutException();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(c);
    } finally {
      for (CompletableFuture<SeriesSet> f : fs) {
        f.cancel(false);
      }
    }
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
