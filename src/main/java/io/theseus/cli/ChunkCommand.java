package io.theseus.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code theseus chunk}: chunk tools (inspect). */
@Command(
    name = "chunk",
    mixinStandardHelpOptions = true,
    description = "Chunk tools for DBAs.",
    subcommands = {CommandLine.HelpCommand.class})
final class ChunkCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
