package io.theseus.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.NodeState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local multi-node Cassandra cluster: node {@code N} (1-based) is a {@link CassandraNode} child
 * JVM listening on {@code 127.0.0.N}, all nodes on the same CQL and storage ports, each with its
 * own data directory {@code <baseDir>/node<N>}; node 1 is the seed.
 *
 * <p>Nodes are started one after another (Cassandra refuses concurrent joins), then {@link #start}
 * waits until every node lists every other node in {@code system.peers_v2} and the driver sees all
 * of them UP with schema agreement. Every child JVM runs under {@link CassandraWatchdog}, so none
 * outlives this JVM; {@link #close} stops all nodes in parallel. Not thread-safe: one owner.
 */
public final class CassandraCluster implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(CassandraCluster.class);

  /** Options of a cluster. Ports 0 mean "pick one port free on every node address". */
  public record Options(
      Path baseDir, int nodes, int nativePort, int storagePort, String heap, boolean autoSnapshot) {
    public Options {
      Objects.requireNonNull(baseDir, "baseDir");
      if (nodes < 1 || nodes > 9) {
        throw new IllegalArgumentException("--nodes must be between 1 and 9, got " + nodes);
      }
      if (heap == null) {
        heap = "768m";
      }
    }
  }

  private final Options options;
  private final List<CassandraNode.Options> nodeOptions;
  private final List<CassandraNode> nodes = new ArrayList<>();
  private final Path classpathFile;

  private CassandraCluster(Options options, List<CassandraNode.Options> nodeOptions, Path cp) {
    this.options = options;
    this.nodeOptions = nodeOptions;
    this.classpathFile = cp;
  }

  /** The loopback address of node {@code n} (1-based): {@code 127.0.0.n}. */
  public static String address(int n) {
    return "127.0.0." + n;
  }

  /**
   * Starts every node in turn and waits until all are up and see each other.
   *
   * @throws IllegalStateException naming the node (and its last log lines) that failed; nodes
   *     already started are stopped first
   */
  public static CassandraCluster start(Options options, Path classpathFile, long timeoutMillis) {
    List<String> addresses = new ArrayList<>();
    for (int n = 1; n <= options.nodes(); n++) {
      addresses.add(address(n));
    }
    int nativePort = options.nativePort() > 0 ? options.nativePort() : freePortOnAll(addresses, -1);
    int storagePort =
        options.storagePort() > 0 ? options.storagePort() : freePortOnAll(addresses, nativePort);
    String seeds = address(1) + ":" + storagePort;
    List<CassandraNode.Options> nodeOptions = new ArrayList<>();
    for (int n = 1; n <= options.nodes(); n++) {
      nodeOptions.add(
          new CassandraNode.Options(
              options.baseDir().resolve("node" + n),
              address(n),
              nativePort,
              storagePort,
              seeds,
              "theseus",
              options.heap(),
              options.autoSnapshot(),
              8,
              5000));
    }
    CassandraCluster cluster = new CassandraCluster(options, nodeOptions, classpathFile);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    try {
      for (CassandraNode.Options o : nodeOptions) {
        cluster.nodes.add(CassandraNode.start(o, classpathFile, remainingMillis(deadline)));
      }
      cluster.awaitAllUp(remainingMillis(deadline));
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private static long remainingMillis(long deadlineNanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  /** The nodes, node 1 first. */
  public List<CassandraNode> nodes() {
    return List.copyOf(nodes);
  }

  /** Node {@code n} (1-based). */
  public CassandraNode node(int n) {
    return nodes.get(n - 1);
  }

  /** The CQL addresses of all nodes. */
  public List<InetSocketAddress> contactPoints() {
    return nodes.stream().map(CassandraNode::contactPoint).toList();
  }

  public Options options() {
    return options;
  }

  /** Kills node {@code n} at once, like a crash. */
  public void kill(int n) {
    nodes.get(n - 1).kill();
  }

  /** Restarts node {@code n} (after {@link #kill} or a stop) on its old data, ports and address. */
  public void restart(int n, long timeoutMillis) {
    CassandraNode old = nodes.get(n - 1);
    old.close();
    nodes.set(n - 1, CassandraNode.start(nodeOptions.get(n - 1), classpathFile, timeoutMillis));
  }

  /**
   * Waits until each node lists all other nodes in {@code system.peers_v2} and the driver sees all
   * nodes UP with schema agreement.
   *
   * @throws IllegalStateException saying which node misses which peers when time runs out
   */
  public void awaitAllUp(long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    String lastProblem = "no check ran";
    try (CqlSession session =
        CassandraConnection.open(
            new CassandraConnection.Settings(
                contactPoints(), "datacenter1", "ONE", null, null, Duration.ofSeconds(10)),
            null)) {
      while (System.nanoTime() < deadline) {
        lastProblem = upProblem(session);
        if (lastProblem == null) {
          logger.info("Cassandra cluster of {} nodes is up: {}", nodes.size(), contactPoints());
          return;
        }
        for (CassandraNode node : nodes) {
          if (!node.isAlive()) {
            throw new IllegalStateException(
                "Cassandra node " + node.contactPoint() + " died; last log lines of "
                    + node.logFile() + ":\n" + node.tail(40));
          }
        }
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the cluster", e);
        }
      }
    }
    throw new IllegalStateException(
        "Cassandra cluster not fully up within " + timeoutMillis + " ms: " + lastProblem);
  }

  /** Null when every node is up and sees every other, else what is missing. */
  private String upProblem(CqlSession session) {
    Collection<Node> driverNodes = session.getMetadata().getNodes().values();
    Set<InetAddress> expected = new HashSet<>();
    for (CassandraNode n : nodes) {
      expected.add(n.contactPoint().getAddress());
    }
    for (Node dn : driverNodes) {
      if (dn.getState() != NodeState.UP) {
        return "driver sees node " + dn.getEndPoint() + " as " + dn.getState();
      }
    }
    if (driverNodes.size() != nodes.size()) {
      return "driver sees " + driverNodes.size() + " nodes, expected " + nodes.size();
    }
    for (Node dn : driverNodes) {
      Set<InetAddress> peers = new HashSet<>();
      try {
        for (Row r :
            session.execute(
                SimpleStatement.newInstance("SELECT peer, host_id, tokens FROM system.peers_v2")
                    .setNode(dn))) {
          if (r.getUuid("host_id") != null && !r.getSet("tokens", String.class).isEmpty()) {
            peers.add(r.getInetAddress("peer"));
          }
        }
      } catch (RuntimeException e) {
        return "node " + dn.getEndPoint() + " did not answer: " + e.getMessage();
      }
      Set<InetAddress> missing = new HashSet<>(expected);
      missing.removeAll(peers);
      missing.remove(((InetSocketAddress) dn.getEndPoint().resolve()).getAddress());
      if (!missing.isEmpty()) {
        return "node " + dn.getEndPoint() + " does not yet see " + missing;
      }
    }
    if (!session.checkSchemaAgreement()) {
      return "schema not in agreement";
    }
    return null;
  }

  /** Stops all nodes in parallel (graceful, then forcibly). Idempotent. */
  @Override
  public void close() {
    List<Thread> stoppers = new ArrayList<>();
    for (CassandraNode n : nodes) {
      Thread t = new Thread(n::close, "cassandra-stop-" + n.options().listenAddress());
      t.start();
      stoppers.add(t);
    }
    for (Thread t : stoppers) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        nodes.forEach(CassandraNode::kill);
        return;
      }
    }
  }

  /** A TCP port free on every one of {@code addresses}, different from {@code not}. */
  static int freePortOnAll(List<String> addresses, int not) {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port = CassandraNode.freePort();
      if (port == not) {
        continue;
      }
      boolean free = true;
      for (String a : addresses) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(a))) {
          s.setReuseAddress(true);
        } catch (IOException e) {
          free = false;
          break;
        }
      }
      if (free) {
        return port;
      }
    }
    throw new UncheckedIOException(
        new IOException("no TCP port free on all of " + addresses + " after 50 tries"));
  }
}
