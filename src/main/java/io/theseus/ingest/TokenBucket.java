package io.theseus.ingest;

/**
 * A token bucket (Cortex's local ingestion rate strategy): refills at {@code rate} tokens per
 * second up to {@code burst}; a request takes all its samples at once or nothing.
 *
 * <p>Thread-safe (synchronized; one per tenant, held for nanoseconds).
 */
final class TokenBucket {
  private double rate;
  private double burst;
  private double tokens;
  private long lastNanos;

  TokenBucket(double rate, double burst, long nowNanos) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
    this.lastNanos = nowNanos;
  }

  synchronized void setLimits(double newRate, double newBurst) {
    rate = newRate;
    burst = newBurst;
    tokens = Math.min(tokens, burst);
  }

  /** Takes {@code n} tokens if available. */
  synchronized boolean tryTake(long n, long nowNanos) {
    if (nowNanos > lastNanos) {
      tokens = Math.min(burst, tokens + (nowNanos - lastNanos) * rate / 1e9);
      lastNanos = nowNanos;
    }
    if (n <= tokens) {
      tokens -= n;
      return true;
    }
    return false;
  }
}
