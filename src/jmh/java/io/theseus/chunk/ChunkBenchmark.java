package io.theseus.chunk;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Bigchunk (XOR sub-chunks) append and iterate cost per sample over a realistic node_exporter
 * mix, plus the encoded size per sample (printed at setup; see docs/performance.md).
 *
 * <p>Mix of {@value #SERIES} series x {@value #SAMPLES} samples (3 h at 15 s): 30% constant
 * series (info metrics, up, MemTotal), 35% integer counters (bytes/packets; a third of them idle,
 * i.e. not increasing), 10% float CPU-seconds counters with 2 decimals, 25% random-walk gauges
 * with 2 decimals. Half of all series get scrape jitter of +-0..25 ms on their timestamps. One
 * operation encodes (or iterates) one whole series; the score is per sample.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChunkBenchmark {
  static final int SERIES = 1024;
  static final int SAMPLES = 720;

  long[][] ts;
  long[][] bits;
  byte[][] encoded;
  final BigChunk writer = new BigChunk();
  final BigChunkIterator reader = new BigChunkIterator();
  int next;

  @Setup(Level.Trial)
  public void setup() {
    Random r = new Random(20261204);
    ts = new long[SERIES][SAMPLES];
    bits = new long[SERIES][SAMPLES];
    encoded = new byte[SERIES][];
    long start = 1_795_168_800_000L;
    long totalBytes = 0;
    String[] names = {"constant", "int counter", "cpu-seconds counter", "gauge 2 decimals"};
    long[][] byKind = new long[4][2];
    long[][] byJitter = new long[2][2];
    for (int s = 0; s < SERIES; s++) {
      int kind = r.nextInt(100);
      boolean jitter = r.nextBoolean();
      int k = kind < 30 ? 0 : kind < 65 ? 1 : kind < 75 ? 2 : 3;
      double v = kind < 30 ? r.nextInt(1 << 20) : r.nextInt(1_000_000);
      boolean idle = r.nextInt(3) == 0;
      int rate = 1 + r.nextInt(kind < 50 ? 50 : 100_000);
      for (int i = 0; i < SAMPLES; i++) {
        ts[s][i] = start + i * 15_000L + (jitter ? r.nextInt(51) - 25 : 0);
        if (kind < 30) {
          // constant
        } else if (kind < 65) {
          if (!idle) {
            v += r.nextInt(rate);
          }
        } else if (kind < 75) {
          v = Math.round((v + r.nextInt(1500) / 100.0) * 100) / 100.0;
        } else {
          v = Math.round((v + r.nextGaussian()) * 100) / 100.0;
        }
        bits[s][i] = Double.doubleToRawLongBits(v);
      }
      writer.reset();
      for (int i = 0; i < SAMPLES; i++) {
        writer.appendBits(ts[s][i], bits[s][i]);
      }
      encoded[s] = writer.encode();
      totalBytes += encoded[s].length;
      byKind[k][0] += encoded[s].length;
      byKind[k][1] += SAMPLES;
      byJitter[jitter ? 1 : 0][0] += encoded[s].length;
      byJitter[jitter ? 1 : 0][1] += SAMPLES;
    }
    for (int k = 0; k < 4; k++) {
      System.out.printf(
          "%n  %-20s %.3f bytes/sample (%d series)",
          names[k], (double) byKind[k][0] / byKind[k][1], byKind[k][1] / SAMPLES);
    }
    System.out.printf(
        "%n  no jitter %.3f, jitter %.3f bytes/sample",
        (double) byJitter[0][0] / byJitter[0][1], (double) byJitter[1][0] / byJitter[1][1]);
    System.out.printf(
        "%nbytes/sample (Bigchunk data, realistic mix): %.3f over %d samples%n",
        (double) totalBytes / ((long) SERIES * SAMPLES),
        (long) SERIES * SAMPLES);
  }

  @Benchmark
  @OperationsPerInvocation(SAMPLES)
  public int append() {
    int s = next++ & (SERIES - 1);
    BigChunk w = writer;
    w.reset();
    long[] t = ts[s];
    long[] b = bits[s];
    for (int i = 0; i < SAMPLES; i++) {
      w.appendBits(t[i], b[i]);
    }
    return w.numSamples();
  }

  @Benchmark
  @OperationsPerInvocation(SAMPLES)
  public void iterate(Blackhole bh) {
    int s = next++ & (SERIES - 1);
    byte[] d = encoded[s];
    BigChunkIterator it = reader.reset(d, 0, d.length);
    long acc = 0;
    while (it.next()) {
      acc += it.timestamp() ^ it.valueBits();
    }
    bh.consume(acc);
  }
}
