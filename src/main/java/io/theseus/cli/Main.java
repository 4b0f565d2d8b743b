package io.theseus.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code theseus} command. Each subcommand is its own class; this one only wires them and
 * maps exceptions to exit codes with a one-line message (no stack trace for user errors).
 */
@Command(
    name = "theseus",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Prometheus-compatible long-term metrics store on Cassandra.",
    subcommands = {
      ServeCommand.class,
      SchemaCommand.class,
      LoadtestCommand.class,
      CassandraCommand.class,
      ChunkCommand.class,
      PromqlTestCommand.class,
      VersionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line (also used by tests). */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(
        (ex, cmd, parseResult) -> {
          cmd.getErr().println("error: " + message(ex));
          if (Boolean.getBoolean("theseus.debug")) {
            ex.printStackTrace(cmd.getErr());
          }
          return ex instanceof IllegalArgumentException ? 2 : 1;
        });
    return cl;
  }

  private static String message(Throwable ex) {
    String m = ex.getMessage();
    return m == null ? ex.toString() : m;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
