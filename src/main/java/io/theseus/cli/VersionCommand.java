package io.theseus.cli;

import io.theseus.server.BuildInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Prints the version. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version.")
final class VersionCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    for (String line : new Provider().getVersion()) {
      spec.commandLine().getOut().println(line);
    }
  }

  static final class Provider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      BuildInfo b = BuildInfo.current();
      return new String[] {
        "theseus " + b.version() + " (revision " + b.revision() + ", built " + b.buildDate() + ")",
        "Prometheus API " + BuildInfo.PROMETHEUS_API_VERSION + ", Cortex chunks storage schema v1-v11",
        "java " + Runtime.version()
      };
    }
  }
}
