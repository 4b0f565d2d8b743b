package io.theseus.server;

/**
 * Per-query limits of the read path. Zero disables a limit (except the timeout and lookback).
 *
 * @param maxSamples samples loaded from storage per query (Prometheus {@code --query.max-samples})
 * @param maxSeries series loaded per query (Cortex {@code max_fetched_series_per_query})
 * @param maxQueryLengthMs longest {@code end - start} of a range query (Cortex {@code
 *     max_query_length})
 * @param defaultTimeoutMs timeout when the request has none ({@code --query.timeout}, 2m); a
 *     request's {@code timeout} parameter can only shorten it
 * @param remoteReadMaxSamples samples per remote-read request ({@code
 *     --storage.remote.read-sample-limit})
 * @param lookbackDeltaMs PromQL lookback delta ({@code --query.lookback-delta}, 5m)
 */
record QueryLimits(
    long maxSamples,
    long maxSeries,
    long maxQueryLengthMs,
    long defaultTimeoutMs,
    long remoteReadMaxSamples,
    long lookbackDeltaMs) {
  QueryLimits {
    if (maxSamples < 0 || maxSeries < 0 || maxQueryLengthMs < 0 || remoteReadMaxSamples < 0) {
      throw new IllegalArgumentException("query limits must be >= 0");
    }
    if (defaultTimeoutMs <= 0) {
      throw new IllegalArgumentException("query timeout must be > 0, got " + defaultTimeoutMs);
    }
    if (lookbackDeltaMs <= 0) {
      throw new IllegalArgumentException("lookback delta must be > 0, got " + lookbackDeltaMs);
    }
  }

  QueryLimits(
      long maxSamples,
      long maxSeries,
      long maxQueryLengthMs,
      long defaultTimeoutMs,
      long remoteReadMaxSamples) {
    this(
        maxSamples,
        maxSeries,
        maxQueryLengthMs,
        defaultTimeoutMs,
        remoteReadMaxSamples,
        io.theseus.query.promql.Engine.DEFAULT_LOOKBACK_MS);
  }

  static final QueryLimits DEFAULTS =
      new QueryLimits(50_000_000, 1_000_000, 0, 120_000, 50_000_000);

  /** The limits a {@code querier} config section sets. */
  static QueryLimits of(TheseusConfig.Querier q) {
    return new QueryLimits(
        q.maxSamples(),
        q.maxFetchedSeriesPerQuery(),
        q.maxQueryLengthMs(),
        q.timeoutMs(),
        q.remoteReadMaxSamples(),
        q.lookbackDeltaMs());
  }
}
