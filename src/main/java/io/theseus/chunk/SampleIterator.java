package io.theseus.chunk;

/**
 * Forward iterator over the (timestamp, value) samples of one chunk, in timestamp order.
 *
 * <p>Contract: call {@link #next()} (or {@link #seek}) before reading; after it returns {@code
 * true}, {@link #timestamp()}, {@link #value()} and {@link #valueBits()} describe the current
 * sample. Corrupt or truncated input never throws: iteration stops ({@code next()} returns
 * false) and {@link #error()} becomes non-null. Use {@link #valueBits()} to see NaN payloads
 * (e.g. the Prometheus stale marker {@code 0x7ff0000000000002}) exactly. Implementations are
 * single-threaded, allocate nothing per sample and may be reused via their {@code reset} methods.
 */
public interface SampleIterator {
  /** Advances to the next sample; false at the end of data or on error (see {@link #error()}). */
  boolean next();

  /**
   * Advances to the first sample with timestamp {@code >= t}; stays put if the current sample
   * already qualifies. Returns false when no such sample exists or on error.
   */
  boolean seek(long t);

  /** Timestamp in ms of the current sample. */
  long timestamp();

  /** Value of the current sample. */
  double value();

  /** Raw IEEE-754 bits of the current sample's value (NaN payloads preserved). */
  long valueBits();

  /** Null while the data is sound; otherwise a message describing why iteration stopped. */
  String error();

  /** True when iteration stopped because of corrupt or truncated data. */
  default boolean failed() {
    return error() != null;
  }

  /** An iterator with no samples. */
  static SampleIterator empty() {
    return EmptyIterator.INSTANCE;
  }

  /** An iterator that yields nothing and reports {@code message} as its error. */
  static SampleIterator failedWith(String message) {
    return new EmptyIterator(message);
  }
}

/** The empty / failed iterator. Immutable. */
final class EmptyIterator implements SampleIterator {
  static final EmptyIterator INSTANCE = new EmptyIterator(null);
  private final String error;

  EmptyIterator(String error) {
    this.error = error;
  }

  @Override
  public boolean next() {
    return false;
  }

  @Override
  public boolean seek(long t) {
    return false;
  }

  @Override
  public long timestamp() {
    throw new IllegalStateException("no current sample");
  }

  @Override
  public double value() {
    throw new IllegalStateException("no current sample");
  }

  @Override
  public long valueBits() {
    throw new IllegalStateException("no current sample");
  }

  @Override
  public String error() {
    return error;
  }
}
