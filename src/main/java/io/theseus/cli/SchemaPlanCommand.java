package io.theseus.cli;

import com.datastax.oss.driver.api.core.CqlSession;
import io.theseus.store.PeriodicTables;
import io.theseus.store.SchemaDdl;
import io.theseus.store.SchemaPlanner;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code theseus schema plan} (alias {@code diff}): what is missing, different or extra in the live
 * cluster compared with {@code schema print}, with the CQL that would fix it. Changes nothing.
 * Exit code 0 when up to date, 3 when there are differences.
 */
@Command(
    name = "plan",
    aliases = "diff",
    mixinStandardHelpOptions = true,
    description = {
      "Compare the expected schema with the live cluster's system_schema and list what is"
          + " missing, different or extra, with the CQL that fixes it. Changes nothing.",
      "Exit code 0: up to date; 3: differences found."
    })
final class SchemaPlanCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin SchemaDdlMixin ddl;
  @CommandLine.Mixin CassandraClientMixin client;

  @Override
  public Integer call() {
    SchemaDdl.Options o = ddl.ddlOptions();
    SchemaDdl.Ddl d = ddl.ddl();
    try (CqlSession s = client.open()) {
      List<SchemaPlanner.Change> changes =
          new SchemaPlanner(s).plan(d, o, managedPrefixes(ddl));
      print(spec.commandLine().getOut(), changes);
      return changes.stream().anyMatch(c -> c.kind() != SchemaPlanner.Kind.EXTRA) ? 3 : 0;
    }
  }

  static Set<String> managedPrefixes(SchemaDdlMixin ddl) {
    Set<String> p = new TreeSet<>();
    for (PeriodicTables.Series s : SchemaDdl.series(ddl.schemaConfig())) {
      p.add(s.prefix());
    }
    return p;
  }

  static void print(PrintWriter out, List<SchemaPlanner.Change> changes) {
    if (changes.stream().noneMatch(c -> c.kind() != SchemaPlanner.Kind.EXTRA)) {
      out.println("-- schema is up to date");
    }
    for (SchemaPlanner.Change c : changes) {
      out.println("-- " + c.describe());
      for (String cql : c.fix()) {
        out.println(cql + ";");
      }
    }
    out.flush();
  }
}
