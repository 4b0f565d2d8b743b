package io.theseus.cli.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TargetRunTest {
  private static Workload.Builder builder() {
    Workload.Builder b = new Workload.Builder();
    b.series = 120;
    b.labels = 4;
    b.batchSize = 50;
    b.connections = 4;
    b.rate = 40_000;
    b.maxRetries = 3;
    b.minBackoffMs = 0;
    b.maxBackoffMs = 0;
    b.targets.add(new Target("t", "discard", null, null, null, null, 0));
    return b;
  }

  @Test
  void intendedOffsets_interleaveShardsAtTheTargetRate() {
    Workload w = builder().build();
    TargetRun run = new TargetRun(w, w.targets().get(0), Sender.discard(), 0, false);
    // a fake clock: count the batches of all shards intended to start before t
    for (double t : new double[] {0.25, 1, 3.5}) {
      long started = 0;
      for (TargetRun.Shard s : run.shards) {
        for (long j = 0; s.intendedOffsetNanos(j) < t * 1e9; j++) {
          started++;
        }
      }
      long want = (long) Math.ceil(40_000 * t / 50);
      assertThat(started).isBetween(want - 1, want + 1);
    }
    for (TargetRun.Shard s : run.shards) {
      for (long j = 1; j < 100; j++) {
        assertThat(s.intendedOffsetNanos(j)).isGreaterThan(s.intendedOffsetNanos(j - 1));
      }
    }
  }

  @Test
  void deliver_retries5xxAnd429ThenAcks_doesNotRetry400() throws Exception {
    Workload.Builder b = builder();
    b.closedLoop = true;
    Workload w = b.build();
    MemoryReceiver rx = new MemoryReceiver();
    // per shard thread: 503, 429, then delivered, for every batch
    ThreadLocal<AtomicInteger> calls = ThreadLocal.withInitial(AtomicInteger::new);
    Sender flaky = (body, len, p) -> {
      int n = calls.get().incrementAndGet();
      if (n % 3 == 1) {
        return new Sender.Response(503, -1, "busy");
      }
      if (n % 3 == 2) {
        return new Sender.Response(429, 0, "slow down"); // Retry-After: 0
      }
      return rx.send(body, len, p);
    };
    TargetRun run = new TargetRun(w, w.targets().get(0), flaky, 1_000_000, true);
    Thread stopper = new Thread(() -> {
      while (run.stats.okRequests.sum() < 20) {
        Thread.onSpinWait();
      }
      run.stop = true;
    });
    stopper.start();
    run.runFor(60_000, true);
    stopper.join();
    long ok = run.stats.okRequests.sum();
    assertThat(run.stats.retries.sum()).isEqualTo(2 * ok);
    assertThat(run.stats.status5xx.sum()).isEqualTo(ok);
    assertThat(run.stats.status4xx.sum()).isEqualTo(ok);
    assertThat(run.stats.failedSamples.sum() + run.stats.rejectedSamples.sum()).isZero();
    Verifier.Result r = new Verifier(run).verify(rx);
    assertThat(r.ok()).isTrue();
    assertThat(r.required).isEqualTo(ok * 50).isEqualTo(r.foundRequired);

    TargetRun rejected = new TargetRun(w, w.targets().get(0),
        (body, len, p) -> new Sender.Response(400, -1, "bad"), 1_000_000, true);
    Thread stop2 = new Thread(() -> {
      while (rejected.stats.requests.sum() < 10) {
        Thread.onSpinWait();
      }
      rejected.stop = true;
    });
    stop2.start();
    rejected.runFor(60_000, true);
    stop2.join();
    assertThat(rejected.stats.retries.sum()).isZero();
    assertThat(rejected.stats.rejectedSamples.sum()).isEqualTo(rejected.stats.requests.sum() * 50);
    assertThat(rejected.stats.firstError.get()).isEqualTo("HTTP 400: bad");
  }
}
