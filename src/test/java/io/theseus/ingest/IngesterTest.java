package io.theseus.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.theseus.chunk.BigChunk;
import io.theseus.chunk.Fingerprint;
import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import io.theseus.proto.Remote;
import io.theseus.proto.Types;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngesterTest {
  static final long NOW = 1_700_000_000_000L;

  /** A recording flusher: a real in-memory sink for the flush logic. */
  static final class Recorder implements ChunkFlusher {
    record Flushed(String tenant, long fp, Labels labels, long from, long through, byte[] data) {}

    final ConcurrentLinkedQueue<Flushed> chunks = new ConcurrentLinkedQueue<>();
    volatile boolean fail;

    @Override
    public CompletableFuture<Void> flush(
        String tenant, long fp, Labels labels, long from, long through, byte[] data) {
      if (fail) {
        return CompletableFuture.failedFuture(new IOException("store down"));
      }
      chunks.add(new Flushed(tenant, fp, labels, from, through, data));
      return CompletableFuture.completedFuture(null);
    }
  }

  static IngestOptions opts(Path dir) {
    return IngestOptions.defaults(dir.resolve("wal"))
        .withFlush(12 * 3_600_000L, 300_000L, 120_000L, 3_600_000L, 300_000L);
  }

  static Ingester open(Path dir, ChunkFlusher f, AtomicLong clock) throws IOException {
    return Ingester.open(opts(dir), f, new IngestMetrics(new PrometheusRegistry()), clock::get);
  }

  static Types.TimeSeries series(String name, String job, long... tsAndBits) {
    Types.TimeSeries.Builder b =
        Types.TimeSeries.newBuilder()
            .addLabels(Types.Label.newBuilder().setName("__name__").setValue(name))
            .addLabels(Types.Label.newBuilder().setName("job").setValue(job));
    for (int i = 0; i < tsAndBits.length; i += 2) {
      b.addSamples(
          Types.Sample.newBuilder()
              .setTimestamp(tsAndBits[i])
              .setValue(Double.longBitsToDouble(tsAndBits[i + 1])));
    }
    return b.build();
  }

  static Ingester.PushResult push(Ingester ing, String tenant, Types.TimeSeries... ts)
      throws Exception {
    byte[] body = Remote.WriteRequest.newBuilder().addAllTimeseries(List.of(ts)).build().toByteArray();
    Ingester.Scratch w = new Ingester.Scratch();
    assertThat(w.decoder.decode(body, body.length, false, w.batch)).isZero();
    Ingester.PushResult r = ing.push(tenant, w);
    if (r.walPos() > 0) {
      ing.durable(r.walPos()).get(10, TimeUnit.SECONDS);
    }
    return r;
  }

  static long bits(double d) {
    return Double.doubleToRawLongBits(d);
  }

  static List<String> dump(Ingester ing, String tenant) {
    List<String> out = new ArrayList<>();
    for (HeadSeries s :
        ing.select(tenant, List.of(Matcher.of(Matcher.Type.RE, "__name__", ".+")), Long.MIN_VALUE,
            Long.MAX_VALUE)) {
      StringBuilder sb = new StringBuilder(s.labels().toString()).append(" fp=").append(s.fingerprint());
      for (int i = 0; i < s.timestamps().length; i++) {
        sb.append(' ').append(s.timestamps()[i]).append('=')
            .append(Long.toHexString(Double.doubleToRawLongBits(s.values()[i])));
      }
      out.add(sb.toString());
    }
    return out;
  }

  @Test
  void push_outOfOrderAndNewValue_400_duplicateNoop_validOthersStored(@TempDir Path dir)
      throws Exception {
    AtomicLong clock = new AtomicLong(NOW);
    try (Ingester ing = open(dir, ChunkFlusher.UNAVAILABLE, clock)) {
      assertThat(push(ing, "t", series("m", "a", NOW, bits(1), NOW + 1, bits(2))).status())
          .isEqualTo(200);
      assertThat(push(ing, "t", series("m", "a", NOW + 1, bits(2))).status()).isEqualTo(200);
      Ingester.PushResult ooo = push(ing, "t", series("m", "a", NOW, bits(5)),
          series("m", "b", NOW, bits(7)));
      assertThat(ooo.status()).isEqualTo(400);
      assertThat(ooo.message()).startsWith("sample timestamp out of order");
      Ingester.PushResult nv = push(ing, "t", series("m", "a", NOW + 1, bits(3)));
      assertThat(nv.status()).isEqualTo(400);
      assertThat(nv.message()).contains("repeated timestamp but different value");
      assertThat(dump(ing, "t"))
          .hasSize(2)
          .anySatisfy(s -> assertThat(s).startsWith("m{job=\"a\"}").endsWith(
              (NOW) + "=3ff0000000000000 " + (NOW + 1) + "=4000000000000000"))
          .anySatisfy(s -> assertThat(s).startsWith("m{job=\"b\"}"));
      assertThat(dump(ing, "other")).isEmpty();
    }
  }

  @Test
  void select_windowsOverOpenChunkSubChunks_returnExactlyTheSamplesInside(@TempDir Path dir)
      throws Exception {
    // 500 samples = 5 XOR sub-chunks of the open Bigchunk (120 each); windows cross their edges.
    long[] tv = new long[1000];
    for (int i = 0; i < 500; i++) {
      tv[2 * i] = NOW + i * 1000L;
      tv[2 * i + 1] = bits(i * 1.5);
    }
    try (Ingester ing = open(dir, ChunkFlusher.UNAVAILABLE, new AtomicLong(NOW))) {
      push(ing, "t", series("m", "a", tv));
      long[][] windows = {
        {Long.MIN_VALUE, Long.MAX_VALUE},
        {NOW + 130_000, NOW + 130_000},
        {NOW + 119_000, NOW + 121_000},
        {NOW + 250_500, NOW + 370_000},
        {NOW + 239_999, NOW + 240_001},
        {NOW + 499_000, Long.MAX_VALUE},
        {NOW - 5_000, NOW}
      };
      for (long[] w : windows) {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
          if (tv[2 * i] >= w[0] && tv[2 * i] <= w[1]) {
            expected.add(tv[2 * i] + "=" + Long.toHexString(tv[2 * i + 1]));
          }
        }
        List<HeadSeries> got = ing.select("t", List.of(Matcher.eq("job", "a")), w[0], w[1]);
        assertThat(got).hasSize(1);
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < got.get(0).timestamps().length; i++) {
          actual.add(got.get(0).timestamps()[i] + "="
              + Long.toHexString(Double.doubleToRawLongBits(got.get(0).values()[i])));
        }
        assertThat(actual).as("window %d..%d", w[0], w[1]).isEqualTo(expected);
      }
      assertThat(ing.select("t", List.of(Matcher.eq("job", "a")), NOW + 500_000, Long.MAX_VALUE))
          .isEmpty();
    }
  }

  @Test
  void push_fingerprintIsCortexFastFingerprint(@TempDir Path dir) throws Exception {
    try (Ingester ing = open(dir, ChunkFlusher.UNAVAILABLE, new AtomicLong(NOW))) {
      push(ing, "t", series("node_cpu_seconds_total", "node", NOW, bits(1)));
      HeadSeries s =
          ing.select("t", List.of(Matcher.eq("job", "node")), 0, Long.MAX_VALUE).get(0);
      assertThat(s.fingerprint()).isEqualTo(Fingerprint.fast(s.labels()));
    }
  }

  @Test
  void walReplay_restoresHeadExactly_includingStaleMarkers(@TempDir Path dir) throws Exception {
    AtomicLong clock = new AtomicLong(NOW);
    List<String> before;
    try (Ingester ing = open(dir, ChunkFlusher.UNAVAILABLE, clock)) {
      for (int i = 0; i < 300; i++) {
        clock.set(NOW + i * 15_000L);
        push(ing, "t1", series("m", "a", NOW + i * 15_000L, bits(i * 0.5)),
            series("m", "b", NOW + i * 15_000L, i == 299 ? MemSeries.STALE_NAN_BITS : bits(i)));
        push(ing, "t2", series("other", "c", NOW + i * 1000L, bits(-i)));
      }
      before = dump(ing, "t1");
      before.addAll(dump(ing, "t2"));
    }
    try (Ingester ing = open(dir, ChunkFlusher.UNAVAILABLE, clock)) {
      List<String> after = dump(ing, "t1");
      after.addAll(dump(ing, "t2"));
      assertThat(after).isEqualTo(before);
      assertThat(after.get(1)).endsWith("=7ff0000000000002");
    }
  }

  @Test
  void walReplay_afterCheckpoint_restoresHeadAndDropsOldSegments(@TempDir Path dir)
      throws Exception {
    AtomicLong clock = new AtomicLong(NOW);
    List<String> before;
    try (Ingester ing = open(dir, ChunkFlusher.UNAVAILABLE, clock)) {
      for (int i = 0; i < 50; i++) {
        push(ing, "t1", series("m", "a", NOW + i, bits(i)));
      }
      ing.checkpoint();
      for (int i = 50; i < 60; i++) {
        push(ing, "t1", series("m", "a", NOW + i, bits(i)));
      }
      before = dump(ing, "t1");
    }
    try (var files = Files.list(dir.resolve("wal"))) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertThat(names).contains("checkpoint.00000002").doesNotContain("00000001");
    }
    try (Ingester ing = open(dir, ChunkFlusher.UNAVAILABLE, clock)) {
      assertThat(dump(ing, "t1")).isEqualTo(before);
    }
  }

  @Test
  void walReplay_tornOrCorruptTail_truncatedKeepsPrefix(@TempDir Path dir) throws Exception {
    AtomicLong clock = new AtomicLong(NOW);
    try (Ingester ing = open(dir, ChunkFlusher.UNAVAILABLE, clock)) {
      for (int i = 0; i < 10; i++) {
        push(ing, "t", series("m", "a", NOW + i, bits(i)));
      }
    }
    Path seg = dir.resolve("wal/00000001");
    long size = Files.size(seg);
    // Torn write: the last record (24-byte sample + 9-byte header) loses 5 bytes.
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.truncate(size - 5);
    }
    try (Ingester ing = open(dir, ChunkFlusher.UNAVAILABLE, clock)) {
      assertThat(dump(ing, "t")).singleElement().asString().endsWith((NOW + 8) + "=4020000000000000");
      push(ing, "t", series("m", "a", NOW + 9, bits(9)));
    }
    // Corrupt a byte inside the last record of the newest segment: CRC mismatch.
    Path seg2 = dir.resolve("wal/00000002");
    byte[] b = Files.readAllBytes(seg2);
    b[b.length - 3] ^= 0x55;
    Files.write(seg2, b);
    try (Ingester ing = open(dir, ChunkFlusher.UNAVAILABLE, clock)) {
      assertThat(dump(ing, "t")).singleElement().asString().endsWith((NOW + 8) + "=4020000000000000");
    }
    assertThat(Files.size(seg2)).isLessThan(b.length);
  }

  @Test
  void sweep_idleAndSpreadFlush_chunksFlushedRetainedThenDropped(@TempDir Path dir)
      throws Exception {
    AtomicLong clock = new AtomicLong(NOW);
    Recorder rec = new Recorder();
    try (Ingester ing = open(dir, rec, clock)) {
      push(ing, "t", series("m", "a", NOW, bits(1), NOW + 1000, bits(2)));
      ing.sweep(false);
      assertThat(rec.chunks).isEmpty();
      clock.addAndGet(300_001);
      ing.sweep(false);
      await(() -> rec.chunks.size() == 1 && ing.backlog() == 0);
      Recorder.Flushed f = rec.chunks.peek();
      assertThat(f.from()).isEqualTo(NOW);
      assertThat(f.through()).isEqualTo(NOW + 1000);
      assertThat(f.labels()).isEqualTo(Labels.of("__name__", "m", "job", "a"));
      var it = BigChunk.iterator(f.data());
      assertThat(it.next()).isTrue();
      assertThat(it.timestamp()).isEqualTo(NOW);
      // Retained for queries, then dropped with the now-empty series.
      assertThat(ing.activeSeries("t")).isEqualTo(1);
      assertThat(dump(ing, "t")).hasSize(1);
      clock.addAndGet(300_001);
      ing.sweep(false);
      assertThat(ing.activeSeries("t")).isZero();
    }
  }

  @Test
  void append_spreadFlushSlot_cutsChunkAtFingerprintSlot() {
    long age = 12 * 3_600_000L;
    MemSeries m = new MemSeries(1, 0x123456789abcdefL, 0x123456789abcdefL, new byte[0]);
    long slotOffset = Long.remainderUnsigned(m.fp, age * 1_000_000L) / 1_000_000L;
    long cycle = 1_700_000_000_000L - Math.floorMod(1_700_000_000_000L, age);
    long slot = cycle + slotOffset;
    int[] closes = {0};
    assertThat(TenantHead.append(m, slot - 2, bits(1), 0, age, () -> closes[0]++)).isZero();
    assertThat(TenantHead.append(m, slot - 1, bits(1), 0, age, () -> closes[0]++)).isZero();
    assertThat(closes[0]).isZero();
    assertThat(TenantHead.append(m, slot, bits(1), 0, age, () -> closes[0]++)).isZero();
    assertThat(closes[0]).isEqualTo(1);
    assertThat(m.closed.from).isEqualTo(slot - 2);
    assertThat(m.closed.through).isEqualTo(slot - 1);
    assertThat(m.head.firstTimestamp()).isEqualTo(slot);
  }

  @Test
  void flush_storeDown_keepsChunksAndRetries(@TempDir Path dir) throws Exception {
    AtomicLong clock = new AtomicLong(NOW);
    Recorder rec = new Recorder();
    rec.fail = true;
    try (Ingester ing = open(dir, rec, clock)) {
      push(ing, "t", series("m", "a", NOW, bits(1)));
      clock.addAndGet(400_000);
      ing.sweep(false);
      await(() -> !anyQueued(ing));
      assertThat(ing.backlog()).isEqualTo(1);
      rec.fail = false;
      ing.sweep(false);
      await(() -> ing.backlog() == 0);
      assertThat(rec.chunks).hasSize(1);
    }
  }

  private static boolean anyQueued(Ingester ing) {
    TenantHead th = ing.tenant("t");
    synchronized (th) {
      boolean[] q = {false};
      th.all.forEach(m -> q[0] |= m.flushQueued);
      return q[0];
    }
  }

  @Test
  void fpMapper_collisionGetsSyntheticFingerprint() {
    TenantHead th = new TenantHead("t", new TokenBucket(1, 1, 0));
    byte[] k1 = TenantHead.keyOf(Labels.of("__name__", "a"));
    byte[] k2 = TenantHead.keyOf(Labels.of("__name__", "b"));
    long raw = 0x7777_0000_0000_0001L;
    MemSeries a = new MemSeries(1, th.mapFingerprint(raw), raw, k1);
    th.add(a, "a");
    MemSeries b = new MemSeries(2, th.mapFingerprint(raw), raw, k2);
    th.add(b, "b");
    assertThat(a.fp).isEqualTo(raw);
    assertThat(b.fp).isEqualTo(1);
    assertThat(th.find(k1, raw)).isSameAs(a);
    assertThat(th.find(k2, raw)).isSameAs(b);
    assertThat(th.mapFingerprint(5)).isEqualTo(2);
    th.remove(a);
    assertThat(th.find(k2, raw)).isSameAs(b);
    assertThat(th.find(k1, raw)).isNull();
  }

  static void await(java.util.function.BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!cond.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not reached in 20 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
