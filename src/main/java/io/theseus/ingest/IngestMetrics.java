package io.theseus.ingest;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The ingestion metrics exported on {@code /metrics}. Label lookups happen once per request, never
 * per sample. Thread-safe.
 */
public final class IngestMetrics {
  final Counter received;
  final Counter accepted;
  final Counter rejected;
  final Counter exemplars;
  final Counter metadata;
  final Gauge activeSeries;
  final Counter chunksFlushed;
  final Counter bytesFlushed;
  final Counter flushFailures;
  final Gauge flushQueue;
  final Histogram flushLatency;
  final Histogram fsyncLatency;
  final Histogram requestLatency;

  public IngestMetrics(PrometheusRegistry registry) {
    received =
        Counter.builder().name("theseus_ingest_samples_received")
            .help("Samples received in remote-write requests, per tenant.")
            .labelNames("tenant").register(registry);
    accepted =
        Counter.builder().name("theseus_ingest_samples_accepted")
            .help("Samples appended to the head (duplicates excluded), per tenant.")
            .labelNames("tenant").register(registry);
    rejected =
        Counter.builder().name("theseus_ingest_samples_rejected")
            .help("Samples discarded, by Cortex discard reason and tenant.")
            .labelNames("reason", "tenant").register(registry);
    exemplars =
        Counter.builder().name("theseus_ingest_exemplars_received")
            .help("Exemplars received (counted, not stored).").labelNames("tenant").register(registry);
    metadata =
        Counter.builder().name("theseus_ingest_metadata_received")
            .help("Metric metadata entries received.").labelNames("tenant").register(registry);
    activeSeries =
        Gauge.builder().name("theseus_ingest_active_series")
            .help("Series in the in-memory head, per tenant.").labelNames("tenant").register(registry);
    chunksFlushed =
        Counter.builder().name("theseus_ingest_chunks_flushed")
            .help("Chunks written to the store.").register(registry);
    bytesFlushed =
        Counter.builder().name("theseus_ingest_chunk_bytes_flushed")
            .help("Bigchunk bytes written to the store.").register(registry);
    flushFailures =
        Counter.builder().name("theseus_ingest_flush_failures")
            .help("Chunk flushes that failed and will be retried.").register(registry);
    flushQueue =
        Gauge.builder().name("theseus_ingest_flush_backlog_chunks")
            .help("Closed chunks waiting to be flushed.").register(registry);
    flushLatency =
        Histogram.builder().name("theseus_ingest_flush_duration_seconds")
            .help("Time to write one chunk to the store.").register(registry);
    fsyncLatency =
        Histogram.builder().name("theseus_wal_fsync_duration_seconds")
            .help("WAL group-commit fsync latency.").register(registry);
    requestLatency =
        Histogram.builder().name("theseus_ingest_request_duration_seconds")
            .help("Remote-write request latency by route and status code.")
            .labelNames("route", "status").register(registry);
  }
}
