package io.theseus.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code theseus loadtest}: the load generator and verifier. */
@Command(
    name = "loadtest",
    mixinStandardHelpOptions = true,
    description = "Drive remote-write and query load against Theseus and verify every sample.")
final class LoadtestCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
