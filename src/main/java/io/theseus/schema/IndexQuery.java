package io.theseus.schema;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One read of a Cortex index row: table + hash, and at most one of a range prefix ({@code range >=
 * p AND range < p||0xFF}) or a range start ({@code range >= s}), plus an optional {@code value = v}
 * filter. With neither range condition the whole row is read. These are exactly the six query
 * shapes of Cortex's Cassandra client (cortex-chunks.md §5.2).
 */
public record IndexQuery(
    String table, String hash, byte[] rangePrefix, byte[] rangeStart, byte[] valueEqual) {
  public IndexQuery {
    if (table == null || table.isEmpty() || hash == null) {
      throw new IllegalArgumentException("index query without table or hash");
    }
    if (rangePrefix != null && rangeStart != null) {
      throw new IllegalArgumentException("index query with both a range prefix and a range start");
    }
  }

  public static IndexQuery wholeRow(String table, String hash) {
    return new IndexQuery(table, hash, null, null, null);
  }

  /** True when the query has neither a range prefix nor a range start. */
  public boolean isWholeRow() {
    return rangePrefix == null && rangeStart == null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IndexQuery q
        && table.equals(q.table)
        && hash.equals(q.hash)
        && Arrays.equals(rangePrefix, q.rangePrefix)
        && Arrays.equals(rangeStart, q.rangeStart)
        && Arrays.equals(valueEqual, q.valueEqual);
  }

  @Override
  public int hashCode() {
    return ((table.hashCode() * 31 + hash.hashCode()) * 31 + Arrays.hashCode(rangePrefix)) * 31
        + Arrays.hashCode(rangeStart);
  }

  @Override
  public String toString() {
    HexFormat hex = HexFormat.of();
    StringBuilder b = new StringBuilder(table).append(" hash=").append(hash);
    if (rangePrefix != null) {
      b.append(" prefix=").append(hex.formatHex(rangePrefix));
    }
    if (rangeStart != null) {
      b.append(" start=").append(hex.formatHex(rangeStart));
    }
    if (valueEqual != null) {
      b.append(" value=").append(hex.formatHex(valueEqual));
    }
    return b.toString();
  }
}
