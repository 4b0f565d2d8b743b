package io.theseus.cli;

import com.datastax.oss.driver.api.core.CqlSession;
import io.theseus.store.SchemaDdl;
import io.theseus.store.SchemaPlanner;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code theseus schema apply}: makes the live schema match {@code schema print}, idempotently,
 * under a lightweight-transaction lock, waiting for schema agreement after each statement, and
 * records the applied version in {@code theseus_schema_migrations}.
 */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description = {
      "Create what is missing and alter what differs, waiting for schema agreement after each"
          + " statement; record the version in theseus_schema_migrations. Idempotent.",
      "Changes to an existing table's key (drop + create) or to the keyspace replication need"
          + " --yes. --dry-run prints the plan only."
    })
final class SchemaApplyCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin SchemaDdlMixin ddl;
  @CommandLine.Mixin CassandraClientMixin client;

  @Option(names = "--dry-run", description = "Print what would run; change nothing.")
  boolean dryRun;

  @Option(names = "--yes", description = "Allow unsafe changes (table rebuilds that drop data).")
  boolean yes;

  @Override
  public Integer call() {
    SchemaDdl.Options o = ddl.ddlOptions();
    SchemaDdl.Ddl d = ddl.ddl();
    PrintWriter out = spec.commandLine().getOut();
    try (CqlSession s = client.open()) {
      SchemaPlanner planner = new SchemaPlanner(s);
      List<SchemaPlanner.Change> changes =
          planner.plan(d, o, SchemaPlanCommand.managedPrefixes(ddl));
      if (dryRun) {
        out.println("-- dry run: nothing is changed");
        SchemaPlanCommand.print(out, changes);
        return 0;
      }
      d.warnings().forEach(w -> out.println("-- WARNING: " + w));
      SchemaPlanner.ApplyResult r = planner.apply(changes, d, o, ddl.header("apply"), yes);
      for (String cql : r.executed()) {
        out.println(cql + ";");
      }
      if (r.executed().isEmpty()) {
        out.println("-- schema is up to date; nothing applied");
      } else {
        out.printf(
            "-- applied %d statements as version %d (checksum %s)%n",
            r.executed().size(), r.version(), r.checksum());
      }
      out.flush();
      return 0;
    }
  }
}
