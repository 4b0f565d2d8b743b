package io.theseus.ingest;

import java.nio.file.Path;

/**
 * Settings of the ingester, built by the server from its config ({@code server}, {@code ingester}
 * and {@code limits} sections). Durations in milliseconds.
 */
public record IngestOptions(
    Path walDir,
    long maxRequestBytes,
    Limits.Config limits,
    Tenants tenants,
    long maxChunkAgeMs,
    long maxChunkIdleMs,
    long maxStaleChunkIdleMs,
    long flushPeriodMs,
    long retainPeriodMs,
    int concurrentFlushes,
    long walSyncIntervalMs,
    long maxHeadBytes,
    int maxFlushBacklog,
    long walMaxBytes,
    long walSegmentBytes,
    long checkpointIntervalMs) {

  public IngestOptions {
    if (maxChunkAgeMs <= 0 || flushPeriodMs <= 0 || concurrentFlushes <= 0) {
      throw new IllegalArgumentException(
          "ingester: max_chunk_age_ms, flush_period_ms and concurrent_flushes must be > 0");
    }
  }

  /** Cortex defaults with the WAL in {@code walDir}. */
  public static IngestOptions defaults(Path walDir) {
    return new IngestOptions(
        walDir, 100L << 20, Limits.Config.defaultConfig(), new Tenants(false, null),
        12 * 3_600_000L, 300_000L, 120_000L, 60_000L, 300_000L, 16, 5, 4L << 30, 1_000_000,
        8L << 30, 64L << 20, 30 * 60_000L);
  }

  public IngestOptions withLimits(Limits.Config l) {
    return new IngestOptions(walDir, maxRequestBytes, l, tenants, maxChunkAgeMs, maxChunkIdleMs,
        maxStaleChunkIdleMs, flushPeriodMs, retainPeriodMs, concurrentFlushes, walSyncIntervalMs,
        maxHeadBytes, maxFlushBacklog, walMaxBytes, walSegmentBytes, checkpointIntervalMs);
  }

  public IngestOptions withTenants(Tenants t) {
    return new IngestOptions(walDir, maxRequestBytes, limits, t, maxChunkAgeMs, maxChunkIdleMs,
        maxStaleChunkIdleMs, flushPeriodMs, retainPeriodMs, concurrentFlushes, walSyncIntervalMs,
        maxHeadBytes, maxFlushBacklog, walMaxBytes, walSegmentBytes, checkpointIntervalMs);
  }

  public IngestOptions withFlush(long maxChunkAge, long idle, long staleIdle, long period, long retain) {
    return new IngestOptions(walDir, maxRequestBytes, limits, tenants, maxChunkAge, idle,
        staleIdle, period, retain, concurrentFlushes, walSyncIntervalMs, maxHeadBytes,
        maxFlushBacklog, walMaxBytes, walSegmentBytes, checkpointIntervalMs);
  }

  public IngestOptions withBackpressure(long headBytes, int backlog, long walBytes) {
    return new IngestOptions(walDir, maxRequestBytes, limits, tenants, maxChunkAgeMs,
        maxChunkIdleMs, maxStaleChunkIdleMs, flushPeriodMs, retainPeriodMs, concurrentFlushes,
        walSyncIntervalMs, headBytes, backlog, walBytes, walSegmentBytes, checkpointIntervalMs);
  }
}
