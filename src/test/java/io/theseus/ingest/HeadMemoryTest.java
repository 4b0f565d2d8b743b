package io.theseus.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.theseus.proto.Remote;
import io.theseus.proto.Types;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heap per active series: 10,000 node_exporter-like series (6 labels) with 120 samples each (30
 * minutes at a 15 s scrape interval) must stay within 2 KiB each, everything included (series
 * object, label key, Bigchunk, fingerprint map, postings, per-metric counts). Measured as the
 * retained heap difference after full GCs.
 */
class HeadMemoryTest {
  static long usedAfterGc() throws InterruptedException {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(50);
      best = Math.min(best, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return best;
  }

  @Test
  void head_120SamplesPerSeries_under2KiBPerSeries(@TempDir Path dir) throws Exception {
    int series = 10_000;
    int perRequest = 2000;
    long[] clock = {1_700_000_000_000L};
    Limits unlimited = new Limits(1e15, Integer.MAX_VALUE, 30, 1024, 2048, 1024, true, false, 0,
        Long.MAX_VALUE / 4, 0, 0, false);
    String[] modes = {"idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"};
    byte[][] bodies = new byte[series / perRequest][];
    try (Ingester ing = Ingester.open(
        IngestOptions.defaults(dir).withLimits(new Limits.Config(unlimited, Map.of())),
        ChunkFlusher.UNAVAILABLE, new IngestMetrics(new PrometheusRegistry()), () -> clock[0])) {
      Ingester.Scratch w = new Ingester.Scratch();
      long base = usedAfterGc();
      for (int round = 0; round < 120; round++) {
        for (int q = 0; q < bodies.length; q++) {
          Remote.WriteRequest.Builder b = Remote.WriteRequest.newBuilder();
          for (int j = 0; j < perRequest; j++) {
            int i = q * perRequest + j;
            b.addTimeseries(Types.TimeSeries.newBuilder()
                .addLabels(l("__name__", "node_metric_" + (i / 200)))
                .addLabels(l("cpu", Integer.toString(i % 64)))
                .addLabels(l("instance", "node-" + (i % 50) + ".example.org:9100"))
                .addLabels(l("job", "node"))
                .addLabels(l("mode", modes[i % modes.length]))
                .addLabels(l("region", "eu-west-1"))
                .addSamples(Types.Sample.newBuilder().setTimestamp(clock[0])
                    .setValue(round * 1.25 + i)));
          }
          byte[] body = b.build().toByteArray();
          assertThat(w.decoder.decode(body, body.length, false, w.batch)).isZero();
          assertThat(ing.push("t", w).status()).isEqualTo(200);
        }
        clock[0] += 15_000;
      }
      w = null;
      long used = usedAfterGc() - base;
      double perSeries = (double) used / series;
      System.out.printf("head heap per series (120 samples): %.0f B%n", perSeries);
      assertThat(ing.activeSeries("t")).isEqualTo(series);
      assertThat(perSeries).isLessThan(2048);
    }
  }

  private static Types.Label l(String n, String v) {
    return Types.Label.newBuilder().setName(n).setValue(v).build();
  }
}
