package io.theseus.schema;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One row of a Cortex index table: {@code (hash text, range blob, value blob)} in table
 * {@code table}. {@code value} is null where Cortex writes null (v1–v6 chunk rows, the v9
 * series→chunk row); Cassandra stores that as an absent cell, never a tombstone when the row is
 * inserted with unset values.
 *
 * <p>Immutable by convention: the arrays are not copied, so callers must not modify them after
 * construction.
 */
public record IndexEntry(String table, String hash, byte[] range, byte[] value) {
  public IndexEntry {
    if (table == null || table.isEmpty()) {
      throw new IllegalArgumentException("index entry without a table");
    }
    if (hash == null || range == null) {
      throw new IllegalArgumentException("index entry without hash or range in table " + table);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IndexEntry e
        && table.equals(e.table)
        && hash.equals(e.hash)
        && Arrays.equals(range, e.range)
        && Arrays.equals(value, e.value);
  }

  @Override
  public int hashCode() {
    return (table.hashCode() * 31 + hash.hashCode()) * 31 + Arrays.hashCode(range);
  }

  @Override
  public String toString() {
    HexFormat hex = HexFormat.of();
    return table + " " + hash + " range=" + hex.formatHex(range)
        + " value=" + (value == null ? "null" : hex.formatHex(value));
  }
}
