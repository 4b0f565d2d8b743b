package io.theseus.schema;

/**
 * The {@code index:} or {@code chunks:} block of a schema period: a table-name prefix and a table
 * period. Table {@code t} is {@code prefix + floor(t_unix_seconds / period_seconds)} (periods are
 * aligned to the Unix epoch, so weekly tables start on Thursdays 00:00 UTC); with period 0 the
 * table is the prefix alone. Immutable.
 *
 * @param prefix table-name prefix, e.g. {@code index_}
 * @param periodMs table period in milliseconds; 0 means one non-periodic table
 */
public record PeriodicTableConfig(String prefix, long periodMs) {
  public PeriodicTableConfig {
    if (prefix == null) {
      prefix = "";
    }
    if (periodMs < 0) {
      throw new IllegalArgumentException("table period must not be negative, got " + periodMs);
    }
  }

  /** The table holding time {@code ms} (Cortex {@code TableFor}, integer seconds as Go). */
  public String tableFor(long ms) {
    if (periodMs == 0) {
      return prefix;
    }
    long periodSecs = periodMs / 1000;
    return prefix + ((ms / 1000) / periodSecs);
  }

  /** Start (ms) of the table period that holds {@code ms}; 0 for a non-periodic table. */
  public long periodStart(long ms) {
    if (periodMs == 0) {
      return 0;
    }
    long periodSecs = periodMs / 1000;
    return ((ms / 1000) / periodSecs) * periodSecs * 1000;
  }
}
