package io.theseus.cli;

import io.theseus.server.TheseusConfig;
import io.theseus.server.TheseusServer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code theseus serve}: runs one instance until SIGTERM / Ctrl-C. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Run a Theseus instance.",
      "With no Cassandra configured, starts a real single-node Cassandra 5.0 as a child JVM with",
      "its data under <data-dir>/cassandra, and stops it when Theseus stops."
    })
final class ServeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML config file.")
  Path config;

  @Option(names = "--listen", paramLabel = "HOST:PORT", description = "HTTP listen address (default 127.0.0.1:9009).")
  String listen;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory: WAL, embedded Cassandra (default ./data).")
  String dataDir;

  @Option(names = "--cassandra", paramLabel = "HOST:PORT[,HOST:PORT...]", description = "Use this Cassandra cluster; start nothing.")
  String cassandra;

  @Option(names = "--keyspace", paramLabel = "NAME", description = "Cassandra keyspace (default theseus).")
  String keyspace;

  @Option(names = "--schema-config", paramLabel = "FILE", description = "Cortex-format schema config YAML.")
  String schemaConfig;

  @Option(names = "--print-config", description = "Print the effective config and exit.")
  boolean printConfig;

  @Override
  public Integer call() throws Exception {
    TheseusConfig cfg = effectiveConfig();
    if (printConfig) {
      spec.commandLine().getOut().print(cfg.toYaml());
      spec.commandLine().getOut().flush();
      return 0;
    }
    TheseusServer server = new TheseusServer(cfg, Paths2.cassandraClasspath());
    server.start();
    server.awaitStop();
    return 0;
  }

  TheseusConfig effectiveConfig() {
    TheseusConfig cfg = config == null ? TheseusConfig.defaults() : TheseusConfig.load(config);
    TheseusConfig.Server s = cfg.server();
    if (listen != null || dataDir != null) {
      cfg =
          cfg.withServer(
              new TheseusConfig.Server(
                  listen != null ? listen : s.listen(),
                  dataDir != null ? dataDir : s.dataDir(),
                  s.authEnabled(),
                  s.tenantsFile(),
                  s.maxRequestBytes(),
                  s.instanceId(),
                  s.headerTimeoutMs(),
                  s.bodyTimeoutMs(),
                  s.bodyMinBytesPerSec()));
    }
    TheseusConfig.Cassandra c = cfg.cassandra();
    if (cassandra != null || keyspace != null) {
      List<String> points =
          cassandra != null
              ? Arrays.stream(cassandra.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList()
              : c.contactPoints();
      cfg =
          cfg.withCassandra(
              new TheseusConfig.Cassandra(
                  points,
                  c.localDatacenter(),
                  keyspace != null ? keyspace : c.keyspace(),
                  c.replication(),
                  c.consistency(),
                  c.username(),
                  c.password(),
                  c.embeddedPort(),
                  c.embeddedHeap(),
                  c.maxInFlight(),
                  c.requestTimeoutMs()));
    }
    if (schemaConfig != null) {
      cfg = cfg.withSchema(new TheseusConfig.Schema(schemaConfig, null));
    }
    return cfg;
  }
}
