package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.store.CassandraNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Prometheus 2.42 ({@code /usr/bin/prometheus}) on a free loopback port with a private
 * data directory, for real-client and side-by-side tests. Fails (does not skip) when the binary is
 * missing. {@link #close} kills the process it started.
 */
final class PrometheusProcess implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/prometheus");

  final Process process;
  final String base;
  final Path log;

  PrometheusProcess(Path dir, String configYaml, String... extraFlags) throws Exception {
    assertThat(BINARY).as("Debian prometheus 2.42 (apt-get install prometheus)").isExecutable();
    int port = CassandraNode.freePort();
    Path cfg = dir.resolve("prometheus.yml");
    Files.writeString(cfg, configYaml);
    log = dir.resolve("prometheus.log");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                BINARY.toString(),
                "--config.file=" + cfg,
                "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.path=" + dir.resolve("data")));
    cmd.addAll(List.of(extraFlags));
    process =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    base = "http://127.0.0.1:" + port;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      assertThat(process.isAlive()).as("prometheus exited: %s", Files.readString(log)).isTrue();
      try {
        HttpResponse<String> r =
            ApiTestServer.HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/-/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          break;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      assertThat(System.nanoTime() < deadline)
          .as("prometheus not ready: %s", Files.readString(log))
          .isTrue();
      Thread.sleep(100);
    }
  }

  HttpResponse<String> get(String pathAndQuery) throws Exception {
    return ApiTestServer.HTTP.send(
        HttpRequest.newBuilder(URI.create(base + pathAndQuery))
            .timeout(Duration.ofSeconds(60))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
