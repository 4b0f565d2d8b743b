package io.theseus.cli.loadtest;

import java.util.BitSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives one target: {@code connections} shard threads, each owning the slots {@code s % C == c}
 * and sending its batches strictly in order (so per-series samples arrive in order, as
 * Prometheus's sharded queue does). Shard c's batch j covers shard-local sample indices
 * [j*B, (j+1)*B) in tick-major order; local index i is tick {@code i / Nc}, slot
 * {@code c + (i % Nc) * C}. Held-back (out-of-order) samples keep their index but are sent later
 * in their own request.
 *
 * <p>Open loop: global batch g = j*C + c is intended to start at {@code profile.timeFor(g*B)};
 * latency is measured from that intended time (coordinated-omission corrected); a batch later
 * than max_lag is dropped. Closed loop: each shard sends back-to-back.
 *
 * <p>Bookkeeping for the verifier: per shard, bitsets of sent and acknowledged (2xx) batches per
 * replica, the count of generated indices, and the keys of acknowledged injected samples. Written
 * only by the shard thread; read by the verifier after {@link #runFor} returns (join), or during
 * the run ({@link DuringVerifier}) only below a shard's volatile {@code resolvedUpTo} and through
 * {@link Shard#snapshot()} copies of the bitsets (taken under the shard's monitor, which the shard
 * thread holds for its once-per-batch bit updates: a BitSet is not safe to read while it grows).
 */
final class TargetRun {
  final Workload w;
  final Target target;
  final SeriesModel model;
  final Stats stats = new Stats();
  final Shard[] shards;
  final RateProfile profile;
  final Set<Long> injectedAcked = ConcurrentHashMap.newKeySet();
  private final Sender sender;
  private final boolean closed;
  volatile long maxTs;
  volatile boolean stop;
  private double activeSeconds;

  TargetRun(Workload w, Target target, Sender sender, long t0, boolean closedLoop) {
    this.w = w;
    this.target = target;
    this.sender = sender;
    this.closed = closedLoop;
    this.model = new SeriesModel(w, t0);
    this.profile = w.profileFor(target);
    this.shards = new Shard[w.connections()];
    SeriesModel.Cursor cursor = model.new Cursor();
    for (int c = 0; c < shards.length; c++) {
      shards[c] = new Shard(c, cursor);
    }
    this.maxTs = t0;
  }

  /**
   * Timestamp origin: aligned to the interval, far enough back that the planned ticks end near now.
   * A closed loop has no plan: it assumes 2 M samples/s, so that a fast receiver never sees
   * timestamps beyond its creation grace period (Cortex: 10 min ahead is "too new").
   */
  static long t0(Workload w, double rate, long nowMs) {
    long span;
    if (w.backfillMs() >= 0) {
      span = w.backfillMs();
    } else {
      double planned = (w.closedLoop() ? 2_000_000 : rate) * (w.durationMs() / 1000.0) / w.series();
      span = (long) (planned * w.intervalMs());
    }
    long t = nowMs - span;
    return t - Math.floorMod(t, w.intervalMs());
  }

  /** Unique key of (slot, tick, replica) for the acknowledged-injection set. */
  long key(int slot, long tick, int replica) {
    return (tick * model.n + slot) * 4 + replica;
  }

  double activeSeconds() {
    return activeSeconds;
  }

  /** Runs all shards for {@code ms} (one round), then returns; can be called again to continue. */
  void runFor(long ms, boolean finalRound) throws InterruptedException {
    long start = System.nanoTime();
    long end = start + ms * 1_000_000L;
    Thread[] threads = new Thread[shards.length];
    for (int c = 0; c < shards.length; c++) {
      Shard s = shards[c];
      threads[c] = new Thread(() -> s.run(start, end, finalRound), "lt-" + target.name() + "-" + c);
      threads[c].setDaemon(true);
      threads[c].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    activeSeconds += (System.nanoTime() - start) / 1e9;
  }

  /** Ticks whose every sample is resolved on every shard (the during-run verification cut). */
  long resolvedTicks() {
    long min = Long.MAX_VALUE;
    for (Shard s : shards) {
      if (s.nc > 0) {
        min = Math.min(min, s.resolvedUpTo / s.nc);
      }
    }
    return min == Long.MAX_VALUE ? 0 : min;
  }

  /** Samples the open-loop schedule wants done by now minus those processed. */
  long pending(double roundElapsedSec) {
    if (closed) {
      return 0;
    }
    long due = 0;
    long processed = 0;
    for (Shard s : shards) {
      processed += s.nextBatch;
    }
    due = (long) Math.ceil(profile.samplesDue(activeSeconds + roundElapsedSec) / w.batchSize());
    return Math.max(0, due - processed) * w.batchSize();
  }

  /** One connection's worth of slots. */
  final class Shard {
    final int c;
    final int nc;
    final BitSet sent = new BitSet();
    final BitSet[] acked;
    long nextBatch;
    long generatedUpTo;
    /** Local indices below this are generated and their batches sent/acked or dropped for good. */
    volatile long resolvedUpTo;
    private final SeriesModel.Cursor cursor;
    private final RequestEncoder encoder = new RequestEncoder(model);
    private final Batch batch = new Batch(w.batchSize());
    private final Batch held = new Batch(64);
    private final Batch inject = new Batch(64);
    private final SplittableRandom random;
    private long cursorIndex;
    private long heldMaxTick = -1;

    Shard(int c, SeriesModel.Cursor cursor) {
      this.c = c;
      this.nc = (w.series() - c + w.connections() - 1) / w.connections();
      this.cursor = cursor;
      this.acked = new BitSet[w.haReplicas()];
      for (int r = 0; r < acked.length; r++) {
        acked[r] = new BitSet();
      }
      this.random = new SplittableRandom(w.seed() * 31 + c);
    }

    /** Copies of {@link #sent} (index 0) and {@link #acked} (1 + replica), for use during the run. */
    synchronized BitSet[] snapshot() {
      BitSet[] out = new BitSet[1 + acked.length];
      out[0] = (BitSet) sent.clone();
      for (int r = 0; r < acked.length; r++) {
        out[1 + r] = (BitSet) acked[r].clone();
      }
      return out;
    }

    long intendedOffsetNanos(long j) {
      double t = profile.timeFor((double) (j * w.connections() + c) * w.batchSize());
      return Double.isInfinite(t) ? Long.MAX_VALUE : (long) (t * 1e9);
    }

    void run(long start, long end, boolean finalRound) {
      java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
      long cpu0 = mx.getCurrentThreadCpuTime();
      try {
        runLoop(start, end, finalRound);
      } finally {
        stats.workerCpuNanos.add(mx.getCurrentThreadCpuTime() - cpu0);
      }
    }

    private void runLoop(long start, long end, boolean finalRound) {
      // first round: the global schedule from 0; later rounds (--compare) resume at the next batch
      long base = closed || nextBatch == 0 ? 0 : intendedOffsetNanos(nextBatch);
      while (!stop) {
        long j = nextBatch;
        long intended;
        if (!closed) {
          long off = intendedOffsetNanos(j);
          if (off == Long.MAX_VALUE) {
            break;
          }
          intended = start + (off - base);
          if (intended >= end) {
            break;
          }
        } else {
          intended = System.nanoTime();
          if (intended >= end) {
            break;
          }
        }
        long g0 = System.nanoTime();
        generate(j);
        stats.encodeNanos.add(System.nanoTime() - g0);
        if (w.stopAtNow() && batch.count > 0 && batch.ts[0] > System.currentTimeMillis()) {
          // A backfill that has caught up with the wall clock: this shard is done.
          break;
        }
        if (!closed) {
          long now;
          while ((now = System.nanoTime()) < intended) {
            LockSupport.parkNanos(intended - now);
          }
          if (now - intended > w.maxLagMs() * 1_000_000L) {
            stats.droppedSamples.add((long) batch.count * w.haReplicas());
            nextBatch++;
            resolvedUpTo = generatedUpTo;
            continue;
          }
        } else {
          intended = System.nanoTime();
        }
        synchronized (this) {
          sent.set((int) j);
        }
        for (int r = 0; r < w.haReplicas(); r++) {
          long e0 = System.nanoTime();
          encoder.encode(batch, r);
          stats.encodeNanos.add(System.nanoTime() - e0);
          if (deliver(batch.count, intended)) {
            synchronized (this) {
              acked[r].set((int) j);
            }
          }
        }
        nextBatch++;
        resolvedUpTo = generatedUpTo;
        if (held.count > 0 && (held.count >= w.batchSize() || cursorTick() > heldMaxTick + 1)) {
          flushHeld();
        }
      }
      if (finalRound && held.count > 0) {
        flushHeld();
      }
    }

    private long cursorTick() {
      return cursorIndex / nc;
    }

    /** Fills {@code batch} with local indices [j*B, (j+1)*B); out-of-order samples go to held. */
    private void generate(long j) {
      batch.clear();
      long from = j * w.batchSize();
      long to = from + w.batchSize();
      long k = from / nc;
      int li = (int) (from % nc);
      for (long i = from; i < to; i++) {
        int s = c + li * w.connections();
        int gen = model.gen(s, k);
        double v = cursor.next(s, k, gen);
        long ts = model.ts(s, k);
        if (model.heldBack(s, k)) {
          held.add(s, gen, k, ts, v);
          heldMaxTick = Math.max(heldMaxTick, k);
        } else {
          batch.add(s, gen, k, ts, v);
          if (model.duplicated(s, k)) {
            held.add(s, gen, k, ts, v);
            heldMaxTick = Math.max(heldMaxTick, k);
          }
          if (ts > maxTs) {
            maxTs = ts;
          }
        }
        if (++li == nc) {
          li = 0;
          k++;
        }
      }
      cursorIndex = to;
      generatedUpTo = to;
    }

    private void flushHeld() {
      inject.clear();
      for (int i = 0; i < held.count; i++) {
        inject.add(held.slot[i], held.gen[i], held.tick[i], held.ts[i], held.value[i]);
      }
      held.clear();
      heldMaxTick = -1;
      for (int r = 0; r < w.haReplicas(); r++) {
        encoder.encode(inject, r);
        if (deliver(inject.count, System.nanoTime())) {
          for (int i = 0; i < inject.count; i++) {
            injectedAcked.add(key(inject.slot[i], inject.tick[i], r));
          }
        }
      }
    }

    /** Sends encoder's body with retries; true when acknowledged with 2xx. */
    private boolean deliver(int samples, long intended) {
      stats.rawBytes.add(encoder.rawBytes);
      for (int attempt = 0; ; attempt++) {
        stats.requests.increment();
        stats.wireBytes.add(encoder.compressedLen);
        Sender.Response resp;
        try {
          resp = sender.send(encoder.compressed, encoder.compressedLen, w.protocol());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stop = true;
          stats.failedSamples.add(samples);
          return false;
        } catch (Exception e) {
          stats.ioErrors.increment();
          stats.error("I/O: " + e);
          resp = null;
        }
        if (resp != null && resp.status() / 100 == 2) {
          stats.recordLatencyNanos(System.nanoTime() - intended);
          stats.okRequests.increment();
          stats.ackedSamples.add(samples);
          return true;
        }
        boolean retryable = resp == null || resp.status() == 429 || resp.status() / 100 == 5;
        if (resp != null) {
          if (resp.status() / 100 == 5) {
            stats.status5xx.increment();
          } else {
            stats.status4xx.increment();
          }
          stats.error("HTTP " + resp.status() + ": " + resp.message());
        }
        if (!retryable) {
          stats.recordLatencyNanos(System.nanoTime() - intended);
          stats.rejectedSamples.add(samples);
          return false;
        }
        if (attempt >= w.maxRetries()) {
          stats.recordLatencyNanos(System.nanoTime() - intended);
          stats.failedSamples.add(samples);
          return false;
        }
        stats.retries.increment();
        long backoff;
        if (resp != null && resp.retryAfterMs() >= 0) {
          backoff = resp.retryAfterMs();
        } else {
          long b = Math.min(w.maxBackoffMs(), w.minBackoffMs() << Math.min(attempt, 20));
          backoff = b / 2 + (long) (random.nextDouble() * (b / 2.0 + 1));
        }
        LockSupport.parkNanos(backoff * 1_000_000L);
      }
    }
  }
}
