package io.theseus.server;

import io.theseus.model.Matcher;
import io.theseus.query.Queryable;
import io.theseus.query.Series;
import io.theseus.query.SeriesSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Enforces one query's limits around its {@link Queryable}: the number of series and samples loaded
 * (summed over all selects of the query) and the deadline. A breach throws {@link Abort} with the
 * Prometheus error type and a message naming the limit.
 *
 * <p>Samples are counted as loaded from storage (Prometheus counts its peak in memory, so a query
 * near the limit may be judged differently). One instance per query; thread-safe counters.
 */
final class QueryGuard implements Queryable {
  /** A query stopped by a limit or its deadline. */
  static final class Abort extends RuntimeException {
    final String errorType;

    Abort(String errorType, String msg) {
      super(msg, null, false, false);
      this.errorType = errorType;
    }
  }

  static final String TIMEOUT_MESSAGE = "query timed out in query execution";

  private final Queryable inner;
  private final QueryLimits limits;
  private final long deadlineNanos;
  private final AtomicBoolean cancelled;
  private final AtomicLong samples = new AtomicLong();
  private final AtomicLong series = new AtomicLong();

  QueryGuard(Queryable inner, QueryLimits limits, long deadlineNanos, AtomicBoolean cancelled) {
    this.inner = inner;
    this.limits = limits;
    this.deadlineNanos = deadlineNanos;
    this.cancelled = cancelled;
  }

  /** Throws if the deadline passed or the query was cancelled. */
  void check() {
    if (cancelled.get() || System.nanoTime() - deadlineNanos > 0) {
      throw new Abort("timeout", TIMEOUT_MESSAGE);
    }
  }

  @Override
  public SeriesSet select(long mint, long maxt, List<Matcher> matchers, Hints hints) {
    check();
    SeriesSet s;
    try {
      s = inner.select(mint, maxt, matchers, hints);
    } catch (io.theseus.query.MergeQueryable.QueryTimeoutException e) {
      throw new Abort("timeout", TIMEOUT_MESSAGE);
    }
    check();
    long n = 0;
    for (Series x : s.series()) {
      n += x.size();
    }
    long totalSeries = series.addAndGet(s.series().size());
    if (limits.maxSeries() > 0 && totalSeries > limits.maxSeries()) {
      throw new Abort(
          "execution",
          "the query hit the max number of series limit (limit: "
              + limits.maxSeries()
              + " series)");
    }
    long total = samples.addAndGet(n);
    if (limits.maxSamples() > 0 && total > limits.maxSamples()) {
      throw new Abort(
          "execution",
          "query processing would load too many samples into memory in query execution (limit: "
              + limits.maxSamples()
              + " samples)");
    }
    return s;
  }

  long samples() {
    return samples.get();
  }
}
