package io.theseus.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Write-ahead log of the head: numbered segment files {@code <dir>/%08d} plus at most one
 * checkpoint {@code <dir>/checkpoint.%08d} holding the state that segments below that number
 * contained.
 *
 * <p>Record layout (all integers big-endian):
 *
 * <pre>
 * offset size  field
 * 0      4     payload length L (bytes after the 9-byte header)
 * 4      4     CRC-32C over the type byte and the payload
 * 8      1     type: 1 = series, 2 = samples
 * 9      L     payload
 *
 * series payload:  u64 ref | u64 fingerprint | u16 tenant length | tenant UTF-8
 *                  | u32 key length | key (name 0xFF value 0xFF ...)
 * samples payload: n x (u64 ref | i64 timestamp ms | u64 value bits)
 * </pre>
 *
 * <p>Durability: {@link #append} writes into the OS page cache and returns the log position after
 * the record; {@link #durable} returns a future completed once a group-commit fsync covers that
 * position. A background thread fsyncs every {@code syncIntervalMs} when there is anything new.
 *
 * <p>Replay reads the checkpoint, then the segments from the checkpoint's number on. A record with
 * a short read, a bad length or a CRC mismatch ends the log: the segment is truncated there (and
 * later segments deleted) with a warning.
 *
 * <p>Segments are opened through a {@link SegmentOpener} ({@link #FILES} in production): the seam
 * where tests put a channel that runs out of space ({@code IOException("No space left on
 * device")} after a partial write) and later gets it back. It is called once per segment, so it
 * costs nothing per record.
 *
 * <p>Threading: {@link #append} and {@link #rotate} are synchronized; the syncer thread takes the
 * same monitor only to swap positions, and fsyncs outside it.
 */
final class Wal implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(Wal.class);

  static final byte SERIES = 1;
  static final byte SAMPLES = 2;
  static final int HEADER = 9;
  static final int MAX_RECORD = 256 * 1024 * 1024;

  private final Path dir;
  private final long segmentBytes;
  private final long syncIntervalMs;
  private final CRC32C crc = new CRC32C();
  private final ByteBuffer header = ByteBuffer.allocate(HEADER);
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private final AtomicLong diskBytes = new AtomicLong();
  private final LongConsumer fsyncNanos;
  private final SegmentOpener opener;
  private final Thread syncer;

  private FileChannel channel;
  private int segment;
  private long segmentSize;
  private long written;
  private volatile long synced;
  private volatile boolean closed;
  private IOException failure;

  private record Waiter(long pos, CompletableFuture<Void> future) {}

  /** A replay callback. */
  interface Replayer {
    void series(long ref, long fp, String tenant, byte[] key);

    void sample(long ref, long t, double v);
  }

  /** Opens segment files for appending (the fault-injection seam). */
  interface SegmentOpener {
    FileChannel open(Path segment) throws IOException;
  }

  /** Plain files. */
  static final SegmentOpener FILES =
      p -> FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);

  private Wal(Path dir, long segmentBytes, long syncIntervalMs, LongConsumer fsyncNanos,
      SegmentOpener opener) {
    this.dir = dir;
    this.opener = opener;
    this.segmentBytes = segmentBytes;
    this.syncIntervalMs = Math.max(1, syncIntervalMs);
    this.fsyncNanos = fsyncNanos;
    this.syncer = new Thread(this::syncLoop, "theseus-wal-sync");
    this.syncer.setDaemon(true);
  }

  /**
   * Opens the log in {@code dir}, replays it into {@code replayer}, and starts a new segment.
   */
  static Wal open(
      Path dir, long segmentBytes, long syncIntervalMs, LongConsumer fsyncNanos, Replayer replayer)
      throws IOException {
    return open(dir, segmentBytes, syncIntervalMs, fsyncNanos, replayer, FILES);
  }

  /** As {@link #open(Path, long, long, LongConsumer, Replayer)}, segments opened by {@code opener}. */
  static Wal open(
      Path dir, long segmentBytes, long syncIntervalMs, LongConsumer fsyncNanos, Replayer replayer,
      SegmentOpener opener) throws IOException {
    Files.createDirectories(dir);
    Wal w = new Wal(dir, segmentBytes, syncIntervalMs, fsyncNanos, opener);
    int last = w.replay(replayer);
    w.openSegment(last + 1);
    w.syncer.start();
    return w;
  }

  // ---- writing ----

  /** Appends one record; returns the log position after it. */
  synchronized long append(byte type, ByteBuffer payload) throws IOException {
    if (failure != null) {
      throw failure;
    }
    if (closed) {
      throw new IOException("WAL is closed");
    }
    int len = payload.remaining();
    crc.reset();
    crc.update(type);
    crc.update(payload.duplicate());
    header.clear();
    header.putInt(len).putInt((int) crc.getValue()).put(type).flip();
    int payloadStart = payload.position();
    try {
      writeFully(channel, header);
      writeFully(channel, payload);
    } catch (IOException e) {
      // A full disk leaves a torn record: cut the segment back to the last whole record so the
      // WAL stays replayable and later appends can succeed once space returns. Only when that
      // fails too is the WAL broken for good.
      try {
        channel.truncate(segmentSize);
        payload.position(payloadStart);
      } catch (IOException t) {
        e.addSuppressed(t);
        failure = e;
      }
      throw e;
    }
    long n = HEADER + len;
    written += n;
    segmentSize += n;
    diskBytes.addAndGet(n);
    if (segmentSize >= segmentBytes) {
      rotateLocked();
    }
    return written;
  }

  /** A future completed when an fsync covers {@code pos} (completed exceptionally on failure). */
  CompletableFuture<Void> durable(long pos) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    synchronized (this) {
      if (synced >= pos) {
        f.complete(null);
        return f;
      }
      waiters.add(new Waiter(pos, f));
      notifyAll();
    }
    return f;
  }

  /** Closes the current segment (after fsync) and starts the next; returns the new number. */
  synchronized int rotate() throws IOException {
    rotateLocked();
    return segment;
  }

  private void rotateLocked() throws IOException {
    channel.force(false);
    synced = written;
    channel.close();
    openSegment(segment + 1);
    completeWaiters();
  }

  private void openSegment(int n) throws IOException {
    segment = n;
    segmentSize = 0;
    channel = opener.open(segmentPath(n));
    segmentSize = channel.size();
    FileChannel d = FileChannel.open(dir, StandardOpenOption.READ);
    try (d) {
      d.force(true);
    } catch (IOException ignored) {
      // Directory fsync is not supported everywhere.
    }
  }

  private void syncLoop() {
    while (!closed) {
      long target;
      FileChannel ch;
      synchronized (this) {
        while (!closed && (written == synced || waiters.isEmpty())) {
          try {
            wait(syncIntervalMs);
          } catch (InterruptedException e) {
            return;
          }
          if (written != synced && !waiters.isEmpty()) {
            break;
          }
        }
        if (closed) {
          break;
        }
        target = written;
        ch = channel;
      }
      long t0 = System.nanoTime();
      try {
        ch.force(false);
      } catch (IOException e) {
        synchronized (this) {
          if (ch != channel) {
            continue; // Rotated meanwhile; rotation fsynced it.
          }
          failure = e;
          for (Waiter w : waiters) {
            w.future.completeExceptionally(e);
          }
          waiters.clear();
        }
        logger.error("WAL fsync failed: {}", e.toString());
        continue;
      }
      fsyncNanos.accept(System.nanoTime() - t0);
      synchronized (this) {
        if (target > synced) {
          synced = target;
        }
        completeWaiters();
      }
      // Group commit: gather requests for up to one interval before the next fsync.
      try {
        Thread.sleep(syncIntervalMs);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void completeWaiters() {
    while (!waiters.isEmpty() && waiters.peek().pos <= synced) {
      waiters.poll().future.complete(null);
    }
  }

  /** The position after the last appended record. */
  synchronized long position() {
    return written;
  }

  long diskBytes() {
    return diskBytes.get();
  }

  synchronized int currentSegment() {
    return segment;
  }

  // ---- checkpoints ----

  /**
   * Writes {@code state} as checkpoint {@code n} (records as in segments), then deletes segments
   * below {@code n} and older checkpoints. {@code n} comes from {@link #rotate()} taken before
   * the state was captured.
   */
  void writeCheckpoint(int n, CheckpointWriter state) throws IOException {
    Path tmp = dir.resolve(String.format("checkpoint.%08d.tmp", n));
    try (FileChannel ch =
        FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      CRC32C c = new CRC32C();
      ByteBuffer h = ByteBuffer.allocate(HEADER);
      state.write(
          (type, payload) -> {
            c.reset();
            c.update(type);
            c.update(payload.duplicate());
            h.clear();
            h.putInt(payload.remaining()).putInt((int) c.getValue()).put(type).flip();
            writeFully(ch, h);
            writeFully(ch, payload);
          });
      ch.force(true);
    }
    Path target = dir.resolve(String.format("checkpoint.%08d", n));
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    long removed = 0;
    for (Path p : list()) {
      String name = p.getFileName().toString();
      boolean old =
          (isSegment(name) && Integer.parseInt(name) < n)
              || (name.startsWith("checkpoint.") && !p.equals(target));
      if (old) {
        removed += Files.size(p);
        Files.deleteIfExists(p);
      }
    }
    diskBytes.addAndGet(-removed);
    diskBytes.addAndGet(Files.size(target));
    logger.info("WAL checkpoint {} written ({} bytes); removed {} bytes of older files", n,
        Files.size(target), removed);
  }

  /** Receives checkpoint records. */
  interface RecordSink {
    void record(byte type, ByteBuffer payload) throws IOException;
  }

  /** Produces checkpoint records. */
  interface CheckpointWriter {
    void write(RecordSink sink) throws IOException;
  }

  // ---- replay ----

  private int replay(Replayer r) throws IOException {
    List<Path> files = list();
    int checkpoint = -1;
    Path cp = null;
    int last = 0;
    for (Path p : files) {
      String name = p.getFileName().toString();
      if (name.startsWith("checkpoint.") && !name.endsWith(".tmp")) {
        int n = Integer.parseInt(name.substring("checkpoint.".length()));
        if (n > checkpoint) {
          checkpoint = n;
          cp = p;
        }
      } else if (name.endsWith(".tmp")) {
        Files.deleteIfExists(p);
      } else if (isSegment(name)) {
        last = Math.max(last, Integer.parseInt(name));
      }
    }
    long total = 0;
    if (cp != null) {
      long good = readRecords(cp, r);
      if (good < Files.size(cp)) {
        logger.warn("WAL checkpoint {} is corrupt after byte {}; using what is readable", cp, good);
      }
      total += Files.size(cp);
    }
    boolean truncated = false;
    for (Path p : list()) {
      String name = p.getFileName().toString();
      if (!isSegment(name) || Integer.parseInt(name) < Math.max(checkpoint, 0)) {
        continue;
      }
      if (truncated) {
        logger.warn("WAL: deleting segment {} after a corrupt one", p);
        Files.delete(p);
        continue;
      }
      long size = Files.size(p);
      long good = readRecords(p, r);
      if (good < size) {
        logger.warn(
            "WAL segment {} has a torn or corrupt tail: truncating {} bytes at offset {}",
            p, size - good, good);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
          ch.truncate(good);
          ch.force(true);
        }
        truncated = true;
      }
      total += good;
    }
    diskBytes.set(total);
    return Math.max(last, checkpoint);
  }

  /** Reads records until the end or the first bad one; returns the offset of the good prefix. */
  static long readRecords(Path p, Replayer r) throws IOException {
    byte[] all = Files.readAllBytes(p);
    ByteBuffer b = ByteBuffer.wrap(all);
    CRC32C c = new CRC32C();
    long good = 0;
    while (b.remaining() >= HEADER) {
      int start = b.position();
      int len = b.getInt();
      int sum = b.getInt();
      byte type = b.get();
      if (len < 0 || len > b.remaining() || (type != SERIES && type != SAMPLES)) {
        break;
      }
      c.reset();
      c.update(type);
      c.update(all, b.position(), len);
      if ((int) c.getValue() != sum) {
        break;
      }
      ByteBuffer payload = b.slice(b.position(), len);
      b.position(b.position() + len);
      if (!decode(type, payload, r)) {
        b.position(start);
        break;
      }
      good = b.position();
    }
    return good;
  }

  private static boolean decode(byte type, ByteBuffer p, Replayer r) {
    try {
      if (type == SERIES) {
        long ref = p.getLong();
        long fp = p.getLong();
        byte[] t = new byte[p.getShort() & 0xffff];
        p.get(t);
        byte[] key = new byte[p.getInt()];
        p.get(key);
        r.series(ref, fp, new String(t, java.nio.charset.StandardCharsets.UTF_8), key);
      } else {
        if (p.remaining() % 24 != 0) {
          return false;
        }
        while (p.hasRemaining()) {
          r.sample(p.getLong(), p.getLong(), Double.longBitsToDouble(p.getLong()));
        }
      }
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private List<Path> list() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> l = new ArrayList<>(s.sorted().toList());
      return l;
    }
  }

  private static boolean isSegment(String name) {
    return name.length() == 8 && name.chars().allMatch(Character::isDigit);
  }

  private Path segmentPath(int n) {
    return dir.resolve(String.format("%08d", n));
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      try {
        channel.force(false);
        synced = written;
        completeWaiters();
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        closed = true;
        for (Waiter w : waiters) {
          w.future.completeExceptionally(new IOException("WAL closed"));
        }
        waiters.clear();
        notifyAll();
      }
    }
    syncer.interrupt();
  }
}
