package io.theseus.store;

import io.theseus.model.Labels;

/**
 * One series read back from the chunk store: its labels (from the chunk metadata) and parallel
 * primitive arrays of strictly increasing timestamps (ms) and values. Samples of overlapping chunks
 * are merged and de-duplicated by timestamp. Values keep their raw IEEE-754 bits, so NaN payloads
 * such as the Prometheus stale marker survive. The arrays are owned by the record and must not be
 * modified by callers.
 */
public record StoredSeries(Labels labels, long[] timestamps, double[] values) {
  public StoredSeries {
    if (timestamps.length != values.length) {
      throw new IllegalArgumentException(
          "timestamps and values differ in length: " + timestamps.length + " vs " + values.length);
    }
  }

  /** Number of samples. */
  public int size() {
    return timestamps.length;
  }
}
