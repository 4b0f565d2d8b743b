package io.theseus.cli;

import com.datastax.oss.driver.api.core.CqlSession;
import io.theseus.store.PeriodicTables;
import io.theseus.store.SchemaDdl;
import io.theseus.store.TableManager;
import io.theseus.store.TableStats;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code theseus schema stats}: per managed table, rows, partitions (chunks), bytes, index rows
 * per partition and the largest partition, from a bounded scan plus {@code system.size_estimates};
 * warns about partitions over 100 MiB. Read-only.
 */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = {
      "Per table: rows, partitions (chunks for chunk tables), value bytes, rows per partition and"
          + " the largest partition, from a scan of at most --sample rows (exact below that)"
          + " and system.size_estimates. Warns about partitions over 100 MiB.",
      "Samples per chunk and bytes/sample need chunk decoding and are not reported yet."
    })
final class SchemaStatsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin SchemaDdlMixin ddl;
  @CommandLine.Mixin CassandraClientMixin client;

  @Option(names = "--sample", paramLabel = "ROWS", description = "Rows scanned per table (default 100000).")
  int sample = 100_000;

  @Override
  public Integer call() {
    if (sample <= 0) {
      throw new IllegalArgumentException("--sample must be > 0, got " + sample);
    }
    SchemaDdl.Options o = ddl.ddlOptions();
    Set<String> prefixes = SchemaPlanCommand.managedPrefixes(ddl);
    PrintWriter out = spec.commandLine().getOut();
    try (CqlSession s = client.open()) {
      TableManager tm = new TableManager(s, o.keyspace(), t -> "");
      Set<String> tables = tm.tablesWithPrefix(prefixes);
      out.printf(
          Locale.ROOT, "%-20s %10s %10s %12s %10s %12s %s%n", "table", "rows", "partitions",
          "value_bytes", "rows/part", "largest", "est_partitions");
      for (String t : tables) {
        TableStats st = TableStats.of(s, o.keyspace(), t, sample);
        out.printf(
            Locale.ROOT, "%-20s %10s %10d %12d %10.1f %12d %d%n", t,
            st.rows() + (st.complete() ? "" : "+"), st.partitions(), st.valueBytes(),
            st.partitions() == 0 ? 0.0 : (double) st.rows() / st.partitions(),
            st.largestPartitionBytes(), st.estimatedPartitions());
        if (st.largestPartitionBytes() > TableStats.LARGE_PARTITION_BYTES
            || st.estimatedMeanPartitionBytes() > TableStats.LARGE_PARTITION_BYTES) {
          out.println(
              "WARNING: " + t + " has a partition over 100 MiB (" + st.largestPartition()
                  + "); consider schema v10/v11 with more row_shards");
        }
      }
      out.println("(+ = scan stopped at --sample rows; est_partitions from system.size_estimates)");
      out.flush();
      return 0;
    }
  }
}
