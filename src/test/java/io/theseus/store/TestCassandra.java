package io.theseus.store;

import com.datastax.oss.driver.api.core.CqlSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one real Cassandra node of this test JVM, chosen by {@code -Dcassandra.mode}:
 *
 * <ul>
 *   <li>{@code external}: {@code CASSANDRA_CONTACT_POINT=host:port} (env or system property);
 *   <li>{@code docker}: Testcontainers' {@code cassandra:5.0} image;
 *   <li>{@code child}: a {@link CassandraNode} child JVM (Cassandra 5.0 from Maven Central);
 *   <li>{@code auto} (default): docker when a Docker engine answers, else child.
 * </ul>
 *
 * Started lazily on first use and stopped by a JVM shutdown hook. Thread-safe.
 */
public final class TestCassandra {
  private static final Logger logger = LoggerFactory.getLogger(TestCassandra.class);
  private static final AtomicInteger KEYSPACES = new AtomicInteger();
  private static volatile TestCassandra instance;

  private final InetSocketAddress contactPoint;
  private final CqlSession session;
  private final AutoCloseable owner;

  private TestCassandra(InetSocketAddress contactPoint, AutoCloseable owner) {
    this.contactPoint = contactPoint;
    this.owner = owner;
    this.session = connect(contactPoint);
  }

  /** The node, started on first call. */
  public static TestCassandra get() {
    TestCassandra t = instance;
    if (t == null) {
      synchronized (TestCassandra.class) {
        t = instance;
        if (t == null) {
          t = start();
          instance = t;
          TestCassandra stop = t;
          Runtime.getRuntime().addShutdownHook(new Thread(stop::close, "test-cassandra-stop"));
        }
      }
    }
    return t;
  }

  public InetSocketAddress contactPoint() {
    return contactPoint;
  }

  /** A session without a default keyspace, shared by all tests of this JVM. */
  public CqlSession session() {
    return session;
  }

  /** Driver settings for this node, for code under test that opens its own sessions. */
  public CassandraConnection.Settings settings() {
    return new CassandraConnection.Settings(
        List.of(contactPoint), "datacenter1", "LOCAL_QUORUM", null, null, Duration.ofSeconds(20));
  }

  /** Creates a fresh keyspace (RF 1) named after {@code hint} and returns its name. */
  public String createKeyspace(String hint) {
    String base = hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (base.length() > 36) {
      base = base.substring(0, 36);
    }
    String name = "t_" + base + "_" + KEYSPACES.incrementAndGet();
    session.execute(
        "CREATE KEYSPACE IF NOT EXISTS " + name
            + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'}");
    return name;
  }

  /** Drops a keyspace made by {@link #createKeyspace}. */
  public void dropKeyspace(String name) {
    session.execute("DROP KEYSPACE IF EXISTS " + name);
  }

  private static TestCassandra start() {
    String mode = System.getProperty("cassandra.mode", "auto").toLowerCase(Locale.ROOT);
    if (mode.equals("auto")) {
      mode = dockerAvailable() ? "docker" : "child";
    }
    logger.info("test Cassandra mode: {}", mode);
    switch (mode) {
      case "external": {
        String cp = System.getProperty("cassandra.contact", System.getenv("CASSANDRA_CONTACT_POINT"));
        if (cp == null) {
          throw new IllegalStateException(
              "cassandra.mode=external needs CASSANDRA_CONTACT_POINT=host:port");
        }
        int colon = cp.lastIndexOf(':');
        return new TestCassandra(
            new InetSocketAddress(cp.substring(0, colon), Integer.parseInt(cp.substring(colon + 1))),
            () -> {});
      }
      case "docker":
        return DockerCassandra.start();
      case "child": {
        Path dir;
        try {
          dir = Files.createTempDirectory("theseus-test-cassandra-");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        CassandraNode node =
            CassandraNode.start(
                CassandraNode.Options.single(dir, 0).withAutoSnapshot(false).withHeap("1g"),
                classpathFile(),
                180_000);
        return new TestCassandra(
            node.contactPoint(),
            () -> {
              node.close();
              deleteTree(dir);
            });
      }
      default:
        throw new IllegalStateException(
            "unknown cassandra.mode '" + mode + "'; use auto, child, docker or external");
    }
  }

  static Path classpathFile() {
    String p = System.getProperty("cassandra.classpath.file", "target/cassandra.classpath");
    return Paths.get(p);
  }

  private static boolean dockerAvailable() {
    try {
      return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable t) {
      return false;
    }
  }

  private static CqlSession connect(InetSocketAddress cp) {
    return CassandraConnection.open(
        new CassandraConnection.Settings(
            List.of(cp), "datacenter1", "LOCAL_QUORUM", null, null, Duration.ofSeconds(20)),
        null);
  }

  private void close() {
    try {
      session.close();
    } catch (RuntimeException ignored) {
      // Best effort at JVM exit.
    }
    try {
      owner.close();
    } catch (Exception e) {
      logger.warn("stopping test Cassandra: {}", e.toString());
    }
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // Temp files: best effort.
    }
  }

  /** Testcontainers mode, isolated so the class loads only when Docker is used. */
  private static final class DockerCassandra {
    static TestCassandra start() {
      org.testcontainers.cassandra.CassandraContainer c =
          new org.testcontainers.cassandra.CassandraContainer("cassandra:5.0");
      c.start();
      return new TestCassandra(c.getContactPoint(), c::stop);
    }
  }
}
