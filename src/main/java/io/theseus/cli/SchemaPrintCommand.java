package io.theseus.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code theseus schema print}: the full CQL of a schema config and a date range, offline. */
@Command(
    name = "print",
    mixinStandardHelpOptions = true,
    description = {
      "Print the full CQL (keyspace, bookkeeping tables, every periodic index and chunk table of"
          + " the date range, with time-series table options) without connecting.",
      "Warnings (e.g. over 50 TWCS windows per TTL) are printed as CQL comments."
    })
final class SchemaPrintCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin SchemaDdlMixin ddl;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(ddl.ddl().render(ddl.header("print")));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
