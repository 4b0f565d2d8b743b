package io.theseus.cli;

import io.theseus.store.CassandraCluster;
import io.theseus.store.CassandraNode;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code theseus cassandra}: the embedded node, or with {@code --nodes N} a local cluster on
 * 127.0.0.1..N, in the foreground until Ctrl-C. Every node stops with this JVM (watchdog).
 */
@Command(
    name = "cassandra",
    mixinStandardHelpOptions = true,
    description = {
      "Run the embedded Cassandra 5.0 node (or a local cluster with --nodes) in the foreground"
          + " until Ctrl-C.",
      "Theseus can then use it with --cassandra 127.0.0.1:<port>."
    })
final class CassandraCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Data directory (default ./data); one node uses <DIR>/cassandra, a cluster"
              + " <DIR>/cassandra/node<N>.")
  String dataDir = "./data";

  @Option(names = "--port", paramLabel = "PORT", description = "CQL port (default 9042).")
  int port = 9042;

  @Option(
      names = "--storage-port",
      paramLabel = "PORT",
      description = "Inter-node port of a cluster (default 7000).")
  int storagePort = 7000;

  @Option(
      names = "--nodes",
      paramLabel = "N",
      description =
          "Number of nodes (default 1). N > 1 starts node k on 127.0.0.k, same ports, seed"
              + " 127.0.0.1, and waits until all nodes see each other.")
  int nodes = 1;

  @Option(
      names = "--heap",
      paramLabel = "SIZE",
      description = "Heap of each node (default 1g for one node, 768m per node for a cluster).")
  String heap;

  @Override
  public Integer call() throws Exception {
    if (nodes < 1 || nodes > 9) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--nodes must be between 1 and 9, got " + nodes);
    }
    Path dir = Paths.get(dataDir, "cassandra");
    if (nodes == 1) {
      CassandraNode node =
          CassandraNode.start(
              CassandraNode.Options.single(dir, port).withHeap(heap == null ? "1g" : heap),
              Paths2.cassandraClasspath(),
              120_000);
      Runtime.getRuntime().addShutdownHook(new Thread(node::close, "cassandra-stop"));
      spec.commandLine()
          .getOut()
          .printf(
              "Cassandra is up: CQL on %s:%d, data in %s (Ctrl-C to stop)%n",
              node.contactPoint().getHostString(), node.nativePort(), dir.toAbsolutePath());
      spec.commandLine().getOut().flush();
      return node.waitFor() == 0 ? 0 : 1;
    }
    CassandraCluster cluster =
        CassandraCluster.start(
            new CassandraCluster.Options(dir, nodes, port, storagePort, heap, true),
            Paths2.cassandraClasspath(),
            120_000L * nodes);
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "cassandra-stop"));
    String cps =
        cluster.contactPoints().stream()
            .map(a -> a.getHostString() + ":" + a.getPort())
            .collect(Collectors.joining(","));
    spec.commandLine()
        .getOut()
        .printf(
            "Cassandra cluster of %d nodes is up: CQL on %s, data in %s/node<N> (Ctrl-C to"
                + " stop)%n",
            nodes, cps, dir.toAbsolutePath());
    spec.commandLine().getOut().flush();
    int rc = 0;
    for (CassandraNode n : cluster.nodes()) {
      rc |= n.waitFor();
    }
    return rc == 0 ? 0 : 1;
  }
}
