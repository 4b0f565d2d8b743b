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
 * The steady-state hot path (decode + validate + head append + WAL record) allocates nothing per
 * sample: measured with the JVM's per-thread allocation counter over many requests.
 */
class AllocationTest {
  @Test
  void push_steadyState_allocatesNoBytesPerSample(@TempDir Path dir) throws Exception {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long[] clock = {1_700_000_000_000L};
    Limits unlimited = new Limits(1e15, Integer.MAX_VALUE, 30, 1024, 2048, 1024, true, false, 0,
        Long.MAX_VALUE / 4, 0, 0, false);
    try (Ingester ing = Ingester.open(
        IngestOptions.defaults(dir).withLimits(new Limits.Config(unlimited, Map.of())),
        ChunkFlusher.UNAVAILABLE, new IngestMetrics(new PrometheusRegistry()), () -> clock[0])) {
      Ingester.Scratch w = new Ingester.Scratch();
      int series = 1000;
      int rounds = 2000;
      long tid = Thread.currentThread().getId();
      long measured = 0;
      for (int r = 0; r < rounds; r++) {
        Remote.WriteRequest.Builder b = Remote.WriteRequest.newBuilder();
        for (int i = 0; i < series; i++) {
          b.addTimeseries(Types.TimeSeries.newBuilder()
              .addLabels(Types.Label.newBuilder().setName("__name__").setValue("node_x"))
              .addLabels(Types.Label.newBuilder().setName("cpu").setValue(Integer.toString(i)))
              .addLabels(Types.Label.newBuilder().setName("job").setValue("node"))
              .addSamples(Types.Sample.newBuilder().setTimestamp(clock[0]).setValue(i + r)));
        }
        byte[] body = b.build().toByteArray();
        long before = mx.getThreadAllocatedBytes(tid);
        int d = w.decoder.decode(body, body.length, false, w.batch);
        int status = ing.push("t", w).status();
        long after = mx.getThreadAllocatedBytes(tid);
        assertThat(d).isZero();
        assertThat(status).isEqualTo(200);
        if (r >= rounds / 2) {
          measured += after - before;
        }
        clock[0] += 15_000;
      }
      double perSample = (double) measured / ((long) series * (rounds - rounds / 2));
      System.out.println("allocation per sample, steady state: " + perSample + " B");
      assertThat(perSample).isLessThan(16);
    }
  }
}
