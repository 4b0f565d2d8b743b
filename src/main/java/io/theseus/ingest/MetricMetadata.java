package io.theseus.ingest;

/** Metric metadata of one metric family, as {@code /api/v1/metadata} shows it. */
public record MetricMetadata(String type, String help, String unit) {}
