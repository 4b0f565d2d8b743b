package io.theseus.store;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.theseus.chunk.Chunk;
import io.theseus.chunk.ChunkDecodeResult;
import io.theseus.chunk.DecodeStatus;
import io.theseus.schema.Keys;
import io.theseus.schema.RangeValues;
import io.theseus.schema.SchemaConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code theseus schema verify} (fsck): scans index rows (at most {@code sampleRows} per table),
 * parses each with {@link RangeValues#parse}, and checks that every chunk an index row points at
 * exists in the chunk table of its start time; scans chunk tables (at most {@code sampleRows} per
 * table) and reports chunks no scanned index row points at (orphans; only meaningful when every
 * index scan was complete, which {@link Report#indexComplete} says). Every chunk found (fetched
 * for an index reference or met in the chunk scan) is decoded once with {@link Chunk#decode}
 * under the key it is stored at: CRC-32C, truncation, metadata against the key, encoding and data
 * structure; the outcome is counted per {@link DecodeStatus}. Read-only; not thread-safe (one
 * run).
 */
public final class IndexVerifier {
  /**
   * The outcome; {@code problems} holds at most the first 20, with their keys; {@code decoded}
   * counts the chunks decoded per status (OK included; statuses never seen are absent).
   */
  public record Report(
      long indexRows,
      long unparsable,
      long chunkRefs,
      int distinctChunks,
      int missingChunks,
      long chunkRows,
      int orphanChunks,
      boolean indexComplete,
      Map<DecodeStatus, Long> decoded,
      List<String> problems) {
    public Report {
      Map<DecodeStatus, Long> copy = new EnumMap<>(DecodeStatus.class);
      copy.putAll(decoded);
      decoded = Collections.unmodifiableMap(copy);
      problems = List.copyOf(problems);
    }

    /** Chunks whose decode status was not OK. */
    public long badChunks() {
      long n = 0;
      for (Map.Entry<DecodeStatus, Long> e : decoded.entrySet()) {
        n += e.getKey() == DecodeStatus.OK ? 0 : e.getValue();
      }
      return n;
    }

    public boolean ok() {
      return unparsable == 0
          && missingChunks == 0
          && badChunks() == 0
          && (orphanChunks == 0 || !indexComplete);
    }
  }

  private final CqlSession session;
  private final RowStore rows;
  private final SchemaConfig config;

  public IndexVerifier(CqlSession session, RowStore rows, SchemaConfig config) {
    this.session = session;
    this.rows = rows;
    this.config = config;
  }

  /** Verifies {@code indexTables} against {@code chunkTables} of {@code rows.keyspace()}. */
  public Report run(Set<String> indexTables, Set<String> chunkTables, int sampleRows) {
    List<String> problems = new ArrayList<>();
    Map<DecodeStatus, Long> decoded = new EnumMap<>(DecodeStatus.class);
    Set<String> checked = new HashSet<>(); // table + '\n' + key of every chunk decoded
    long indexRows = 0;
    long unparsable = 0;
    long refs = 0;
    boolean complete = true;
    Set<String> referenced = new HashSet<>();
    for (String t : indexTables) {
      long n = 0;
      for (Row r : scan(t, sampleRows)) {
        if (n == sampleRows) {
          complete = false;
          break;
        }
        n++;
        byte[] range = RowStore.bytes(r.getByteBuffer(1));
        byte[] value = RowStore.bytes(r.getByteBuffer(2));
        try {
          if (pointsAtNoChunk(range)) {
            continue;
          }
          RangeValues.Parsed p = RangeValues.parse(range, value);
          if (p.chunkId() != null) {
            refs++;
            referenced.add(p.chunkId());
          }
        } catch (IllegalArgumentException e) {
          unparsable++;
          problem(problems, "unparsable index row " + t + " hash=" + r.getString(0) + ": " + e.getMessage());
        }
      }
      indexRows += n;
    }
    Map<String, List<String>> byTable = new HashMap<>();
    for (String key : new TreeSet<>(referenced)) {
      long from = chunkFrom(key);
      String table;
      try {
        table = from < 0 ? null : config.chunkTableFor(from);
      } catch (IllegalArgumentException e) {
        table = null;
      }
      if (table == null) {
        problem(problems, "index points at chunk " + key + " whose key has no valid start time");
        continue;
      }
      byTable.computeIfAbsent(table, x -> new ArrayList<>()).add(key);
    }
    int missing = 0;
    for (Map.Entry<String, List<String>> e : byTable.entrySet()) {
      Map<String, byte[]> found;
      if (!chunkTables.contains(e.getKey())) {
        found = Map.of();
      } else {
        found = rows.getChunks(e.getKey(), e.getValue()).toCompletableFuture().join();
      }
      for (String key : e.getValue()) {
        byte[] blob = found.get(key);
        if (blob == null) {
          missing++;
          problem(problems, "missing chunk " + e.getKey() + " " + key + " (referenced by the index)");
        } else {
          check(e.getKey(), key, blob, checked, decoded, problems);
        }
      }
    }
    long chunkRows = 0;
    int orphans = 0;
    for (String t : chunkTables) {
      long n = 0;
      for (Row r : scan(t, sampleRows)) {
        if (n == sampleRows) {
          break;
        }
        n++;
        String key = r.getString(0);
        check(t, key, RowStore.bytes(r.getByteBuffer(2)), checked, decoded, problems);
        if (!referenced.contains(key)) {
          orphans++;
          if (complete) {
            problem(problems, "orphan chunk " + t + " " + key + " (no index row points at it)");
          }
        }
      }
      chunkRows += n;
    }
    return new Report(
        indexRows, unparsable, refs, referenced.size(), missing, chunkRows, orphans, complete,
        decoded, problems);
  }

  /** Decodes {@code blob} under {@code key} once per table and key; counts and reports it. */
  private static void check(
      String table,
      String key,
      byte[] blob,
      Set<String> checked,
      Map<DecodeStatus, Long> decoded,
      List<String> problems) {
    if (!checked.add(table + '\n' + key)) {
      return;
    }
    ChunkDecodeResult d = Chunk.decode(key, blob);
    decoded.merge(d.status(), 1L, Long::sum);
    if (!d.ok()) {
      problem(problems, "bad chunk " + table + " " + key + ": " + d.status() + ": " + d.error());
    }
  }

  /** Valid rows that carry no chunk ID: v7/v8 metric rows, v11 label names, Theseus names. */
  static boolean pointsAtNoChunk(byte[] range) {
    List<byte[]> c = Keys.decodeRangeKey(range);
    if (c.size() < 4 || c.get(3).length != 1) {
      return false;
    }
    byte v = c.get(3)[0];
    return v == '6' || v == '9' || v == 't';
  }

  private Iterable<Row> scan(String table, int limit) {
    return session.execute(
        SimpleStatement.newInstance(
                "SELECT hash, range, value FROM "
                    + CqlIdentifier.fromInternal(rows.keyspace()).asCql(true) + "."
                    + CqlIdentifier.fromInternal(table).asCql(true) + " LIMIT " + (limit + 1))
            .setPageSize(1000));
  }

  private static void problem(List<String> problems, String p) {
    if (problems.size() < 20) {
      problems.add(p);
    }
  }

  /**
   * The start time (ms) in a chunk external key: {@code user/fp:from:through:checksum} (hex), or
   * the legacy {@code fp:from:through} (decimal); -1 when unparsable.
   */
  static long chunkFrom(String key) {
    try {
      int slash = key.indexOf('/');
      String[] parts = key.substring(slash + 1).split(":");
      if (slash >= 0 && parts.length == 4) {
        return Long.parseUnsignedLong(parts[1], 16);
      }
      if (slash < 0 && parts.length == 3) {
        return Long.parseLong(parts[1]);
      }
    } catch (NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
