package io.theseus.server;

/**
 * Per-query limits of the read path. Zero disables a limit.
 *
 * @param maxSamples samples loaded from storage per query (Prometheus {@code --query.max-samples})
 * @param maxSeries series loaded per query (Cortex {@code max_fetched_series_per_query})
 * @param maxQueryLengthMs longest {@code end - start} of a range query (Cortex {@code
 *     max_query_length})
 * @param defaultTimeoutMs timeout when the request has none ({@code --query.timeout}, 2m)
 * @param remoteReadMaxSamples samples per remote-read request ({@code
 *     --storage.remote.read-sample-limit})
 */
record QueryLimits(
    long maxSamples,
    long maxSeries,
    long maxQueryLengthMs,
    long defaultTimeoutMs,
    long remoteReadMaxSamples) {
  QueryLimits {
    if (maxSamples < 0 || maxSeries < 0 || maxQueryLengthMs < 0 || remoteReadMaxSamples < 0) {
      throw new IllegalArgumentException("query limits must be >= 0");
    }
    if (defaultTimeoutMs <= 0) {
      throw new IllegalArgumentException("query timeout must be > 0, got " + defaultTimeoutMs);
    }
  }

  static final QueryLimits DEFAULTS =
      new QueryLimits(50_000_000, 1_000_000, 0, 120_000, 50_000_000);
}
