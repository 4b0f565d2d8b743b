package io.theseus.cli;

import com.datastax.oss.driver.api.core.CqlSession;
import io.theseus.store.CassandraConnection;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Connection options of the {@code theseus schema} subcommands that talk to a cluster. */
final class CassandraClientMixin {
  @Option(
      names = "--cassandra",
      required = true,
      paramLabel = "HOST:PORT[,HOST:PORT...]",
      description = "Contact points of the cluster.")
  String cassandra;

  @Option(
      names = "--local-dc",
      paramLabel = "DC",
      description = "Local data centre of the driver (default datacenter1).")
  String localDc = "datacenter1";

  @Option(
      names = "--consistency",
      paramLabel = "LEVEL",
      description = "Consistency of reads and writes (default LOCAL_QUORUM).")
  String consistency = "LOCAL_QUORUM";

  List<InetSocketAddress> contactPoints() {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String part : cassandra.split(",")) {
      int colon = part.lastIndexOf(':');
      try {
        if (colon <= 0) {
          throw new NumberFormatException();
        }
        out.add(
            new InetSocketAddress(
                part.substring(0, colon).trim(), Integer.parseInt(part.substring(colon + 1).trim())));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--cassandra '" + part + "' is not HOST:PORT");
      }
    }
    return out;
  }

  CqlSession open() {
    return CassandraConnection.open(
        new CassandraConnection.Settings(
            contactPoints(), localDc, consistency, null, null, Duration.ofSeconds(30)),
        null);
  }
}
