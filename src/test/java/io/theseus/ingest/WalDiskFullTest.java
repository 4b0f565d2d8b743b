package io.theseus.ingest;

import static io.theseus.ingest.IngesterTest.NOW;
import static io.theseus.ingest.IngesterTest.bits;
import static io.theseus.ingest.IngesterTest.dump;
import static io.theseus.ingest.IngesterTest.opts;
import static io.theseus.ingest.IngesterTest.push;
import static io.theseus.ingest.IngesterTest.series;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.theseus.proto.Types;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WAL disk fills up, without root: WAL segments are opened through a {@link FullDisk} that
 * accepts a byte budget and then, like a full file system, writes what still fits and fails with
 * {@code IOException("No space left on device")}. A client that retries its batch on 503 (as
 * Prometheus does) must get 503s while the disk is full, 200 only for durable samples (a copy of
 * the WAL taken while full replays every acknowledged sample), 200s again once space returns, no
 * torn record anywhere, and a replay that equals the head of a fault-free run of the same batches.
 * The tmpfs variant against a whole server is {@code WalDiskFullFaultTest}.
 */
class WalDiskFullTest {

  /** A segment opener whose channels share one free-space budget. */
  static final class FullDisk implements Wal.SegmentOpener {
    static final long UNLIMITED = Long.MAX_VALUE;
    final AtomicLong free = new AtomicLong(UNLIMITED);
    final AtomicInteger refused = new AtomicInteger();

    @Override
    public FileChannel open(Path segment) throws IOException {
      return new Channel(FileChannel.open(segment, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.APPEND));
    }

    final class Channel extends FileChannel {
      private final FileChannel d;

      Channel(FileChannel d) {
        this.d = d;
      }

      @Override
      public int write(ByteBuffer src) throws IOException {
        long f = free.get();
        if (f == UNLIMITED) {
          return d.write(src);
        }
        if (f <= 0) {
          refused.incrementAndGet();
          throw new IOException("No space left on device");
        }
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + (int) Math.min(f, src.remaining()));
        int n = d.write(part);
        src.position(src.position() + n);
        free.addAndGet(-n);
        return n;
      }

      @Override
      public FileChannel truncate(long size) throws IOException {
        long before = d.size();
        d.truncate(size);
        if (free.get() != UNLIMITED) {
          free.addAndGet(before - d.size());
        }
        return this;
      }

      @Override
      public int read(ByteBuffer dst) throws IOException {
        return d.read(dst);
      }

      @Override
      public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return d.read(dsts, offset, length);
      }

