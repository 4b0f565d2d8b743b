package io.theseus.store;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Cassandra 5.0 node run as a child JVM, for the embedded default of
 * {@code theseus serve}, for {@code theseus cassandra} and for tests.
 *
 * <p>Cassandra's jars (Netty 4.1, Guava, ...) come from {@code target/cassandra.classpath},
 * resolved by {@code cassandra/pom.xml} separately from Theseus's own dependencies, and are only
 * ever on the child's classpath. Cassandra 5.0 does not run on JDK 25, so the child uses a JDK 17
 * found by {@link #findJava17}. The child's main class is {@link CassandraWatchdog}, which exits
 * when this JVM dies: no orphan node, even after {@code kill -9}.
 *
 * <p>Lifecycle: {@link #start} writes {@code cassandra.yaml} and a logback config under the data
 * directory, launches the JVM with its output in {@code <dir>/logs/output.log}, and waits until
 * the CQL port accepts connections (or fails with the last log lines). {@link #close} closes the
 * child's stdin (graceful drain) and kills it forcibly after a grace period. Not thread-safe:
 * one owner starts and closes it.
 */
public final class CassandraNode implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(CassandraNode.class);

  /** Options of one node. Ports 0 mean "pick a free port". */
  public record Options(
      Path dataDir,
      String listenAddress,
      int nativePort,
      int storagePort,
      String seeds,
      String clusterName,
      String heap,
      boolean autoSnapshot,
      int numTokens,
      int ringDelayMillis) {
    /** Options with the default ring delay (100 ms: right for a single node only). */
    public Options(
        Path dataDir,
        String listenAddress,
        int nativePort,
        int storagePort,
        String seeds,
        String clusterName,
        String heap,
        boolean autoSnapshot,
        int numTokens) {
      this(
          dataDir, listenAddress, nativePort, storagePort, seeds, clusterName, heap, autoSnapshot,
          numTokens, 0);
    }

    public Options {
      Objects.requireNonNull(dataDir, "dataDir");
      if (listenAddress == null) {
        listenAddress = "127.0.0.1";
      }
      if (clusterName == null) {
        clusterName = "theseus";
      }
      if (heap == null) {
        heap = "1g";
      }
      if (numTokens <= 0) {
        numTokens = 8;
      }
      if (ringDelayMillis <= 0) {
        // Also the time a joining node waits for its seeds: a cluster member needs seconds.
        ringDelayMillis = 100;
      }
    }

    /** A single node on 127.0.0.1 with the given CQL port (0 = free port). */
    public static Options single(Path dataDir, int nativePort) {
      return new Options(dataDir, "127.0.0.1", nativePort, 0, null, null, null, true, 8);
    }

    public Options withAutoSnapshot(boolean on) {
      return new Options(
          dataDir, listenAddress, nativePort, storagePort, seeds, clusterName, heap, on, numTokens,
          ringDelayMillis);
    }

    public Options withHeap(String h) {
      return new Options(
          dataDir, listenAddress, nativePort, storagePort, seeds, clusterName, h, autoSnapshot,
          numTokens, ringDelayMillis);
    }
  }

  private final Options options;
  private final int nativePort;
  private final int storagePort;
  private final Path logFile;
  private Process process;

  private CassandraNode(Options options, int nativePort, int storagePort) {
    this.options = options;
    this.nativePort = nativePort;
    this.storagePort = storagePort;
    this.logFile = options.dataDir().resolve("logs").resolve("output.log");
  }

  /**
   * Starts a node and waits until CQL answers.
   *
   * @throws IllegalStateException with the node's last log lines if it does not come up in time,
   *     or naming what was tried if no JDK 17 or no Cassandra classpath is found
   */
  public static CassandraNode start(Options options, Path classpathFile, long timeoutMillis) {
    int nativePort = options.nativePort() > 0 ? options.nativePort() : freePort();
    int storagePort = options.storagePort() > 0 ? options.storagePort() : freePort();
    CassandraNode node = new CassandraNode(options, nativePort, storagePort);
    node.launch(classpathFile, timeoutMillis);
    return node;
  }

  public InetSocketAddress contactPoint() {
    return new InetSocketAddress(options.listenAddress(), nativePort);
  }

  public int nativePort() {
    return nativePort;
  }

  public Options options() {
    return options;
  }

  public Path logFile() {
    return logFile;
  }

  /** Whether the child process is alive. */
  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** The child's process id, or -1 when not started. */
  public long pid() {
    return process == null ? -1 : process.pid();
  }

  private void launch(Path classpathFile, long timeoutMillis) {
    Path java = findJava17();
    String cassandraClasspath = readClasspath(classpathFile);
    Path dir = options.dataDir().toAbsolutePath();
    try {
      Files.createDirectories(dir.resolve("conf"));
      Files.createDirectories(dir.resolve("logs"));
      Files.createDirectories(dir.resolve("bin/io/theseus/store"));
      Path yaml = dir.resolve("conf/cassandra.yaml");
      Files.writeString(yaml, yaml(dir));
      Path logback = dir.resolve("conf/logback.xml");
      Files.writeString(logback, LOGBACK);
      try (InputStream in =
          CassandraNode.class.getResourceAsStream("CassandraWatchdog.class")) {
        if (in == null) {
          throw new IllegalStateException("CassandraWatchdog.class not found on the classpath");
        }
        Files.write(dir.resolve("bin/io/theseus/store/CassandraWatchdog.class"), in.readAllBytes());
      }
      List<String> cmd = new ArrayList<>();
      cmd.add(java.toString());
      cmd.add("-Xms" + options.heap());
      cmd.add("-Xmx" + options.heap());
      cmd.add("-XX:+UseG1GC");
      cmd.add("-XX:+ExitOnOutOfMemoryError");
      cmd.add("-Xss512k");
      cmd.add("-Djava.security.manager=allow");
      cmd.add("-Djava.net.preferIPv4Stack=true");
      cmd.add("-Dcassandra-foreground=yes");
      cmd.add("-Dcassandra.config=" + yaml.toUri());
      cmd.add("-Dcassandra.storagedir=" + dir);
      cmd.add("-Dcassandra.logdir=" + dir.resolve("logs"));
      cmd.add("-Dlogback.configurationFile=" + logback.toUri());
      cmd.add("-Dcassandra.ring_delay_ms=" + options.ringDelayMillis());
      cmd.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
      cmd.add("-Dcassandra.superuser_setup_delay_ms=0");
      cmd.add("-Dcassandra.jmx.local.port=" + freePort());
      cmd.add("-Dcassandra.initial_token_allocation_disabled=false");
      for (String export : JDK17_EXPORTS) {
        cmd.add("--add-exports");
        cmd.add(export + "=ALL-UNNAMED");
      }
      for (String open : JDK17_OPENS) {
        cmd.add("--add-opens");
        cmd.add(open + "=ALL-UNNAMED");
      }
      cmd.add("-cp");
      cmd.add(dir.resolve("bin") + File.pathSeparator + cassandraClasspath);
      cmd.add(CassandraWatchdog.class.getName());
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      pb.redirectInput(ProcessBuilder.Redirect.PIPE);
      pb.environment().remove("JAVA_TOOL_OPTIONS");
      logger.info(
          "starting Cassandra node {}:{} (data {}, JDK {}), log {}",
          options.listenAddress(),
          nativePort,
          dir,
          java,
          logFile);
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Cassandra in " + dir + ": " + e.getMessage(), e);
    }
    awaitCql(timeoutMillis);
  }

  private void awaitCql(long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Cassandra exited with code " + process.exitValue() + " before CQL answered; last log"
                + " lines of " + logFile + ":\n" + tail(40));
      }
      if (logContains("Starting listening for CQL clients") && canConnect()) {
        logger.info("Cassandra CQL is up on {}:{}", options.listenAddress(), nativePort);
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new IllegalStateException("interrupted while waiting for Cassandra", e);
      }
    }
    String lines = tail(40);
    close();
    throw new IllegalStateException(
        "Cassandra did not answer CQL on " + options.listenAddress() + ":" + nativePort + " within "
            + timeoutMillis + " ms; last log lines of " + logFile + ":\n" + lines);
  }

  private boolean canConnect() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(options.listenAddress(), nativePort), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private boolean logContains(String text) {
    try {
      return Files.exists(logFile) && Files.readString(logFile).contains(text);
    } catch (IOException | UncheckedIOException e) {
      return false;
    }
  }

  /** The last {@code n} lines of the node's output log. */
  public String tail(int n) {
    try (Stream<String> lines = Files.lines(logFile, StandardCharsets.UTF_8)) {
      Deque<String> last = new ArrayDeque<>();
      lines.forEach(
          l -> {
            if (last.size() == n) {
              last.removeFirst();
            }
            last.addLast(l);
          });
      return String.join("\n", last);
    } catch (IOException | UncheckedIOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Blocks until the child exits. */
  public int waitFor() throws InterruptedException {
    return process.waitFor();
  }

  /**
   * Stops the node: graceful (stdin EOF → drain) first, forcibly after 20 s. Idempotent. No JVM
   * shutdown hook is needed: if this JVM dies first, the child's watchdog sees its stdin close.
   */
  @Override
  public void close() {
    stopProcess();
  }

  /** Kills the node at once, like a crash ({@code kill -9}). For fault tests. */
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private synchronized void stopProcess() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    try {
      OutputStream stdin = p.getOutputStream();
      stdin.close();
    } catch (IOException ignored) {
      // Closing a pipe whose reader is gone is fine.
    }
    try {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        logger.warn("Cassandra did not stop in 20 s, killing pid {}", p.pid());
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private String yaml(Path dir) {
    String seeds = options.seeds() != null ? options.seeds() : options.listenAddress() + ":" + storagePort;
    return String.join(
        "\n",
        "cluster_name: '" + options.clusterName() + "'",
        "num_tokens: " + options.numTokens(),
        "allocate_tokens_for_local_replication_factor: 3",
        "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
        "data_file_directories:",
        "  - " + dir.resolve("data"),
        "commitlog_directory: " + dir.resolve("commitlog"),
        "saved_caches_directory: " + dir.resolve("saved_caches"),
        "hints_directory: " + dir.resolve("hints"),
        "cdc_raw_directory: " + dir.resolve("cdc_raw"),
        "commitlog_sync: periodic",
        "commitlog_sync_period: 10000ms",
        "seed_provider:",
        "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
        "    parameters:",
        "      - seeds: \"" + seeds + "\"",
        "listen_address: " + options.listenAddress(),
        "rpc_address: " + options.listenAddress(),
        "storage_port: " + storagePort,
        "native_transport_port: " + nativePort,
        "start_native_transport: true",
        "endpoint_snitch: SimpleSnitch",
        "authenticator: AllowAllAuthenticator",
        "authorizer: AllowAllAuthorizer",
        "auto_snapshot: " + options.autoSnapshot(),
        "concurrent_reads: 16",
        "concurrent_writes: 32",
        "disk_access_mode: mmap_index_only",
        "dynamic_snitch: false",
        "");
  }

  /**
   * Finds a JDK 17 {@code java}: {@code JAVA17_HOME}, then this JVM if it is 17, then the usual
   * JDK homes.
   *
   * @throws IllegalStateException naming every place tried
   */
  public static Path findJava17() {
    List<String> tried = new ArrayList<>();
    String env = System.getenv("JAVA17_HOME");
    if (env != null && !env.isBlank()) {
      Path p = Paths.get(env, "bin", "java");
      tried.add("JAVA17_HOME=" + env);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    tried.add("this JVM (" + System.getProperty("java.home") + ", version "
        + Runtime.version().feature() + ")");
    if (Runtime.version().feature() == 17) {
      Path p = Paths.get(System.getProperty("java.home"), "bin", "java");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    for (String root : List.of("/usr/lib/jvm", "/usr/java", "/opt/java", "/Library/Java/JavaVirtualMachines")) {
      Path r = Paths.get(root);
      tried.add(root + "/*17*");
      if (!Files.isDirectory(r)) {
        continue;
      }
      try (Stream<Path> homes = Files.list(r)) {
        for (Path home : homes.sorted().toList()) {
          String name = home.getFileName().toString().toLowerCase(Locale.ROOT);
          if (!name.contains("17")) {
            continue;
          }
          for (Path candidate : List.of(home.resolve("bin/java"), home.resolve("Contents/Home/bin/java"))) {
            if (Files.isExecutable(candidate)) {
              return candidate;
            }
          }
        }
      } catch (IOException ignored) {
        // Unreadable directory: try the next one.
      }
    }
    throw new IllegalStateException(
        "Cassandra 5.0 needs a JDK 17 and none was found; tried: " + String.join(", ", tried)
            + ". Set JAVA17_HOME to a JDK 17 home.");
  }

  private static String readClasspath(Path file) {
    try {
      String cp = Files.readString(file).trim();
      if (cp.isEmpty()) {
        throw new IllegalStateException("empty Cassandra classpath file " + file);
      }
      return cp;
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cassandra classpath file " + file + " is missing (" + e.getMessage()
              + "); build once with ./theseus or `mvn package -DskipTests`", e);
    }
  }

  /** A free TCP port on the loopback interface. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final List<String> JDK17_EXPORTS =
      List.of(
          "java.base/jdk.internal.misc",
          "java.base/jdk.internal.ref",
          "java.base/sun.nio.ch",
          "java.management.rmi/com.sun.jmx.remote.internal.rmi",
          "java.rmi/sun.rmi.registry",
          "java.rmi/sun.rmi.server",
          "java.sql/java.sql",
          "jdk.unsupported/sun.misc");

  private static final List<String> JDK17_OPENS =
      List.of(
          "java.base/java.lang.module",
          "java.base/jdk.internal.loader",
          "java.base/jdk.internal.ref",
          "java.base/jdk.internal.reflect",
          "java.base/jdk.internal.math",
          "java.base/jdk.internal.module",
          "java.base/jdk.internal.util.jar",
          "java.base/sun.nio.ch",
          "java.base/java.io",
          "java.base/java.nio",
          "java.base/java.util.concurrent",
          "java.base/java.util",
          "java.base/java.util.concurrent.atomic",
          "java.base/java.lang",
          "java.base/java.math",
          "java.base/java.lang.reflect",
          "java.base/java.net",
          "jdk.management/com.sun.management.internal");

  private static final String LOGBACK =
      """
      <configuration scan="false">
        <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>%date{ISO8601} %-5level [%thread] %logger{1} %msg%n</pattern></encoder>
        </appender>
        <logger name="org.apache.cassandra" level="INFO"/>
        <root level="WARN"><appender-ref ref="STDOUT"/></root>
      </configuration>
      """;
}
