package io.theseus.ingest;

import io.theseus.model.Labels;

/**
 * A head series with its samples in the queried time range (unflushed and retained chunks),
 * sorted by time. Values keep their exact bits (stale markers included).
 */
public record HeadSeries(Labels labels, long fingerprint, long[] timestamps, double[] values) {}
