package io.theseus.chunk;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Companion to {@link ChunkBenchmark} for an oversubscribed machine: measures the same append and
 * iterate loops in <em>thread CPU time</em> (not wall time), so the figure approximates the cost
 * on one dedicated core. Not a substitute for JMH; run with
 * {@code java -cp <jmh classpath> io.theseus.chunk.ChunkCpuTime}.
 */
public final class ChunkCpuTime {
  private ChunkCpuTime() {}

  public static void main(String[] args) {
    ChunkBenchmark b = new ChunkBenchmark();
    b.setup();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sink = 0;
    int rounds = 8;
    for (int r = 0; r < rounds; r++) {
      long c0 = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < 2 * ChunkBenchmark.SERIES; i++) {
        sink += b.append();
      }
      long c1 = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < 2 * ChunkBenchmark.SERIES; i++) {
        sink += iterateOnce(b);
      }
      long c2 = mx.getCurrentThreadCpuTime();
      double n = 2.0 * ChunkBenchmark.SERIES * ChunkBenchmark.SAMPLES;
      System.out.printf(
          "round %d: append %.1f ns/sample CPU, iterate %.1f ns/sample CPU%n",
          r, (c1 - c0) / n, (c2 - c1) / n);
    }
    System.out.println("(sink " + sink + ")");
  }

  private static long iterateOnce(ChunkBenchmark b) {
    int s = b.next++ & (ChunkBenchmark.SERIES - 1);
    byte[] d = b.encoded[s];
    BigChunkIterator it = b.reader.reset(d, 0, d.length);
    long acc = 0;
    while (it.next()) {
      acc += it.timestamp() ^ it.valueBits();
    }
    return acc;
  }
}
