package io.theseus.query;

import io.theseus.model.Matcher;
import java.util.List;

/**
 * A source of series for the query engine: the head of this instance, Cassandra, peers, or the
 * in-memory store of the test runner.
 *
 * <p>Contract: {@link #select} returns every series whose labels satisfy all matchers and that has
 * at least one sample in {@code [mint, maxt]} (implementations may return more samples outside that
 * range, and may return series without samples in range; the engine filters). Each series' samples
 * are sorted by timestamp, without duplicate timestamps. Staleness markers are kept as the NaN with
 * raw bits {@link Series#STALE_NAN_BITS}. Implementations must be thread-safe.
 */
public interface Queryable {
  /** Hints from the engine; implementations may ignore them. */
  record Hints(long start, long end, long step, long range, String func) {
    public static final Hints NONE = new Hints(0, 0, 0, 0, "");
  }

  /**
   * Selects series.
   *
   * @param mint inclusive lower bound in milliseconds
   * @param maxt inclusive upper bound in milliseconds
   * @param matchers all must match (a missing label matches as the empty string)
   */
  SeriesSet select(long mint, long maxt, List<Matcher> matchers, Hints hints);
}
