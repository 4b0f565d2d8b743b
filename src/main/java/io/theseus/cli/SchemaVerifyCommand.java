package io.theseus.cli;

import com.datastax.oss.driver.api.core.CqlSession;
import io.theseus.schema.SchemaConfig;
import io.theseus.store.IndexVerifier;
import io.theseus.store.PeriodicTables;
import io.theseus.store.RowStore;
import io.theseus.store.SchemaDdl;
import io.theseus.store.TableManager;
import java.io.PrintWriter;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code theseus schema verify}: every scanned index row must point at an existing chunk; chunks
 * no index row points at are orphans; every chunk found is decoded under its key (CRC, metadata
 * against the key, truncation, encoding). Exit code 0 when clean, 4 when problems were found.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "fsck: scan index rows (at most --sample per table), check that each chunk they point at"
          + " exists, list orphan chunks, and decode every chunk found under its key: CRC-32C,"
          + " metadata vs key, truncation, encoding, data structure (counted per status)."
          + " Exit code 0: clean; 4: problems (first 20 listed)."
    })
final class SchemaVerifyCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin SchemaDdlMixin ddl;
  @CommandLine.Mixin CassandraClientMixin client;

  @Option(names = "--sample", paramLabel = "ROWS", description = "Rows scanned per table (default 1000000).")
  int sample = 1_000_000;

  @Override
  public Integer call() {
    if (sample <= 0) {
      throw new IllegalArgumentException("--sample must be > 0, got " + sample);
    }
    SchemaConfig config = ddl.schemaConfig();
    SchemaDdl.Options o = ddl.ddlOptions();
    Set<String> indexPrefixes = new TreeSet<>();
    Set<String> chunkPrefixes = new TreeSet<>();
    for (PeriodicTables.Series s : SchemaDdl.series(config)) {
      (s.kind() == PeriodicTables.Kind.INDEX ? indexPrefixes : chunkPrefixes).add(s.prefix());
    }
    PrintWriter out = spec.commandLine().getOut();
    try (CqlSession s = client.open()) {
      TableManager tm = new TableManager(s, o.keyspace(), t -> "");
      Set<String> indexTables = tm.tablesWithPrefix(indexPrefixes);
      Set<String> chunkTables = tm.tablesWithPrefix(chunkPrefixes);
      chunkTables.removeAll(indexTables); // A shared prefix would make a table both.
      RowStore rows = RowStore.builder(s, o.keyspace()).build();
      IndexVerifier.Report r = new IndexVerifier(s, rows, config).run(indexTables, chunkTables, sample);
      rows.close();
      out.printf(
          "index rows %d (%s), chunk references %d, distinct chunks %d, missing %d, unparsable %d%n",
          r.indexRows(), r.indexComplete() ? "all" : "sampled", r.chunkRefs(), r.distinctChunks(),
          r.missingChunks(), r.unparsable());
      out.printf(
          "chunk rows %d, orphans %d%s%n", r.chunkRows(), r.orphanChunks(),
          r.indexComplete() ? "" : " (index sampled: orphans not conclusive)");
      StringBuilder st = new StringBuilder();
      long decoded = 0;
      for (var e : r.decoded().entrySet()) {
        st.append(st.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
        decoded += e.getValue();
      }
      out.printf(
          "chunks decoded %d, bad %d%s%n", decoded, r.badChunks(),
          st.length() == 0 ? "" : " (" + st + ")");
      r.problems().forEach(p -> out.println("PROBLEM: " + p));
      out.println(r.ok() ? "OK" : "PROBLEMS FOUND");
      out.flush();
      return r.ok() ? 0 : 4;
    }
  }
}
