package io.theseus.query;

import io.theseus.model.Labels;

/**
 * One series as returned by a {@link Queryable}: labels plus parallel primitive arrays of
 * timestamps (ms, strictly increasing) and float values. Only the first {@code size} entries are
 * valid; the arrays may be longer and are owned by the series (callers must not modify them).
 */
public record Series(Labels labels, long[] timestamps, double[] values, int size) {
  /** Raw bits of Prometheus's staleness marker NaN. */
  public static final long STALE_NAN_BITS = 0x7ff0000000000002L;

  /** Whether {@code v} is the staleness marker (compared by raw bits, not by value). */
  public static boolean isStale(double v) {
    return Double.doubleToRawLongBits(v) == STALE_NAN_BITS;
  }

  /** The staleness marker value. */
  public static double staleNaN() {
    return Double.longBitsToDouble(STALE_NAN_BITS);
  }
}
