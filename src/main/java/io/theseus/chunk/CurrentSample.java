package io.theseus.chunk;

/**
 * The current-sample state and accessors shared by the chunk iterators ({@link XorIterator},
 * {@link DoubleDeltaIterator}, {@link VarbitIterator}): the timestamp, the raw value bits and the
 * decoding error. Subclasses own the decoding and {@link #next()} / {@link #seek}; they write these
 * fields directly so the per-sample path stays free of calls and allocation. Not thread-safe.
 */
abstract class CurrentSample implements SampleIterator {
  /** Timestamp in ms of the current sample. */
  long t;

  /** Raw IEEE-754 bits of the current sample's value. */
  long vBits;

  /** Null while the data is sound; otherwise why iteration stopped. */
  String error;

  @Override
  public final long timestamp() {
    return t;
  }

  @Override
  public final double value() {
    return Double.longBitsToDouble(vBits);
  }

  @Override
  public final long valueBits() {
    return vBits;
  }

  @Override
  public final String error() {
    return error;
  }
}
