package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.ingest.HeadSeries;
import io.theseus.model.Matcher;
import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
import io.theseus.store.CassandraNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's real Prometheus 2.42 scrapes itself and remote-writes (RW 1.0, no tenant header) to a
 * Theseus server with auth disabled: its samples and metadata arrive under tenant {@code fake}.
 * Fails (does not skip) when /usr/bin/prometheus is missing; .ci/run installs it.
 */
@ExtendWith(CassandraExtension.class)
class PrometheusRemoteWriteE2ETest {
  static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

  @Test
  void prometheus242_remoteWritesItsOwnMetrics_arriveInHead(CassandraKeyspace ks, @TempDir Path dir)
      throws Exception {
    assertThat(PROMETHEUS).as("Debian prometheus 2.42 (apt-get install prometheus)").isExecutable();
    TheseusConfig base =
        RemoteWriteHttpTest.config(dir.resolve("theseus"), ks, false, null, null, null, null);
    TheseusConfig cfgWithSchema =
        base.withSchema(
            new TheseusConfig.Schema(
                null,
                List.of(
                    java.util.Map.of(
                        "from", "2020-01-02", "store", "cassandra", "schema", "v11",
                        "index", java.util.Map.of("prefix", "e2e_index_", "period", "168h"),
                        "chunks", java.util.Map.of("prefix", "e2e_chunks_", "period", "168h")))));
    TheseusServer server = new TheseusServer(cfgWithSchema, null).start();
    try {
      int promPort = CassandraNode.freePort();
      Path cfg = dir.resolve("prometheus.yml");
      Files.writeString(
          cfg,
          String.join(
              "\n",
              "global:",
              "  scrape_interval: 1s",
              "  external_labels: {lab: e2e}",
              "scrape_configs:",
              "  - job_name: prometheus",
              "    static_configs: [{targets: ['127.0.0.1:" + promPort + "']}]",
              "remote_write:",
              "  - url: http://127.0.0.1:" + server.port() + "/api/v1/push",
              "    queue_config: {batch_send_deadline: 1s, min_backoff: 50ms}",
              "    metadata_config: {send_interval: 2s}",
              ""));
      Process p =
          new ProcessBuilder(
                  PROMETHEUS.toString(),
                  "--config.file=" + cfg,
                  "--storage.tsdb.path=" + dir.resolve("tsdb"),
                  "--web.listen-address=127.0.0.1:" + promPort)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("prometheus.log").toFile())
              .start();
      try {
        List<Matcher> up =
            List.of(Matcher.eq("__name__", "up"), Matcher.eq("job", "prometheus"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        List<HeadSeries> got = List.of();
        while (System.nanoTime() < deadline) {
          got = server.ingest().ingester().select("fake", up, 0, Long.MAX_VALUE);
          if (!got.isEmpty() && got.get(0).timestamps().length >= 3
              && server.ingest().ingester().metadata("fake").containsKey("prometheus_build_info")) {
            break;
          }
          assertThat(p.isAlive()).as(Files.readString(dir.resolve("prometheus.log"))).isTrue();
          Thread.sleep(250);
        }
        assertThat(got).as(Files.readString(dir.resolve("prometheus.log"))).hasSize(1);
        HeadSeries s = got.get(0);
        assertThat(s.labels().get("lab")).isEqualTo("e2e");
        assertThat(s.labels().get("instance")).isEqualTo("127.0.0.1:" + promPort);
        assertThat(s.timestamps().length).isGreaterThanOrEqualTo(3);
        assertThat(s.values()).containsOnly(1.0);
        assertThat(server.ingest().ingester().activeSeries("fake")).isGreaterThan(100);
        assertThat(server.ingest().ingester().metadata("fake").get("prometheus_build_info").type())
            .isEqualTo("gauge");
        String metrics = ServeEmbeddedTest.get(server.port(), "/metrics").body();
        assertThat(metrics).doesNotContain("theseus_ingest_samples_rejected_total{");
        assertThat(Files.readString(dir.resolve("prometheus.log")))
            .doesNotContain("non-recoverable error");
      } finally {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    } finally {
      server.close(); // graceful: flushes every chunk to the store
    }
    // The chunks are now in Cassandra under Cortex external keys of tenant fake.
    var session = ks.session();
    List<String> chunkTables =
        session
            .execute(
                "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", ks.name())
            .all()
            .stream()
            .map(r -> r.getString(0))
            .filter(t -> t.startsWith("e2e_chunks_"))
            .toList();
    assertThat(chunkTables).isNotEmpty();
    List<String> keys = new java.util.ArrayList<>();
    for (String t : chunkTables) {
      session.execute("SELECT hash FROM " + ks.name() + "." + t).forEach(r -> keys.add(r.getString(0)));
    }
    assertThat(keys).hasSizeGreaterThan(100)
        .allMatch(k -> k.matches("fake/[0-9a-f]+:[0-9a-f]+:[0-9a-f]+:[0-9a-f]+"), "Cortex key");
    io.theseus.chunk.ChunkDecodeResult d = null;
    var row = session.execute("SELECT hash, value FROM " + ks.name() + "." + chunkTables.get(0)
        + " LIMIT 1").one();
    byte[] blob = new byte[row.getByteBuffer(1).remaining()];
    row.getByteBuffer(1).get(blob);
    d = io.theseus.chunk.Chunk.decode(row.getString(0), blob);
    assertThat(d.ok()).as(String.valueOf(d.error())).isTrue();
    assertThat(d.chunk().metric().get("lab")).isEqualTo("e2e");
    assertThat(d.chunk().encoding()).isEqualTo(io.theseus.chunk.Chunk.BIGCHUNK);
  }
}
