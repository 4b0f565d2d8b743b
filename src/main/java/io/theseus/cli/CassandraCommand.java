package io.theseus.cli;

import io.theseus.store.CassandraNode;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code theseus cassandra}: the embedded node in the foreground, for people who want it apart. */
@Command(
    name = "cassandra",
    mixinStandardHelpOptions = true,
    description = {
      "Run the embedded Cassandra 5.0 node in the foreground until Ctrl-C.",
      "Theseus can then use it with --cassandra 127.0.0.1:<port>."
    })
final class CassandraCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (default ./data); the node uses <DIR>/cassandra.")
  String dataDir = "./data";

  @Option(names = "--port", paramLabel = "PORT", description = "CQL port (default 9042).")
  int port = 9042;

  @Option(names = "--heap", paramLabel = "SIZE", description = "Heap of the node (default 1g).")
  String heap = "1g";

  @Override
  public Integer call() throws Exception {
    Path dir = Paths.get(dataDir, "cassandra");
    CassandraNode node =
        CassandraNode.start(
            CassandraNode.Options.single(dir, port).withHeap(heap), Paths2.cassandraClasspath(), 120_000);
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "cassandra-stop"));
    spec.commandLine()
        .getOut()
        .printf("Cassandra is up: CQL on %s:%d, data in %s (Ctrl-C to stop)%n",
            node.contactPoint().getHostString(), node.nativePort(), dir.toAbsolutePath());
    spec.commandLine().getOut().flush();
    return node.waitFor() == 0 ? 0 : 1;
  }
}
