package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.cli.Main;
import io.theseus.store.CassandraNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} on the embedded default: a real Cassandra child JVM is started, the instance gets
 * ready, answers its operational endpoints, and no Cassandra process survives it.
 */
class ServeEmbeddedTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static Path cassandraClasspath() {
    return Paths.get(System.getProperty("cassandra.classpath.file", "target/cassandra.classpath"));
  }

  static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void start_embeddedDefault_readyMetricsBuildinfoAndNoOrphanAfterClose(@TempDir Path dir)
      throws Exception {
    TheseusConfig cfg =
        TheseusConfig.defaults()
            .withServer(new TheseusConfig.Server("127.0.0.1:0", dir.toString(), null, null, null, null))
            .withCassandra(
                new TheseusConfig.Cassandra(
                    null, null, "ks_serve", null, null, null, null, 0, "768m", null, null));
    TheseusServer server = new TheseusServer(cfg, cassandraClasspath());
    long pid;
    try {
      server.start();
      int port = server.port();
      pid = server.embeddedNode().pid();
      assertThat(ProcessHandle.of(pid)).isPresent();
      assertThat(Files.isDirectory(dir.resolve("cassandra/data"))).isTrue();

      HttpResponse<String> ready = get(port, "/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(get(port, "/-/healthy").statusCode()).isEqualTo(200);

      HttpResponse<String> metrics = get(port, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type").orElse(""))
          .startsWith("text/plain; version=0.0.4");
      assertThat(metrics.body()).contains("# TYPE jvm_memory_used_bytes gauge");

      HttpResponse<String> build = get(port, "/api/v1/status/buildinfo");
      assertThat(build.statusCode()).isEqualTo(200);
      assertThat(build.body())
          .contains("\"status\":\"success\"")
          .contains("\"version\":\"2.42.0\"")
          .doesNotContain("features");
      assertThat(get(port, "/prometheus/api/v1/status/buildinfo").statusCode()).isEqualTo(200);
      assertThat(
              server.session().getMetadata().getKeyspace("ks_serve"))
          .isPresent();
    } finally {
      server.close();
    }
    Optional<ProcessHandle> child = ProcessHandle.of(pid);
    assertThat(child.map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void serveProcess_killedWithSigkill_leavesNoCassandraBehind(@TempDir Path dir) throws Exception {
    int port = CassandraNode.freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.add("-Dtheseus.cassandra.classpath=" + cassandraClasspath().toAbsolutePath());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.add("serve");
    cmd.add("--listen=127.0.0.1:" + port);
    cmd.add("--data-dir=" + dir);
    cmd.add("--config=" + writeConfig(dir));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("serve.log").toFile())
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
      int status = 0;
      while (System.nanoTime() < deadline && p.isAlive()) {
        try {
          status = get(port, "/ready").statusCode();
          if (status == 200) {
            break;
          }
        } catch (IOException notYet) {
          // Not listening yet.
        }
        Thread.sleep(200);
      }
      assertThat(status).as(Files.readString(dir.resolve("serve.log"))).isEqualTo(200);
      List<ProcessHandle> children = p.descendants().filter(ProcessHandle::isAlive).toList();
      assertThat(children).isNotEmpty();

      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

      long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < gone && children.stream().anyMatch(ProcessHandle::isAlive)) {
        Thread.sleep(200);
      }
      assertThat(children).noneMatch(ProcessHandle::isAlive);
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  private static String writeConfig(Path dir) throws IOException {
    Path f = dir.resolve("theseus.yaml");
    Files.writeString(
        f,
        "cassandra:\n  keyspace: ks_kill\n  embedded_port: 0\n  embedded_heap: 768m\n");
    return f.toString();
  }
}
