package io.theseus.ingest;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.theseus.proto.Remote;
import io.theseus.proto.Types;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Remote-write ingestion hot path: protobuf decode + validation + head append (+ WAL record
 * append, without waiting for fsync) of 2,000-sample RW 1.0 requests, one sample per series as
 * Prometheus sends in steady state, with node_exporter-like label sets (2,000 series, 6 labels).
 * Reported per sample ({@code @OperationsPerInvocation(2000)}).
 *
 * <p>Each invocation moves every timestamp 15 s forward by patching the 6-byte timestamp varints in
 * place, so every sample is a real append (not a duplicate). Run with {@code -prof gc} to see
 * allocation per sample.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
public class IngestBenchmark {
  static final int SERIES = 2000;
  static final long START = 1_700_000_000_000L;

  Path dir;
  Ingester ingester;
  Ingester.Scratch scratch;
  byte[] body;
  int[] tsOffsets;
  long t = START;

  @Setup(Level.Trial)
  public void setup() throws IOException {
    Path shm = Path.of("/dev/shm");
    dir = Files.createTempDirectory(Files.isDirectory(shm) ? shm : Path.of("target"), "ingest-bench");
    Limits unlimited =
        new Limits(1e15, Integer.MAX_VALUE, 30, 1024, 2048, 1024, true, false, 0, Long.MAX_VALUE / 4,
            0, 0, false);
    IngestOptions o =
        IngestOptions.defaults(dir.resolve("wal"))
            .withLimits(new Limits.Config(unlimited, Map.of()));
    long[] clock = {START};
    ingester = Ingester.open(o, ChunkFlusher.UNAVAILABLE, new IngestMetrics(new PrometheusRegistry()),
        () -> t);
    scratch = new Ingester.Scratch();
    Remote.WriteRequest.Builder req = Remote.WriteRequest.newBuilder();
    String[] modes = {"idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"};
    for (int i = 0; i < SERIES; i++) {
      int cpu = i % 32;
      String mode = modes[(i / 32) % modes.length];
      String name = i < 256 ? "node_cpu_seconds_total" : "node_metric_" + (i / 64);
      req.addTimeseries(
          Types.TimeSeries.newBuilder()
              .addLabels(label("__name__", name))
              .addLabels(label("cpu", Integer.toString(cpu)))
              .addLabels(label("instance", "node-" + (i % 7) + ".example.org:9100"))
              .addLabels(label("job", "node"))
              .addLabels(label("mode", mode))
              .addLabels(label("region", "eu-west-1"))
              .addSamples(Types.Sample.newBuilder().setTimestamp(START).setValue(i * 1.5)));
    }
    body = req.build().toByteArray();
    // Find the timestamp varints: tag 0x10 followed by the 6-byte varint of START.
    byte[] enc = varint(START);
    tsOffsets = new int[SERIES];
    int n = 0;
    for (int i = 0; i + enc.length < body.length && n < SERIES; i++) {
      if (body[i] == 0x10 && java.util.Arrays.equals(body, i + 1, i + 1 + enc.length, enc, 0, enc.length)) {
        tsOffsets[n++] = i + 1;
      }
    }
    if (n != SERIES || enc.length != 6) {
      throw new IllegalStateException("found " + n + " timestamps");
    }
  }

  private static Types.Label label(String n, String v) {
    return Types.Label.newBuilder().setName(n).setValue(v).build();
  }

  static byte[] varint(long v) {
    byte[] b = new byte[10];
    int i = 0;
    while ((v & ~0x7fL) != 0) {
      b[i++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    b[i++] = (byte) v;
    return java.util.Arrays.copyOf(b, i);
  }

  @TearDown(Level.Iteration)
  public void checkpoint() throws IOException {
    ingester.checkpoint(); // drops the WAL segments written by the iteration
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    ingester.close();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  @OperationsPerInvocation(SERIES)
  public int decodeValidateAppend() {
    t += 15_000;
    long v = t;
    for (int off : tsOffsets) {
      long x = v;
      for (int k = 0; k < 5; k++) {
        body[off + k] = (byte) ((x & 0x7f) | 0x80);
        x >>>= 7;
      }
      body[off + 5] = (byte) x;
    }
    Ingester.Scratch w = scratch;
    if (w.decoder.decode(body, body.length, false, w.batch) != RemoteWriteDecoder.OK) {
      throw new IllegalStateException(w.decoder.error());
    }
    Ingester.PushResult r = ingester.push("bench", w);
    if (r.status() != 200 || r.samplesWritten() != SERIES) {
      throw new IllegalStateException(r.status() + " " + r.message());
    }
    return r.status();
  }

  /**
   * CPU-time figure for shared, overloaded machines where wall-clock JMH scores are dominated by
   * other processes: samples per second of this thread's CPU time. Run: {@code java -cp ...
   * io.theseus.ingest.IngestBenchmark [invocations]}.
   */
  public static void main(String[] args) throws IOException {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    IngestBenchmark b = new IngestBenchmark();
    b.setup();
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    try {
      for (int i = 0; i < n; i++) {
        b.decodeValidateAppend(); // warm-up
      }
      long cpu0 = mx.getCurrentThreadCpuTime();
      long wall0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        b.decodeValidateAppend();
      }
      long cpu = mx.getCurrentThreadCpuTime() - cpu0;
      long wall = System.nanoTime() - wall0;
      long samples = (long) n * SERIES;
      System.out.printf(
          "%d samples: %.0f samples per CPU-second, %.0f samples per wall-second%n",
          samples, samples / (cpu / 1e9), samples / (wall / 1e9));
    } finally {
      b.tearDown();
    }
  }
}
