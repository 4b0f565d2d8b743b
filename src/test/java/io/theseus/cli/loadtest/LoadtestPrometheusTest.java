package io.theseus.cli.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.theseus.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * End to end against Debian's real Prometheus 2.42 remote-write receiver, started here on a free
 * port (fails, never skips, when /usr/bin/prometheus is missing).
 */
class LoadtestPrometheusTest {
  static Process prometheus;
  static int port;
  @TempDir static Path dir;

  @BeforeAll
  static void startPrometheus() throws Exception {
    Path bin = Path.of("/usr/bin/prometheus");
    assertThat(bin).as("Debian prometheus 2.42 (apt-get install prometheus)").isExecutable();
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path cfg = dir.resolve("prometheus.yml");
    Files.writeString(cfg, "global: {scrape_interval: 1h}\n");
    prometheus = new ProcessBuilder(bin.toString(), "--config.file=" + cfg,
        "--web.enable-remote-write-receiver", "--web.listen-address=127.0.0.1:" + port,
        "--storage.tsdb.path=" + dir.resolve("data"))
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    HttpClient c = HttpClient.newHttpClient();
    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
      try {
        return c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    });
  }

  @AfterAll
  static void stopPrometheus() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      prometheus.waitFor();
    }
  }

  private static Flags flags(String protocol) {
    Flags f = new Flags();
    f.urls = List.of("http://127.0.0.1:" + port + "/api/v1/write");
    f.protocol = protocol;
    f.series = 300;
    f.labels = 6;
    f.rate = 6000.0;
    f.duration = "2s";
    f.connections = 3;
    f.batchSize = 200;
    f.churnPercent = 1.0;
    f.outOfOrderPercent = 0.2;
    f.duplicatePercent = 0.2;
    f.qps = 4.0;
    f.verify = true;
    f.progress = "never";
    return f;
  }

  @Test
  void loadtest_rw2IsNotStoredBy242_verifyFails_thenRw1VerifiesExactly() throws Exception {
    // Prometheus 2.42 decodes a v2 body as an empty v1 request and answers 204: nothing is stored,
    // and only the read-back exposes it.
    Flags v2 = flags("rw2");
    v2.json = dir.resolve("v2.json");
    ByteArrayOutputStream out2 = new ByteArrayOutputStream();
    int exit2 = v2.run(new PrintStream(out2, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
    assertThat(exit2).as(out2.toString(StandardCharsets.UTF_8)).isEqualTo(1);
    JsonNode r2 = new ObjectMapper().readTree(v2.json.toFile()).get("endpoints").get(0);
    assertThat(r2.at("/verification/required").asLong()).isPositive();
    assertThat(r2.at("/verification/missing").asLong()).isEqualTo(r2.at("/verification/required").asLong());

    Flags v1 = flags("rw1");
    v1.json = dir.resolve("v1.json");
    v1.html = dir.resolve("v1.html");
    v1.failIf = List.of("loss>0", "mismatches>0");
    v1.verifyVia = "query,read";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = v1.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(text).isZero();
    assertThat(text).contains("verify target via query: OK").contains("verify target via read: OK");
    JsonNode r = new ObjectMapper().readTree(v1.json.toFile()).get("endpoints").get(0);
    assertThat(r.at("/verification/ok").asBoolean()).isTrue();
    assertThat(r.at("/verification_via_read/found_required").asLong())
        .isEqualTo(r.at("/verification_via_query/found_required").asLong());
    long required = r.at("/verification/required").asLong();
    assertThat(r.at("/verification/found_required").asLong()).isEqualTo(required);
    // acked counts acknowledged sends, so duplicates acknowledged twice make it larger
    assertThat(required).isPositive().isLessThanOrEqualTo(r.at("/metrics/acked").asLong());
    // the injected out-of-order samples were rejected by Prometheus with 400 and counted
    assertThat(r.at("/metrics/rejected").asDouble()).isPositive();
    assertThat(r.at("/queries/range/count").asLong()).isPositive();
    assertThat(Files.readString(v1.html)).contains("<svg").contains("Accepted samples/s");
  }

  @Test
  void cli_badFailIfExpression_exit2NamingIt() {
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute("loadtest", "--url", "discard", "--duration", "1s", "--fail-if", "p98>5ms");
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("p98>5ms").contains("unknown metric 'p98'");
  }
}