      @Override
      public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
          n += write(srcs[i]);
        }
        return n;
      }

      @Override
      public long position() throws IOException {
        return d.position();
      }

      @Override
      public FileChannel position(long p) throws IOException {
        d.position(p);
        return this;
      }

      @Override
      public long size() throws IOException {
        return d.size();
      }

      @Override
      public void force(boolean metaData) throws IOException {
        d.force(metaData);
      }

      @Override
      public long transferTo(long position, long count, WritableByteChannel target)
          throws IOException {
        return d.transferTo(position, count, target);
      }

      @Override
      public long transferFrom(ReadableByteChannel src, long position, long count)
          throws IOException {
        throw new IOException("not supported by the test channel");
      }

      @Override
      public int read(ByteBuffer dst, long position) throws IOException {
        return d.read(dst, position);
      }

      @Override
      public int write(ByteBuffer src, long position) throws IOException {
        throw new IOException("not supported by the test channel");
      }

      @Override
      public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        throw new IOException("not supported by the test channel");
      }

      @Override
      public FileLock lock(long position, long size, boolean shared) throws IOException {
        return d.lock(position, size, shared);
      }

      @Override
      public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return d.tryLock(position, size, shared);
      }

      @Override
      protected void implCloseChannel() throws IOException {
        d.close();
      }
    }
  }

  /** Batch i: two long-lived series and one new series, all at NOW + i s. */
  static Types.TimeSeries[] batch(int i) {
    long t = NOW + i * 1000L;
    return new Types.TimeSeries[] {
      series("m", "a", t, bits(i)), series("m", "b", t, bits(-i * 0.25)),
      series("n", "job" + i, t, bits(i * 10))
    };
  }

  static Ingester open(Path dir, Wal.SegmentOpener segments) throws IOException {
    return Ingester.open(opts(dir), ChunkFlusher.UNAVAILABLE,
        new IngestMetrics(new PrometheusRegistry()), () -> NOW, segments);
  }

  @Test
  void push_walDiskFull_503sNothingUndurableAckedRecoversWithoutCorruption(@TempDir Path dir)
      throws Exception {
    FullDisk disk = new FullDisk();
    Path faulty = dir.resolve("faulty");
    int batches = 40;
    int acked = 0;
    int refusedPushes = 0;
    int ackedWhenFull;
    List<String> snapshotReplay;
    try (Ingester ing = open(faulty, disk)) {
      for (; acked < 10; acked++) {
        assertThat(push(ing, "t", batch(acked)).status()).isEqualTo(200);
      }
      // The disk fills: a few more batches fit, then every push of the stuck batch gets 503.
      disk.free.set(1_000);
      while (refusedPushes < 5) {
        Ingester.PushResult r = push(ing, "t", batch(acked));
        if (r.status() == 200) {
          assertThat(refusedPushes).as("200 after a 503 while the disk is still full").isZero();
          acked++;
        } else {
          assertThat(r.status()).as(r.message()).isEqualTo(503);
          assertThat(r.message()).contains("WAL");
          refusedPushes++;
        }
        assertThat(acked).as("the 1,000-byte disk never filled").isLessThan(batches);
      }
      assertThat(disk.refused.get()).isPositive();
      ackedWhenFull = acked;
      // A crash now: a copy of the WAL replays every acknowledged sample and nothing torn.
      Path copy = dir.resolve("copy");
      copyWal(faulty.resolve("wal"), copy.resolve("wal"));
      assertThat(tornBytes(copy.resolve("wal"))).isZero();
      try (Ingester replayed = open(copy, Wal.FILES)) {
        snapshotReplay = dump(replayed, "t");
      }
      // Space returns: the stuck batch and the rest are accepted.
      disk.free.set(FullDisk.UNLIMITED);
      for (; acked < batches; acked++) {
        Ingester.PushResult r = push(ing, "t", batch(acked));
        assertThat(r.status()).as(r.message()).isEqualTo(200);
      }
    }
    assertThat(tornBytes(faulty.resolve("wal"))).isZero();
    // Acknowledged ⊆ the WAL copy taken while full ⊆ pushed (the stuck batch may be partly in it).
    assertThat(samples(snapshotReplay))
        .containsAll(samples(reference(dir.resolve("ref-acked"), ackedWhenFull)))
        .isSubsetOf(samples(reference(dir.resolve("ref-pushed"), ackedWhenFull + 1)));
    List<String> expected = reference(dir.resolve("reference"), batches);
    assertThat(expected).hasSize(2 + batches);
    List<String> replay;
    try (Ingester replayed = open(faulty, Wal.FILES)) {
      replay = dump(replayed, "t");
    }
    assertThat(replay).isEqualTo(expected);
    assertThat(ackedWhenFull).isGreaterThanOrEqualTo(10);
  }

  /** "series fp=.. t=v" tokens of a {@link IngesterTest#dump}. */
  static java.util.Set<String> samples(List<String> dump) {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (String line : dump) {
      int fp = line.indexOf(" fp=");
      String[] rest = line.substring(fp + 1).split(" ");
      for (int i = 1; i < rest.length; i++) {
        out.add(line.substring(0, fp) + " " + rest[0] + " " + rest[i]);
      }
    }
    return out;
  }

  /** The head after the same batches without faults. */
  static List<String> reference(Path dir, int batches) throws Exception {
    try (Ingester ing = open(dir, Wal.FILES)) {
      for (int i = 0; i < batches; i++) {
        assertThat(push(ing, "t", batch(i)).status()).isEqualTo(200);
      }
      return dump(ing, "t");
    }
  }

  static void copyWal(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : s.toList()) {
        Files.copy(p, to.resolve(p.getFileName()));
      }
    }
  }

  /** Bytes after the last whole record, over all segments and checkpoints. */
  static long tornBytes(Path walDir) throws IOException {
    long torn = 0;
    try (Stream<Path> s = Files.list(walDir)) {
      for (Path p : s.toList()) {
        long good = Wal.readRecords(p, new Wal.Replayer() {
          @Override
          public void series(long ref, long fp, String tenant, byte[] key) {}

          @Override
          public void sample(long ref, long t, double v) {}
        });
        torn += Files.size(p) - good;
      }
    }
    return torn;
  }
}
