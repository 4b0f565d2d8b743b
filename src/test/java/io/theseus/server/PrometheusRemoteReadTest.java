package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.server.ApiTestServer.W;
import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus 2.42 with {@code remote_read} pointed at Theseus answers PromQL from data only
 * Theseus holds (it scrapes nothing itself).
 */
@ExtendWith(CassandraExtension.class)
class PrometheusRemoteReadTest {
  @Test
  void prometheus242_remoteRead_answersFromTheseusData(CassandraKeyspace ks, @TempDir Path dir)
      throws Exception {
    Files.createDirectories(dir.resolve("theseus"));
    Files.createDirectories(dir.resolve("prom"));
    try (ApiTestServer srv = new ApiTestServer(ks, dir.resolve("theseus"), null, null)) {
      long now = System.currentTimeMillis();
      long t0 = (now / 15_000) * 15_000 - 20 * 15_000;
      long[] ts = new long[21];
      double[] a = new double[21];
      double[] b = new double[21];
      for (int i = 0; i < ts.length; i++) {
        ts[i] = t0 + i * 15_000L;
        a[i] = 100 + i * 3;
        b[i] = 7.25;
      }
      srv.push(
          ApiTestServer.writeRequest(
              List.of(
                  W.of(ts, a, "__name__", "only_in_theseus_total", "job", "rr", "instance", "one"),
                  W.of(
                      ts, b, "__name__", "only_in_theseus_gauge", "job", "rr", "instance", "two"))),
          null);
      String cfg =
          "global:\n  scrape_interval: 1h\n"
              + "remote_read:\n  - url: "
              + srv.base
              + "/api/v1/read\n    read_recent: true\n";
      try (PrometheusProcess prom = new PrometheusProcess(dir.resolve("prom"), cfg)) {
        String time = Long.toString((t0 + 20 * 15_000L) / 1000);
        HttpResponse<String> gauge =
            prom.get(
                "/api/v1/query?query="
                    + URLEncoder.encode("only_in_theseus_gauge", StandardCharsets.UTF_8)
                    + "&time="
                    + time);
        assertThat(gauge.body())
            .as(Files.readString(prom.log))
            .isEqualTo(
                "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                    + "{\"metric\":{\"__name__\":\"only_in_theseus_gauge\",\"instance\":\"two\","
                    + "\"job\":\"rr\"},\"value\":["
                    + time
                    + ",\"7.25\"]}]}}");
        HttpResponse<String> rate =
            prom.get(
                "/api/v1/query?query="
                    + URLEncoder.encode(
                        "sum(rate(only_in_theseus_total[2m]))", StandardCharsets.UTF_8)
                    + "&time="
                    + time);
        // 3 per 15 s = 0.2/s; a 2m window holds 9 samples exactly at its borders: no extrapolation
        // beyond the sampled span (both ends coincide), so the rate is exact.
        assertThat(rate.body()).contains("\"value\":[" + time + ",\"0.2\"]");
      }
    }
  }
}
