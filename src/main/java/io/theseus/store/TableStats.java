package io.theseus.store;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.theseus.chunk.Chunk;
import io.theseus.chunk.ChunkDecodeResult;
import io.theseus.chunk.SampleIterator;
import io.theseus.schema.RangeValues;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Size statistics of one Cortex-layout table for {@code theseus schema stats}: a scan of at most
 * {@code sampleRows} rows in token order (exact when the table is smaller: {@code complete}),
 * plus Cassandra's own {@code system.size_estimates} for the node answering (refreshed by
 * Cassandra every few minutes, so zero for new tables). For a chunk table every scanned blob is
 * decoded under its key and its samples counted; for an index table every scanned row is parsed
 * and the distinct series it names are counted (series IDs of v9+ rows, else the user/fingerprint
 * of the chunk IDs), giving an estimate of index rows per series. Read-only; one call per table.
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
 * @param kind chunk or index table; null when unknown (then nothing is decoded or parsed)
 * @param samples samples in the scanned chunks that decoded (chunk tables)
 * @param decodedBytes blob bytes of the scanned chunks that decoded (chunk tables)
 * @param badChunks scanned chunks that did not decode (chunk tables)
 * @param series distinct series named by the scanned index rows (index tables)
 * @param largestPartitions the largest scanned partitions, largest first (at most {@code top})
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
    long estimatedMeanPartitionBytes,
    PeriodicTables.Kind kind,
    long samples,
    long decodedBytes,
    long badChunks,
    long series,
    List<Partition> largestPartitions) {

  /** Default length of {@link #largestPartitions}. */
  public static final int DEFAULT_TOP = 10;

  /**
   * One scanned partition: its {@code hash}, the hash rendered for people ({@link #readable}),
   * bytes of its keys and values, and rows.
   */
  public record Partition(String table, String hash, long bytes, long rows) {
    /** {@link TableStats#readable} of the hash. */
    public String readable() {
      return TableStats.readable(hash);
    }
  }

  /** Partitions above this size hurt Cassandra (reads, repairs, compaction). */
  public static final long LARGE_PARTITION_BYTES = 100L * 1024 * 1024;

  /** Blob bytes per sample of the decoded chunks; 0 when none. */
  public double bytesPerSample() {
    return samples == 0 ? 0 : (double) decodedBytes / samples;
  }

  /** Index rows scanned per distinct series they name; 0 when none. */
  public double rowsPerSeries() {
    return series == 0 ? 0 : (double) rows / series;
  }

  /** Scans and estimates {@code keyspace.table} without decoding or parsing its rows. */
  public static TableStats of(CqlSession session, String keyspace, String table, int sampleRows) {
    return of(session, keyspace, table, sampleRows, null);
  }

  /** Scans and estimates {@code keyspace.table}, a table of {@code kind} (null: unknown). */
  public static TableStats of(
      CqlSession session, String keyspace, String table, int sampleRows, PeriodicTables.Kind kind) {
    return of(session, keyspace, table, sampleRows, kind, DEFAULT_TOP);
  }

  /** As above, keeping the {@code top} largest scanned partitions. */
  public static TableStats of(
      CqlSession session,
      String keyspace,
      String table,
      int sampleRows,
      PeriodicTables.Kind kind,
      int top) {
    if (top < 1) {
      throw new IllegalArgumentException("top partitions must be >= 1, got " + top);
    }
    PriorityQueue<Partition> tops =
        new PriorityQueue<>(Comparator.comparingLong(Partition::bytes));
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
    long currentRows = 0;
    boolean complete = true;
    long samples = 0;
    long decodedBytes = 0;
    long badChunks = 0;
    Set<String> seriesIds = new HashSet<>();
    Set<String> chunkSeries = new HashSet<>();
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
        offer(tops, top, table, current, currentBytes, currentRows);
        partitions++;
        current = hash;
        currentBytes = 0;
        currentRows = 0;
      }
      currentBytes += k + v;
      currentRows++;
      if (kind == PeriodicTables.Kind.CHUNK) {
        ChunkDecodeResult d = Chunk.decode(hash, value == null ? null : RowStore.bytes(value));
        if (d.ok()) {
          SampleIterator it = d.chunk().iterator();
          while (it.next()) {
            samples++;
          }
          decodedBytes += v;
        } else {
          badChunks++;
        }
      } else if (kind == PeriodicTables.Kind.INDEX && range != null) {
        try {
          RangeValues.Parsed p =
              RangeValues.parse(
                  RowStore.bytes(range), value == null ? null : RowStore.bytes(value));
          if (p.seriesId() != null) {
            seriesIds.add(p.seriesId());
          } else if (p.chunkId() != null) {
            chunkSeries.add(seriesOf(p.chunkId()));
          }
        } catch (IllegalArgumentException e) {
          // Not a chunk, label or series row: counted as a row, names no series.
        }
      }
      if (currentBytes > largest) {
        largest = currentBytes;
        largestHash = hash;
      }
    }
    offer(tops, top, table, current, currentBytes, currentRows);
    List<Partition> largestList = new ArrayList<>(tops);
    largestList.sort(Comparator.comparingLong(Partition::bytes).reversed());
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
        estPartitions, estMean, kind, samples, decodedBytes, badChunks,
        seriesIds.isEmpty() ? chunkSeries.size() : seriesIds.size(), List.copyOf(largestList));
  }

  private static void offer(
      PriorityQueue<Partition> tops, int top, String table, String hash, long bytes, long rows) {
    if (hash == null) {
      return;
    }
    if (tops.size() < top) {
      tops.add(new Partition(table, hash, bytes, rows));
    } else if (tops.peek().bytes() < bytes) {
      tops.poll();
      tops.add(new Partition(table, hash, bytes, rows));
    }
  }

  /**
   * A partition key for people: day buckets {@code d<n>} of index hashes get their UTC date
   * ({@code u1:d20394:up} → {@code u1:d20394(2025-11-02):up}); chunk keys {@code
   * user/fp:from:through:crc} get their time range ({@code ... [2025-11-02T10:00:00Z ..
   * 2025-11-02T12:00:00Z]}). Anything else is returned as is.
   */
  static String readable(String hash) {
    if (hash == null) {
      return "";
    }
    int slash = hash.indexOf('/');
    if (slash >= 0) {
      try {
        io.theseus.chunk.ExternalKey k = io.theseus.chunk.ExternalKey.parse(hash);
        return hash + " [" + java.time.Instant.ofEpochMilli(k.from()) + " .. "
            + java.time.Instant.ofEpochMilli(k.through()) + "]";
      } catch (IllegalArgumentException e) {
        return hash;
      }
    }
    StringBuilder b = new StringBuilder();
    String[] parts = hash.split(":", -1);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        b.append(':');
      }
      b.append(parts[i]);
      String p = parts[i];
      if (p.length() > 1 && p.length() < 12 && p.charAt(0) == 'd'
          && p.substring(1).matches("\\d+")) {
        b.append('(')
            .append(java.time.LocalDate.ofEpochDay(Long.parseLong(p.substring(1))))
            .append(')');
      }
    }
    return b.toString();
  }

  /** The series part of a chunk ID: {@code user/fp} of {@code user/fp:from:through:crc}. */
  static String seriesOf(String chunkId) {
    int colon = chunkId.indexOf(':', Math.max(0, chunkId.indexOf('/')));
    return colon < 0 ? chunkId : chunkId.substring(0, colon);
  }
}
