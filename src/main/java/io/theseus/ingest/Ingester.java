package io.theseus.ingest;

import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingester: validates decoded remote-write batches, appends them to the per-tenant head and
 * the WAL, flushes closed chunks through a {@link ChunkFlusher} under Cortex's flush policy, and
 * checkpoints the WAL.
 *
 * <p>Request path ({@link #push}): validate every series (distributor checks) → take the tenant's
 * rate-limit tokens for all valid samples and metadata (429 when short) → under the tenant lock,
 * look up or create each series (series limits; a new series is logged as a WAL series record),
 * append samples (out-of-order / new value for timestamp are 400, exact duplicates no-ops), and
 * log the appended samples as one WAL samples record. The caller answers 2xx only after {@link
 * #durable} of the returned position completes.
 *
 * <p>Flush policy (every flush period): a series is flushed when it has an unflushed closed chunk,
 * or its open chunk spans more than the max chunk age, is idle longer than max idle, or ends in a
 * stale marker and is idle longer than the stale idle limit. Flushes run on {@code
 * concurrent_flushes} threads; flushed chunks stay for the retain period; empty series are
 * removed.
 *
 * <p>Threading: {@link #push} runs on any worker thread with its own {@link Scratch}; tenant heads
 * are guarded by their own monitors; lock order is tenant head → WAL.
 */
public final class Ingester implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(Ingester.class);

  private final IngestOptions opts;
  private final ChunkFlusher flusher;
  private final IngestMetrics metrics;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, TenantHead> tenants = new ConcurrentHashMap<>();
  private final AtomicLong nextRef = new AtomicLong(1);
  private final AtomicLong backlog = new AtomicLong();
  private final Runnable onChunkClosed = backlog::incrementAndGet;
  private final AtomicLong failedFlushes = new AtomicLong();
  private final ScheduledExecutorService sweeper;
  private final ExecutorService flushPool;
  private volatile long headBytes;
  private volatile long lastCheckpointMs;
  private final Wal wal;

  private Ingester(IngestOptions opts, ChunkFlusher flusher, IngestMetrics metrics, LongSupplier clock,
      Wal.SegmentOpener segments) throws IOException {
    this.opts = opts;
    this.flusher = flusher;
    this.metrics = metrics;
    this.clock = clock;
    Map<Long, MemSeries> refs = new HashMap<>();
    long now = clock.getAsLong();
    long t0 = System.nanoTime();
    this.wal =
        Wal.open(
            opts.walDir(), opts.walSegmentBytes(), opts.walSyncIntervalMs(),
            ns -> metrics.fsyncLatency.observe(ns / 1e9),
            new Wal.Replayer() {
              @Override
              public void series(long ref, long fp, String tenant, byte[] key) {
                nextRef.accumulateAndGet(ref + 1, Math::max);
                if (refs.containsKey(ref)) {
                  return;
                }
                TenantHead th = tenant(tenant);
                long raw = TenantHead.fingerprint(key);
                MemSeries m = th.find(key, raw);
                if (m == null) {
                  m = new MemSeries(ref, fp, raw, key);
                  th.add(m, MemSeries.metricNameOf(key));
                }
                refs.put(ref, m);
              }

              @Override
              public void sample(long ref, long t, double v) {
                MemSeries m = refs.get(ref);
                if (m != null) {
                  TenantHead.append(m, t, Double.doubleToRawLongBits(v), now,
                      opts.maxChunkAgeMs(), backlog::incrementAndGet);
                }
              }
            },
            segments);
    long samples = 0;
    for (TenantHead th : tenants.values()) {
      metrics.activeSeries.labelValues(th.tenant).set(th.seriesCount());
    }
    if (!refs.isEmpty()) {
      logger.info("WAL replay restored {} series of {} tenants in {} ms", refs.size(),
          tenants.size(), (System.nanoTime() - t0) / 1_000_000);
    }
    recomputeHeadBytes();
    lastCheckpointMs = now;
    this.flushPool =
        Executors.newFixedThreadPool(opts.concurrentFlushes(), r -> daemon(r, "theseus-flush"));
    this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "theseus-flush-sweep"));
    sweeper.scheduleWithFixedDelay(this::sweepSafely, opts.flushPeriodMs(), opts.flushPeriodMs(),
        TimeUnit.MILLISECONDS);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Opens the WAL, replays it into a fresh head and starts the flush loop. */
  public static Ingester open(IngestOptions opts, ChunkFlusher flusher, IngestMetrics metrics)
      throws IOException {
    return new Ingester(opts, flusher, metrics, System::currentTimeMillis, Wal.FILES);
  }

  static Ingester open(IngestOptions opts, ChunkFlusher flusher, IngestMetrics metrics,
      LongSupplier clock) throws IOException {
    return new Ingester(opts, flusher, metrics, clock, Wal.FILES);
  }

  /** With WAL segments opened by {@code segments} (tests inject disk faults there). */
  static Ingester open(IngestOptions opts, ChunkFlusher flusher, IngestMetrics metrics,
      LongSupplier clock, Wal.SegmentOpener segments) throws IOException {
    return new Ingester(opts, flusher, metrics, clock, segments);
  }

  public IngestOptions options() {
    return opts;
  }

  TenantHead tenant(String id) {
    return tenants.computeIfAbsent(
        id,
        t -> {
          Limits l = opts.limits().forTenant(t);
          return new TenantHead(t, new TokenBucket(l.ingestionRate(), l.ingestionBurstSize(),
              System.nanoTime()));
        });
  }

  /** Per-thread reusable state for {@link #push}. */
  static final class Scratch {
    final RemoteWriteDecoder decoder = new RemoteWriteDecoder();
    final SnappyBlock snappy = new SnappyBlock();
    final WriteBatch batch = new WriteBatch();
    final Validator validator = new Validator();
    boolean[] valid = new boolean[64];
    ByteBuffer walSamples = ByteBuffer.allocate(24 * 2048);
    ByteBuffer walSeries = ByteBuffer.allocate(1024);
  }

  /** Outcome of one push. {@code walPos} is 0 when nothing was logged. */
  record PushResult(
      int status, String message, long walPos, long samplesWritten, long exemplarsWritten,
      long histogramsWritten) {}

  /** Why new writes are refused right now, or null. */
  String backpressure() {
    if (backlog.get() > opts.maxFlushBacklog()) {
      return "flush backlog of " + backlog.get() + " chunks exceeds " + opts.maxFlushBacklog();
    }
    if (headBytes > opts.maxHeadBytes()) {
      return "head memory of " + headBytes + " bytes exceeds " + opts.maxHeadBytes();
    }
    if (wal.diskBytes() > opts.walMaxBytes()) {
      return "WAL size of " + wal.diskBytes() + " bytes exceeds " + opts.walMaxBytes();
    }
    return null;
  }

  /**
   * Samples records whose samples went into the head but not into the WAL (append failed, e.g.
   * disk full). Until they are logged every push answers 503, so a retried (duplicate) sample is
   * never acknowledged before it is durable; they are logged first, in order, once space returns.
   * Guarded by itself; taken inside a tenant's lock.
   */
  private final java.util.ArrayDeque<byte[]> unlogged = new java.util.ArrayDeque<>();

  /** Keeps the samples of {@code wb}: [0, position) in write mode, else [position, limit). */
  private void stashUnlogged(ByteBuffer wb, boolean writeMode) {
    if (writeMode) {
      wb.flip();
    }
    if (!wb.hasRemaining()) {
      return;
    }
    byte[] r = new byte[wb.remaining()];
    wb.get(r);
    synchronized (unlogged) {
      unlogged.add(r);
    }
  }

  /** Logs the stashed records; false while the WAL still refuses them. */
  private boolean logUnlogged() {
    synchronized (unlogged) {
      while (!unlogged.isEmpty()) {
        try {
          wal.append(Wal.SAMPLES, ByteBuffer.wrap(unlogged.peek()));
        } catch (IOException e) {
          return false;
        }
        unlogged.poll();
      }
      return true;
    }
  }

  /** Validates and appends a decoded batch of {@code tenant}. */
  PushResult push(String tenant, Scratch w) {
    WriteBatch b = w.batch;
    var tenantReceived = metrics.received.labelValues(tenant);
    tenantReceived.inc(b.samples);
    if (b.totalExemplars > 0) {
      metrics.exemplars.labelValues(tenant).inc(b.totalExemplars);
    }
    String pressure = backpressure();
    if (pressure != null) {
      metrics.rejected.labelValues(Reason.BACKPRESSURE.label, tenant).inc(b.samples);
      return new PushResult(503, "ingester is overloaded: " + pressure, 0, 0, 0, 0);
    }
    Limits limits = opts.limits().forTenant(tenant);
    long now = clock.getAsLong();
    if (w.valid.length < b.series) {
      w.valid = new boolean[b.series * 2];
    }
    String firstError = null;
    int firstStatus = 0;
    long validSamples = 0;
    for (int s = 0; s < b.series; s++) {
      Reason r = w.validator.validate(b, s, limits, now);
      w.valid[s] = r == null;
      if (r != null) {
        long n = Math.max(1, b.sampleEnd[s] - b.sampleStart[s] + b.histograms[s]);
        metrics.rejected.labelValues(r.label, tenant).inc(n);
        if (firstError == null) {
          firstError = w.validator.message();
          firstStatus = r.status;
        }
      } else {
        validSamples += b.sampleEnd[s] - b.sampleStart[s];
      }
    }
    int validMetadata = 0;
    for (int i = 0; i < b.metadata; i++) {
      String err = metadataError(b, i, limits);
      if (err != null) {
        b.metaType[i] = -1;
        if (firstError == null) {
          firstError = err;
          firstStatus = 400;
        }
      } else {
        validMetadata++;
      }
    }
    TenantHead th = tenant(tenant);
    th.bucket.setLimits(limits.ingestionRate(), limits.ingestionBurstSize());
    if (validSamples + validMetadata > 0
        && !th.bucket.tryTake(validSamples + validMetadata, System.nanoTime())) {
      metrics.rejected.labelValues(Reason.RATE_LIMITED.label, tenant).inc(validSamples);
      return new PushResult(
          429,
          "ingestion rate limit (" + fmt(limits.ingestionRate()) + ") exceeded while adding "
              + validSamples + " samples and " + validMetadata + " metadata",
          0, 0, 0, 0);
    }
    long appended = 0;
    long written = 0;
    long exemplarsWritten = 0;
    long pos = 0;
    int ooo = 0;
    int newValue = 0;
    int seriesLimited = 0;
    int metricLimited = 0;
    ByteBuffer wb = w.walSamples;
    wb.clear();
    synchronized (th) {
      if (!logUnlogged()) {
        return new PushResult(
            503, "cannot write the WAL (disk full?): earlier samples still wait to be logged",
            0, 0, 0, 0);
      }
      for (int s = 0; s < b.series; s++) {
        if (!w.valid[s]) {
          continue;
        }
        long raw = TenantHead.fingerprint(b, s);
        MemSeries m = th.find(b, s, raw);
        if (m == null) {
          if (b.sampleEnd[s] == b.sampleStart[s]) {
            continue;
          }
          String err = seriesLimitError(th, b, s, limits);
          if (err != null) {
            boolean perUser = err.startsWith("per-user");
            if (perUser) {
              seriesLimited += b.sampleEnd[s] - b.sampleStart[s];
            } else {
              metricLimited += b.sampleEnd[s] - b.sampleStart[s];
            }
            if (firstError == null) {
              firstError = err;
              firstStatus = 400;
            }
            continue;
          }
          m = createSeries(th, tenant, b, s, raw, w);
          if (m == null) {
            stashUnlogged(wb, true);
            return new PushResult(503, "cannot write the WAL (disk full?)", 0, 0, 0, 0);
          }
        }
        for (int i = b.sampleStart[s]; i < b.sampleEnd[s]; i++) {
          long t = b.ts[i];
          long bits = Double.doubleToRawLongBits(b.val[i]);
          long lastT = m.lastT;
          int r = TenantHead.append(m, t, bits, now, opts.maxChunkAgeMs(), onChunkClosed);
          if (r == TenantHead.APPENDED) {
            if (wb.remaining() < 24) {
              wb = grow(w, wb);
            }
            wb.putLong(m.ref).putLong(t).putLong(bits);
            appended++;
            written++;
          } else if (r == TenantHead.DUPLICATE) {
            written++;
          } else {
            if (r == TenantHead.OUT_OF_ORDER) {
              ooo++;
            } else {
              newValue++;
            }
            if (firstError == null) {
              firstError =
                  (r == TenantHead.OUT_OF_ORDER
                          ? "sample timestamp out of order"
                          : "sample with repeated timestamp but different value")
                      + "; last timestamp: " + lastT + ", incoming timestamp: " + t
                      + " for series " + m.labels();
              firstStatus = 400;
            }
          }
        }
        exemplarsWritten += b.exemplars[s];
      }
      if (wb.position() > 0) {
        wb.flip();
        try {
          pos = wal.append(Wal.SAMPLES, wb);
        } catch (IOException e) {
          logger.error("WAL append failed: {}", e.toString());
          stashUnlogged(wb, false); // Wal.append restored [position, limit) to the whole record

          return new PushResult(503, "cannot write the WAL: " + e.getMessage(), 0, 0, 0, 0);
        }
      }
      if (pos == 0 && written > 0) {
        // All duplicates: still wait for the fsync of whatever logged them first.
        pos = wal.position();
      }
    }
    for (int i = 0; i < b.metadata; i++) {
      if (b.metaType[i] >= 0) {
        th.metadata.put(b.string(b.metaNameOff[i], b.metaNameLen[i]),
            new MetricMetadata(typeName(b.metaType[i]),
                b.string(b.metaHelpOff[i], b.metaHelpLen[i]),
                b.string(b.metaUnitOff[i], b.metaUnitLen[i])));
      }
    }
    if (b.v2) {
      for (int s = 0; s < b.series; s++) {
        int type = b.seriesMetaType[s];
        int name = w.valid[s] ? b.metricNameLabel(s) : -1;
        if (type >= 0 && name >= 0) {
          th.metadata.put(b.value(name),
              new MetricMetadata(typeName(type),
                  b.string(b.symOff[b.seriesMetaHelp[s]], b.symLen[b.seriesMetaHelp[s]]),
                  b.string(b.symOff[b.seriesMetaUnit[s]], b.symLen[b.seriesMetaUnit[s]])));
        }
      }
    }
    if (validMetadata > 0) {
      metrics.metadata.labelValues(tenant).inc(validMetadata);
    }
    if (appended > 0) {
      metrics.accepted.labelValues(tenant).inc(appended);
    }
    if (ooo > 0) {
      metrics.rejected.labelValues(Reason.OUT_OF_ORDER.label, tenant).inc(ooo);
    }
    if (newValue > 0) {
      metrics.rejected.labelValues(Reason.NEW_VALUE_FOR_TIMESTAMP.label, tenant).inc(newValue);
    }
    if (seriesLimited > 0) {
      metrics.rejected.labelValues(Reason.PER_USER_SERIES_LIMIT.label, tenant).inc(seriesLimited);
    }
    if (metricLimited > 0) {
      metrics.rejected.labelValues(Reason.PER_METRIC_SERIES_LIMIT.label, tenant).inc(metricLimited);
    }
    int status = firstError == null ? 200 : firstStatus;
    return new PushResult(status, firstError, pos, written, exemplarsWritten, 0);
  }

  private static ByteBuffer grow(Scratch w, ByteBuffer wb) {
    ByteBuffer n = ByteBuffer.allocate(wb.capacity() * 2);
    wb.flip();
    n.put(wb);
    w.walSamples = n;
    return n;
  }

  private MemSeries createSeries(TenantHead th, String tenant, WriteBatch b, int s, long raw,
      Scratch w) {
    byte[] key = TenantHead.keyOf(b, s);
    long fp = th.mapFingerprint(raw);
    MemSeries m = new MemSeries(nextRef.getAndIncrement(), fp, raw, key);
    byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
    int need = 8 + 8 + 2 + t.length + 4 + key.length;
    ByteBuffer sb = w.walSeries.capacity() >= need ? w.walSeries : ByteBuffer.allocate(need * 2);
    w.walSeries = sb;
    sb.clear();
    sb.putLong(m.ref).putLong(fp).putShort((short) t.length).put(t).putInt(key.length).put(key);
    sb.flip();
    try {
      wal.append(Wal.SERIES, sb);
    } catch (IOException e) {
      logger.error("WAL append failed: {}", e.toString());
      return null;
    }
    int nameLabel = b.metricNameLabel(s);
    th.add(m, nameLabel < 0 ? "" : b.value(nameLabel));
    headBytes += m.approxBytes() + 200;
    metrics.activeSeries.labelValues(tenant).set(th.seriesCount());
    return m;
  }

  private static String seriesLimitError(TenantHead th, WriteBatch b, int s, Limits limits) {
    if (limits.maxSeriesPerUser() > 0 && th.seriesCount() >= limits.maxSeriesPerUser()) {
      return "per-user series limit of " + limits.maxSeriesPerUser()
          + " exceeded, please contact administrator to raise it (local limit: "
          + limits.maxSeriesPerUser() + " global limit: 0 actual local limit: "
          + limits.maxSeriesPerUser() + ") for series " + b.seriesString(s);
    }
    if (limits.maxSeriesPerMetric() > 0) {
      int nl = b.metricNameLabel(s);
      String metric = nl < 0 ? "" : b.value(nl);
      if (th.metricSeries(metric) >= limits.maxSeriesPerMetric()) {
        return "per-metric series limit of " + limits.maxSeriesPerMetric()
            + " exceeded, please contact administrator to raise it (local limit: "
            + limits.maxSeriesPerMetric() + " global limit: 0 actual local limit: "
            + limits.maxSeriesPerMetric() + ") for series " + b.seriesString(s);
      }
    }
    return null;
  }

  private static String metadataError(WriteBatch b, int i, Limits limits) {
    if (b.metaNameLen[i] == 0) {
      return "metadata missing metric name";
    }
    int max = limits.maxMetadataLength();
    if (b.metaNameLen[i] > max) {
      return "metadata 'METRIC' value too long: "
          + io.theseus.model.GoQuote.quote(b.string(b.metaNameOff[i], b.metaNameLen[i]));
    }
    if (b.metaHelpLen[i] > max) {
      return "metadata 'HELP' value too long for metric "
          + io.theseus.model.GoQuote.quote(b.string(b.metaNameOff[i], b.metaNameLen[i]));
    }
    if (b.metaUnitLen[i] > max) {
      return "metadata 'UNIT' value too long for metric "
          + io.theseus.model.GoQuote.quote(b.string(b.metaNameOff[i], b.metaNameLen[i]));
    }
    return null;
  }

  private static final String[] TYPES = {
    "unknown", "counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset"
  };

  static String typeName(int t) {
    return t >= 0 && t < TYPES.length ? TYPES[t] : "unknown";
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  /** Completes when the WAL is fsynced up to {@code pos}. */
  CompletableFuture<Void> durable(long pos) {
    return wal.durable(pos);
  }

  // ---- queries ----

  /** Head series of {@code tenant} matching all matchers, with samples in [from, through]. */
  public List<HeadSeries> select(
      String tenant, List<Matcher> matchers, long from, long through) {
    TenantHead th = tenants.get(tenant);
    if (th == null) {
      return List.of();
    }
    synchronized (th) {
      return th.select(matchers, from, through);
    }
  }

  /** Metadata of {@code tenant} by metric name: type, help, unit. */
  public Map<String, MetricMetadata> metadata(String tenant) {
    TenantHead th = tenants.get(tenant);
    return th == null ? Map.of() : Map.copyOf(th.metadata);
  }

  public long activeSeries(String tenant) {
    TenantHead th = tenants.get(tenant);
    return th == null ? 0 : th.seriesCount();
  }

  long backlog() {
    return backlog.get();
  }

  long headBytes() {
    return headBytes;
  }

  // ---- flushing ----

  private void sweepSafely() {
    try {
      sweep(false);
      maybeCheckpoint();
    } catch (RuntimeException | IOException e) {
      logger.error("flush sweep failed", e);
    }
  }

  /** One pass of the flush policy over all series; {@code immediate} flushes everything. */
  void sweep(boolean immediate) {
    long now = clock.getAsLong();
    long failed = failedFlushes.getAndSet(0);
    if (failed > 1) {
      logger.warn("{} chunk flushes failed since the last sweep; {} chunks wait in the head",
          failed, backlog.get());
    }
    if (!flusher.available()) {
      // No store: nothing can be flushed, keep everything in the head and WAL.
      recomputeHeadBytes();
      metrics.flushQueue.set(backlog.get());
      return;
    }
    for (TenantHead th : tenants.values()) {
      List<MemSeries> queue = new ArrayList<>();
      synchronized (th) {
        List<MemSeries> all = new ArrayList<>(th.seriesCount());
        th.all.forEach(all::add);
        for (MemSeries m : all) {
          if (!m.flushQueued && shouldFlush(m, now, immediate)) {
            m.flushQueued = true;
            queue.add(m);
          }
          m.dropRetained(now, opts.retainPeriodMs());
          if (m.empty() && !m.flushQueued) {
            th.remove(m);
          }
        }
        metrics.activeSeries.labelValues(th.tenant).set(th.seriesCount());
      }
      for (MemSeries m : queue) {
        flushPool.execute(() -> flushSeries(th, m));
      }
    }
    recomputeHeadBytes();
    metrics.flushQueue.set(backlog.get());
  }

  private boolean shouldFlush(MemSeries m, long now, boolean immediate) {
    for (MemSeries.Closed c = m.closed; c != null; c = c.next) {
      if (!c.flushed) {
        return true;
      }
    }
    if (m.head == null || m.head.numSamples() == 0) {
      return false;
    }
    boolean headDue =
        immediate
            || m.head.lastTimestamp() - m.head.firstTimestamp() > opts.maxChunkAgeMs()
            || now - m.headLastUpdateMs > opts.maxChunkIdleMs()
            || (m.lastIsStale() && now - m.headLastUpdateMs > opts.maxStaleChunkIdleMs());
    if (headDue) {
      m.closeHead();
      backlog.incrementAndGet();
    }
    return headDue;
  }

  private void flushSeries(TenantHead th, MemSeries m) {
    List<MemSeries.Closed> todo = new ArrayList<>();
    Labels labels;
    synchronized (th) {
      for (MemSeries.Closed c = m.closed; c != null; c = c.next) {
        if (!c.flushed) {
          todo.add(c);
        }
      }
      labels = m.labels();
    }
    try {
      for (MemSeries.Closed c : todo) {
        long t0 = System.nanoTime();
        try {
          flusher.flush(th.tenant, m.fp, labels, c.from, c.through, c.data)
              .toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
          metrics.flushFailures.inc();
          if (failedFlushes.getAndIncrement() == 0) {
            logger.warn("flush of {} chunk {}-{} failed (will retry; further failures are"
                + " summarised per sweep): {}", labels, c.from, c.through, e.toString());
          }
          return;
        }
        c.flushed = true;
        backlog.decrementAndGet();
        metrics.chunksFlushed.inc();
        metrics.bytesFlushed.inc(c.data.length);
        metrics.flushLatency.observe((System.nanoTime() - t0) / 1e9);
      }
    } finally {
      synchronized (th) {
        m.flushQueued = false;
      }
      metrics.flushQueue.set(backlog.get());
    }
  }

  private void recomputeHeadBytes() {
    long n = 0;
    for (TenantHead th : tenants.values()) {
      long[] acc = {0};
      synchronized (th) {
        th.all.forEach(m -> acc[0] += m.approxBytes());
      }
      n += acc[0] + 64L * th.seriesCount();
    }
    headBytes = n;
  }

  /** Closes every head chunk and flushes all of them, waiting up to {@code timeoutMs}. */
  public boolean flushAll(long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    if (!flusher.available()) {
      return backlog.get() == 0 && !anyOpenHead();
    }
    sweep(true);
    int failedRounds = 0;
    while ((backlog.get() > 0 || anyOpenHead())
        && System.currentTimeMillis() < deadline
        && failedRounds < 3) {
      Thread.sleep(50);
      if (anyIdleUnflushed()) {
        failedRounds++;
        sweep(true);
      } else if (backlog.get() == 0) {
        // A series whose older chunks were being flushed during the sweep kept its head open
        // (sweep skips queued series): close and flush those heads too.
        sweep(true);
      }
    }
    return backlog.get() == 0 && !anyOpenHead();
  }

  private boolean anyOpenHead() {
    for (TenantHead th : tenants.values()) {
      synchronized (th) {
        boolean[] found = {false};
        th.all.forEach(m -> found[0] |= m.head != null && m.head.numSamples() > 0);
        if (found[0]) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean anyIdleUnflushed() {
    for (TenantHead th : tenants.values()) {
      synchronized (th) {
        boolean[] found = {false};
        th.all.forEach(
            m -> {
              if (!m.flushQueued) {
                for (MemSeries.Closed c = m.closed; c != null; c = c.next) {
                  found[0] |= !c.flushed;
                }
              }
            });
        if (found[0]) {
          return true;
        }
      }
    }
    return false;
  }

  // ---- checkpoints ----

  private void maybeCheckpoint() throws IOException {
    long now = clock.getAsLong();
    if (now - lastCheckpointMs >= opts.checkpointIntervalMs()
        || wal.diskBytes() > opts.walMaxBytes() / 2) {
      checkpoint();
    }
  }

  /** Writes a checkpoint of the unflushed head and drops the WAL segments it replaces. */
  void checkpoint() throws IOException {
    lastCheckpointMs = clock.getAsLong();
    int n = wal.rotate();
    wal.writeCheckpoint(
        n,
        sink -> {
          for (TenantHead th : tenants.values()) {
            synchronized (th) {
              th.checkpoint(sink);
            }
          }
        });
  }

  /** Flushes what the store accepts (bounded wait), then closes the WAL. */
  @Override
  public void close() {
    sweeper.shutdownNow();
    try {
      if (!flusher.available()) {
        logger.info("shutdown without a chunk store: the head stays in the WAL for the next start");
      } else if (!flushAll(30_000)) {
        logger.warn("shutdown: {} chunks not flushed; they stay in the WAL", backlog.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flushPool.shutdownNow();
    wal.close();
  }
}
