package io.theseus.ingest;

/**
 * Why samples were discarded: Cortex's {@code cortex_discarded_samples_total} reason labels and
 * the HTTP status each maps to.
 */
enum Reason {
  MISSING_METRIC_NAME("missing_metric_name", 400),
  METRIC_NAME_INVALID("metric_name_invalid", 400),
  MAX_LABEL_NAMES_PER_SERIES("max_label_names_per_series", 400),
  LABEL_INVALID("label_invalid", 400),
  LABEL_NAME_TOO_LONG("label_name_too_long", 400),
  LABEL_VALUE_TOO_LONG("label_value_too_long", 400),
  LABEL_VALUE_INVALID("label_value_invalid", 400),
  DUPLICATE_LABEL_NAMES("duplicate_label_names", 400),
  TOO_OLD("greater_than_max_sample_age", 400),
  TOO_FAR_IN_FUTURE("too_far_in_future", 400),
  NATIVE_HISTOGRAM("native_histogram_unsupported", 400),
  RATE_LIMITED("rate_limited", 429),
  OUT_OF_ORDER("sample-out-of-order", 400),
  NEW_VALUE_FOR_TIMESTAMP("new-value-for-timestamp", 400),
  PER_USER_SERIES_LIMIT("per_user_series_limit", 400),
  PER_METRIC_SERIES_LIMIT("per_metric_series_limit", 400),
  METADATA_TOO_LONG("metadata_too_long", 400),
  BACKPRESSURE("backpressure", 503);

  final String label;
  final int status;

  Reason(String label, int status) {
    this.label = label;
    this.status = status;
  }
}
