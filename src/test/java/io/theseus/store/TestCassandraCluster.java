package io.theseus.store;

import com.datastax.oss.driver.api.core.CqlSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one local 3-node Cassandra cluster of this test JVM (127.0.0.1–3, 512 MiB heap each), for
 * the few tests that need several nodes: schema agreement, NetworkTopologyStrategy with RF 3, a
 * node killed. Started lazily on the first {@link #get} (only test classes that call it pay for
 * it) and stopped by a JVM shutdown hook; the nodes' watchdogs stop them even after a crash.
 * Thread-safe.
 */
public final class TestCassandraCluster {
  private static final AtomicInteger KEYSPACES = new AtomicInteger();
  private static volatile TestCassandraCluster instance;
  private static volatile RuntimeException failure;

  private final CassandraCluster cluster;
  private final Path dir;
  private final CqlSession session;

  private TestCassandraCluster(CassandraCluster cluster, Path dir) {
    this.cluster = cluster;
    this.dir = dir;
    this.session = CassandraConnection.open(settings("QUORUM"), null);
  }

  /** The cluster, started on the first call. */
  public static TestCassandraCluster get() {
    TestCassandraCluster t = instance;
    if (t == null) {
      synchronized (TestCassandraCluster.class) {
        t = instance;
        if (t == null) {
          if (failure != null) {
            throw new IllegalStateException("the test cluster failed to start before", failure);
          }
          try {
            t = start();
          } catch (RuntimeException e) {
            failure = e;
            throw e;
          }
          instance = t;
          TestCassandraCluster stop = t;
          Runtime.getRuntime().addShutdownHook(new Thread(stop::close, "test-cluster-stop"));
        }
      }
    }
    return t;
  }

  private static TestCassandraCluster start() {
    Path dir;
    try {
      dir = Files.createTempDirectory("theseus-test-cluster-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      CassandraCluster c =
          CassandraCluster.start(
              new CassandraCluster.Options(dir, 3, 0, 0, "512m", false),
              TestCassandra.classpathFile(),
              420_000);
      return new TestCassandraCluster(c, dir);
    } catch (RuntimeException e) {
      TestCassandra.deleteTree(dir);
      throw e;
    }
  }

  public CassandraCluster cluster() {
    return cluster;
  }

  /** A shared session (consistency QUORUM) over all nodes. */
  public CqlSession session() {
    return session;
  }

  /** Driver settings over all three nodes with {@code consistency}. */
  public CassandraConnection.Settings settings(String consistency) {
    return new CassandraConnection.Settings(
        cluster.contactPoints(), "datacenter1", consistency, null, null, Duration.ofSeconds(20));
  }

  /** A fresh keyspace name (not created) derived from {@code hint}. */
  public static String keyspaceName(String hint) {
    String base = hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (base.length() > 36) {
      base = base.substring(0, 36);
    }
    return "c_" + base + "_" + KEYSPACES.incrementAndGet();
  }

  private void close() {
    try {
      session.close();
    } catch (RuntimeException ignored) {
      // Best effort at JVM exit.
    }
    cluster.close();
    TestCassandra.deleteTree(dir);
  }
}
