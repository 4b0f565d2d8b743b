package io.theseus.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code theseus schema}: schema tooling for Cassandra DBAs. A thin parent: each subcommand is its
 * own class, listed in {@code subcommands}.
 */
@Command(
    name = "schema",
    mixinStandardHelpOptions = true,
    description =
        "Cassandra schema tooling: describe-series, print, plan, apply, tables, verify, stats,"
            + " estimate, migrate.",
    subcommands = {
      DescribeSeriesCommand.class,
      SchemaPrintCommand.class,
      SchemaPlanCommand.class,
      SchemaApplyCommand.class,
      SchemaTablesCommand.class,
      SchemaEstimateCommand.class,
      SchemaStatsCommand.class,
      SchemaVerifyCommand.class,
      SchemaMigrateCommand.class,
      CommandLine.HelpCommand.class
    })
final class SchemaCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
