package io.theseus.store;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.nio.ByteBuffer;

/**
 * Size statistics of one Cortex-layout table for {@code theseus schema stats}: a scan of at most
 * {@code sampleRows} rows in token order (exact when the table is smaller: {@code complete}),
 * plus Cassandra's own {@code system.size_estimates} for the node answering (refreshed by
 * Cassandra every few minutes, so zero for new tables). Read-only; one call per table.
 *
 * @param rows rows scanned
 * @param partitions distinct {@code hash} values scanned (chunks, for chunk tables)
 * @param valueBytes bytes of {@code value} cells scanned
 * @param keyBytes bytes of {@code hash} and {@code range} scanned
 * @param largestPartitionBytes the largest scanned partition (key + value bytes)
 * @param largestPartition its {@code hash}
 * @param complete whether the scan covered the whole table
 * @param estimatedPartitions {@code sum(partitions_count)} of size_estimates
 * @param estimatedMeanPartitionBytes {@code max(mean_partition_size)} of size_estimates
 */
public record TableStats(
    String table,
    long rows,
    long partitions,
    long valueBytes,
    long keyBytes,
    long largestPartitionBytes,
    String largestPartition,
    boolean complete,
    long estimatedPartitions,
    long estimatedMeanPartitionBytes) {

  /** Partitions above this size hurt Cassandra (reads, repairs, compaction). */
  public static final long LARGE_PARTITION_BYTES = 100L * 1024 * 1024;

  /** Scans and estimates {@code keyspace.table}. */
  public static TableStats of(CqlSession session, String keyspace, String table, int sampleRows) {
    String q =
        "SELECT hash, range, value FROM " + CqlIdentifier.fromInternal(keyspace).asCql(true) + "."
            + CqlIdentifier.fromInternal(table).asCql(true) + " LIMIT " + (sampleRows + 1);
    long rows = 0;
    long partitions = 0;
    long valueBytes = 0;
    long keyBytes = 0;
    long largest = 0;
    String largestHash = null;
    String current = null;
    long currentBytes = 0;
    boolean complete = true;
    for (Row r : session.execute(SimpleStatement.newInstance(q).setPageSize(1000))) {
      if (rows == sampleRows) {
        complete = false;
        break;
      }
      rows++;
      String hash = r.getString(0);
      ByteBuffer range = r.getByteBuffer(1);
      ByteBuffer value = r.getByteBuffer(2);
      long k = hash.length() + (range == null ? 0 : range.remaining());
      long v = value == null ? 0 : value.remaining();
      keyBytes += k;
      valueBytes += v;
      if (!hash.equals(current)) {
        partitions++;
        current = hash;
        currentBytes = 0;
      }
      currentBytes += k + v;
      if (currentBytes > largest) {
        largest = currentBytes;
        largestHash = hash;
      }
    }
    long estPartitions = 0;
    long estMean = 0;
    for (Row r :
        session.execute(
            SimpleStatement.newInstance(
                "SELECT partitions_count, mean_partition_size FROM system.size_estimates WHERE"
                    + " keyspace_name = ? AND table_name = ?",
                keyspace,
                table))) {
      estPartitions += r.getLong(0);
      estMean = Math.max(estMean, r.getLong(1));
    }
    return new TableStats(
        table, rows, partitions, valueBytes, keyBytes, largest, largestHash, complete,
        estPartitions, estMean);
  }
}
