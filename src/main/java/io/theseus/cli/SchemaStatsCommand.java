package io.theseus.cli;

import com.datastax.oss.driver.api.core.CqlSession;
import io.theseus.store.PeriodicTables;
import io.theseus.store.SchemaDdl;
import io.theseus.store.TableManager;
import io.theseus.store.TableStats;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code theseus schema stats}: per managed table, rows, partitions (chunks), bytes, index rows
 * per partition and the largest partition, then the {@code --top} largest scanned partitions of
 * all tables (table, readable key, bytes, rows), from a bounded scan plus {@code
 * system.size_estimates}; for chunk tables the samples of the scanned chunks (decoded) and blob bytes per sample, for
 * index tables index rows per series; warns about partitions over 100 MiB and undecodable chunks.
 * Read-only.
 */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = {
      "Per table: rows, partitions (chunks for chunk tables), value bytes, rows per partition and"
          + " the largest partition, from a scan of at most --sample rows (exact below that)"
          + " and system.size_estimates. Warns about partitions over 100 MiB.",
      "Chunk tables: the scanned chunks are decoded: samples and blob bytes/sample."
          + " Index tables: rows/series, index rows per distinct series the scanned rows name."
    })
final class SchemaStatsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin SchemaDdlMixin ddl;
  @CommandLine.Mixin CassandraClientMixin client;

  @Option(names = "--sample", paramLabel = "ROWS", description = "Rows scanned per table (default 100000).")
  int sample = 100_000;

  @Option(
      names = "--top",
      paramLabel = "N",
      description = "Largest partitions listed, over all tables (default 10).")
  int top = TableStats.DEFAULT_TOP;

  @Override
  public Integer call() {
    if (sample <= 0) {
      throw new IllegalArgumentException("--sample must be > 0, got " + sample);
    }
    if (top <= 0) {
      throw new IllegalArgumentException("--top must be > 0, got " + top);
    }
    SchemaDdl.Options o = ddl.ddlOptions();
    Set<String> prefixes = SchemaPlanCommand.managedPrefixes(ddl);
    Map<String, PeriodicTables.Kind> kinds = new HashMap<>();
    for (PeriodicTables.Series sr : SchemaDdl.series(ddl.schemaConfig())) {
      kinds.merge(sr.prefix(), sr.kind(), (a, b) -> a == b ? a : null); // Shared prefix: unknown.
    }
    PrintWriter out = spec.commandLine().getOut();
    try (CqlSession s = client.open()) {
      TableManager tm = new TableManager(s, o.keyspace(), t -> "");
      Set<String> tables = tm.tablesWithPrefix(prefixes);
      List<TableStats.Partition> largest = new ArrayList<>();
      out.printf(
          Locale.ROOT, "%-20s %10s %10s %12s %10s %12s %14s %10s %12s %11s%n", "table", "rows",
          "partitions", "value_bytes", "rows/part", "largest", "est_partitions", "samples",
          "bytes/sample", "rows/series");
      for (String t : tables) {
        PeriodicTables.Kind kind = kindOf(t, kinds);
        TableStats st = TableStats.of(s, o.keyspace(), t, sample, kind, top);
        largest.addAll(st.largestPartitions());
        boolean chunks = kind == PeriodicTables.Kind.CHUNK;
        boolean index = kind == PeriodicTables.Kind.INDEX;
        out.printf(
            Locale.ROOT, "%-20s %10s %10d %12d %10.1f %12d %14d %10s %12s %11s%n", t,
            st.rows() + (st.complete() ? "" : "+"), st.partitions(), st.valueBytes(),
            st.partitions() == 0 ? 0.0 : (double) st.rows() / st.partitions(),
            st.largestPartitionBytes(), st.estimatedPartitions(),
            chunks ? Long.toString(st.samples()) : "-",
            chunks ? String.format(Locale.ROOT, "%.2f", st.bytesPerSample()) : "-",
            index ? String.format(Locale.ROOT, "%.1f", st.rowsPerSeries()) : "-");
        if (st.badChunks() > 0) {
          out.println(
              "WARNING: " + t + " has " + st.badChunks() + " scanned chunks that do not decode"
                  + " (not in samples or bytes/sample); run `theseus schema verify`");
        }
        if (st.largestPartitionBytes() > TableStats.LARGE_PARTITION_BYTES
            || st.estimatedMeanPartitionBytes() > TableStats.LARGE_PARTITION_BYTES) {
          out.println(
              "WARNING: " + t + " has a partition over 100 MiB (" + st.largestPartition()
                  + "); consider schema v10/v11 with more row_shards");
        }
      }
      out.println(
          "(+ = scan stopped at --sample rows; est_partitions from system.size_estimates;"
              + " samples, bytes/sample and rows/series over the scanned rows)");
      printLargest(out, largest, top);
      out.flush();
      return 0;
    }
  }

  /** The {@code top} largest scanned partitions of all tables, largest first. */
  static void printLargest(PrintWriter out, List<TableStats.Partition> all, int top) {
    List<TableStats.Partition> sorted = new ArrayList<>(all);
    sorted.sort(
        Comparator.comparingLong(TableStats.Partition::bytes)
            .reversed()
            .thenComparing(TableStats.Partition::table)
            .thenComparing(TableStats.Partition::hash));
    if (sorted.size() > top) {
      sorted = sorted.subList(0, top);
    }
    out.println();
    out.println("largest partitions (top " + top + " of the scanned rows, all tables):");
    out.printf(Locale.ROOT, "  %-20s %12s %8s  %s%n", "table", "bytes", "rows", "partition key");
    for (TableStats.Partition p : sorted) {
      boolean big = p.bytes() > TableStats.LARGE_PARTITION_BYTES;
      out.printf(
          Locale.ROOT, "  %-20s %12d %8d  %s%s%n", p.table(), p.bytes(), p.rows(), p.readable(),
          big ? "  WARNING: over 100 MiB" : "");
    }
    if (sorted.isEmpty()) {
      out.println("  (no rows scanned)");
    }
  }

  /** The kind of the managed prefix {@code table} starts with (the longest such prefix). */
  static PeriodicTables.Kind kindOf(String table, Map<String, PeriodicTables.Kind> kinds) {
    String best = null;
    for (String p : kinds.keySet()) {
      if (table.startsWith(p) && (best == null || p.length() > best.length())) {
        best = p;
      }
    }
    return best == null ? null : kinds.get(best);
  }
}
