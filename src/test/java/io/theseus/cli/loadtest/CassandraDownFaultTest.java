package io.theseus.cli.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.theseus.query.StoreQueryable;
import io.theseus.schema.SchemaConfig;
import io.theseus.server.TheseusConfig;
import io.theseus.server.TheseusServer;
import io.theseus.store.CassandraConnection;
import io.theseus.store.CassandraNode;
import io.theseus.store.ChunkStore;
import io.theseus.store.RowStore;
import io.theseus.store.TableManager;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault: every Cassandra node down for a while during load. Theseus runs against its own
 * single-node Cassandra (a child JVM this test kills with SIGKILL and restarts on the same data
 * directory and port). While it is down Theseus either keeps accepting into head + WAL (flushes
 * fail and are retried) or answers 503 when the flush backlog / WAL limits are reached; when
 * Cassandra is back the backlog drains. Then every acknowledged sample is read back from
 * Cassandra alone (the chunk store, not the head).
 */
@Tag("faults")
class CassandraDownFaultTest {
  static final String SCHEMA =
      """
      configs:
      - from: 2020-01-01
        store: cassandra
        schema: v11
        index: {prefix: idx_, period: 168h}
        chunks: {prefix: chk_, period: 168h}
      """;

  @Test
  void allNodesDownDuringLoad_catchesUpAfterwards_noAcknowledgedSampleLost(@TempDir Path dir)
      throws Exception {
    int cqlPort = CassandraNode.freePort();
    CassandraNode.Options opts =
        CassandraNode.Options.single(dir.resolve("cassandra"), cqlPort)
            .withAutoSnapshot(false)
            .withHeap("512m");
    CassandraNode node = CassandraNode.start(opts, classpathFile(), 300_000);
    TheseusServer server = null;
    CqlSession check = null;
    try {
      server = new TheseusServer(config(dir, cqlPort, "RF1", "ONE"), null).start();
      String base = "http://127.0.0.1:" + server.port();
      FaultLoad load = FaultLoad.of(List.of(base + "/api/v1/push"), 100, 1_000, 40_000, 300);
      load.start();
      FaultLoad.await("2000 acknowledged samples", 300, () -> load.acked() >= 2_000);
      node.kill(); // every node of the cluster is down
      long downAt = System.nanoTime();
      long ackedAtKill = load.acked();
      FaultLoad.await("15000 more samples while Cassandra is down, or 503s", 300,
          () -> load.acked() >= ackedAtKill + 15_000 || load.run.stats.status5xx.sum() > 0);
      long ackedWhileDown = load.acked() - ackedAtKill;
      double peakBacklog = backlog(load, base);
      node = CassandraNode.start(opts, classpathFile(), 300_000);
      double downSec = (System.nanoTime() - downAt) / 1e9;
      long upAt = System.nanoTime();
      // Catch-up: the backlog built while down falls to a tenth (the load goes on meanwhile).
      FaultLoad.await("flush backlog of " + peakBacklog + " chunks drains", 600,
          () -> backlog(load, base) <= peakBacklog / 10);
      double catchUp = (System.nanoTime() - upAt) / 1e9;
      load.await();
      TheseusServer s = server;
      FaultLoad.await("flush backlog drained", 600, () -> {
        try {
          return s.ingest().ingester().flushAll(30_000);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      check = CassandraConnection.open(settings(cqlPort), null);
      ChunkStore store =
          ChunkStore.builder(
                  RowStore.builder(check, "faults").build(),
                  new TableManager(check, "faults", t -> ""),
                  SchemaConfig.parse(SCHEMA))
              .build();
      Verifier.Result r = load.verify(new StoreQueryable(store, "fake"));
      load.figures(String.format(java.util.Locale.ROOT,
          "all Cassandra nodes down %.1f s (acked while down %d, flush backlog %.0f chunks),"
              + " recovery = backlog down to a tenth; read from Cassandra only",
          downSec, ackedWhileDown, peakBacklog), r, catchUp);
      assertThat(r.errors).isEmpty();
      assertThat(r.required).isEqualTo(load.acked()).isPositive();
      assertThat(r.missing).as("acknowledged samples lost").isZero();
      assertThat(r.duplicated).isZero();
      assertThat(r.altered).isZero();
      assertThat(r.unexpected).isZero();
    } finally {
      if (check != null) {
        check.close();
      }
      if (server != null) {
        server.close();
      }
      node.kill();
    }
  }

  /** The ingester's flush backlog from /metrics. */
  static double backlog(FaultLoad load, String base) {
    try {
      String text =
          load.client
              .send(
                  java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString())
              .body();
      for (String line : text.split("\n")) {
        if (line.startsWith("theseus_ingest_flush_backlog_chunks ")) {
          return Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
        }
      }
      throw new AssertionError("no theseus_ingest_flush_backlog_chunks in /metrics");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  static CassandraConnection.Settings settings(int port) {
    return new CassandraConnection.Settings(
        List.of(new InetSocketAddress("127.0.0.1", port)), "datacenter1", "ONE", null, null,
        Duration.ofSeconds(20));
  }

  static Path classpathFile() {
    return Paths.get(
        System.getProperty("cassandra.classpath.file", "target/cassandra.classpath"));
  }

  /**
   * A config that cuts and flushes chunks all the time: max_chunk_age 10 min of sample time (the
   * load writes 15 s-spaced samples at ~10 per series per second, so ~4 s of wall time), idle 2 s.
   */
  static TheseusConfig config(Path dir, int cqlPort, String rf, String consistency)
      throws java.io.IOException {
    Map<String, Object> repl =
        rf.equals("RF3")
            ? Map.of("class", "SimpleStrategy", "replication_factor", 3)
            : Map.of("class", "SimpleStrategy", "replication_factor", 1);
    TheseusConfig c =
        TheseusConfig.load(
            FaultLoad.config(dir, "schema.yaml", "schema:\n  " + SCHEMA.replace("\n", "\n  ")));
    return c.withServer(
            new TheseusConfig.Server(
                "127.0.0.1:0", dir.resolve("data").toString(), null, null, null, null))
        .withCassandra(
            new TheseusConfig.Cassandra(
                List.of("127.0.0.1:" + cqlPort), null, "faults", repl, consistency, null, null,
                null, null, null, 5_000L))
        .withIngester(
            new TheseusConfig.Ingester(
                600_000L, 2_000L, 2_000L, 1_000L, null, null, null, null, null, null));
  }
}
