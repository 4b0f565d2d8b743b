package io.theseus.cli.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerifierTest {
  private static Workload workload(Workload.Protocol p, double ooo, double dup, int replicas, double churn) {
    Workload.Builder b = new Workload.Builder();
    b.seed = 11;
    b.protocol = p;
    b.series = 200;
    b.labels = 6;
    b.familySize = 25;
    b.batchSize = 150;
    b.connections = 3;
    b.closedLoop = true;
    b.durationMs = 60_000;
    b.outOfOrderPercent = ooo;
    b.duplicatePercent = dup;
    b.haReplicas = replicas;
    b.churnPercent = churn;
    b.jitterMs = 1000;
    b.targets.add(new Target("mem", "discard", null, null, null, null, 0));
    return b.build();
  }

  /** Runs about 40 batches per shard into the receiver (closed loop, stopped by batch count). */
  private static TargetRun write(Workload w, MemoryReceiver rx) throws InterruptedException {
    TargetRun run = new TargetRun(w, w.targets().get(0), rx, 1_700_000_000_000L, true);
    runLimited(run, rx);
    return run;
  }

  private static void runLimited(TargetRun run, MemoryReceiver rx) throws InterruptedException {
    Thread stopper = new Thread(() -> {
      while (run.stats.requests.sum() < 150 && !run.stop) {
        Thread.onSpinWait();
      }
      run.stop = true;
    });
    stopper.start();
    run.runFor(60_000, true);
    stopper.join();
  }

  @Test
  void verify_allStored_ok_rw1AndRw2WithChurnOooDupsAndHa() throws Exception {
    for (Workload.Protocol p : Workload.Protocol.values()) {
      MemoryReceiver rx = new MemoryReceiver();
      Workload w = workload(p, 1, 1, 2, 2);
      TargetRun run = write(w, rx);
      Verifier.Result r = new Verifier(run).verify(rx);
      assertThat(r.errors).isEmpty();
      assertThat(r.mismatches).isEmpty();
      assertThat(r.ok()).isTrue();
      assertThat(r.required).isGreaterThan(1000).isEqualTo(r.foundRequired);
      // out-of-order requests were rejected by the receiver: those samples are optional and absent
      assertThat(r.optional).isPositive();
      assertThat(run.stats.rejectedSamples.sum()).isPositive();
      assertThat(rx.sampleCount()).isEqualTo(r.foundRequired + r.foundOptional);
    }
  }

  @Test
  void verify_catchesDroppedAlteredAndDuplicatedSamples() throws Exception {
    MemoryReceiver rx = new MemoryReceiver();
    TargetRun run = write(workload(Workload.Protocol.RW1, 0, 0, 1, 0), rx);
    assertThat(new Verifier(run).verify(rx).ok()).isTrue();

    Map<String, Integer> calls = new HashMap<>();
    // drop the 3rd sample of the first series of every family
    Verifier.Result dropped = new Verifier(run).verify(rx.tampered(list -> {
      ReadBack.Series s = list.get(0);
      long[] ts = new long[s.ts().length - 1];
      double[] v = new double[ts.length];
      for (int i = 0, j = 0; i < s.ts().length; i++) {
        if (i != 2) {
          ts[j] = s.ts()[i];
          v[j++] = s.values()[i];
        }
      }
      list.set(0, new ReadBack.Series(s.labels(), ts, v));
      calls.merge("drop", 1, Integer::sum);
      return list;
    }));
    assertThat(dropped.ok()).isFalse();
    assertThat(dropped.missing).isEqualTo((long) calls.get("drop"));
    assertThat(dropped.mismatches.get(0).kind()).isEqualTo("missing");
    assertThat(dropped.altered + dropped.duplicated + dropped.unexpected).isZero();

    Verifier.Result altered = new Verifier(run).verify(rx.tampered(list -> {
      ReadBack.Series s = list.get(0);
      double[] v = s.values().clone();
      v[1] = Math.nextUp(v[1]);
      list.set(0, new ReadBack.Series(s.labels(), s.ts(), v));
      return list;
    }));
    assertThat(altered.altered).isEqualTo((long) calls.get("drop"));
    assertThat(altered.missing).isZero();
    assertThat(altered.mismatches.get(0).kind()).isEqualTo("altered");

    Verifier.Result duplicated = new Verifier(run).verify(rx.tampered(list -> {
      ReadBack.Series s = list.get(0);
      List<Long> ts = new ArrayList<>();
      List<Double> v = new ArrayList<>();
      for (int i = 0; i < s.ts().length; i++) {
        ts.add(s.ts()[i]);
        v.add(s.values()[i]);
        if (i == 0) {
          ts.add(s.ts()[i]);
          v.add(s.values()[i]);
        }
      }
      list.set(0, new ReadBack.Series(s.labels(), ts.stream().mapToLong(x -> x).toArray(),
          v.stream().mapToDouble(x -> x).toArray()));
      return list;
    }));
    assertThat(duplicated.duplicated).isEqualTo((long) calls.get("drop"));
    assertThat(duplicated.missing + duplicated.altered).isZero();
    assertThat(duplicated.ok()).isFalse();

    Verifier.Result foreign = new Verifier(run).verify(rx.tampered(list -> {
      ReadBack.Series s = list.get(0);
      Map<String, String> l = new HashMap<>(s.labels());
      l.put("lt_series", "999999-0");
      list.add(new ReadBack.Series(l, new long[] {1}, new double[] {1}));
      return list;
    }));
    assertThat(foreign.unexpected).isEqualTo((long) calls.get("drop"));
  }

  @Test
  void readWindows_splitsLargeFamiliesAndConcatenatesInOrder() throws Exception {
    MemoryReceiver rx = new MemoryReceiver();
    TargetRun run = write(workload(Workload.Protocol.RW1, 0, 0, 1, 0), rx);
    String fam = run.model.familyName(0);
    List<ReadBack.Series> whole = rx.read(fam, Long.MIN_VALUE, Long.MAX_VALUE);
    long min = whole.stream().mapToLong(x -> x.ts()[0]).min().orElseThrow();
    long max = whole.stream().mapToLong(x -> x.ts()[x.ts().length - 1]).max().orElseThrow();
    List<ReadBack.Series> split = Verifier.readWindows(rx, fam, min, max, 7 * Verifier.SAMPLES_PER_READ);
    assertThat(split).hasSameSizeAs(whole);
    for (ReadBack.Series w : whole) {
      ReadBack.Series s = split.stream().filter(x -> x.labels().equals(w.labels())).findFirst().orElseThrow();
      assertThat(s.ts()).containsExactly(w.ts());
      assertThat(s.values()).containsExactly(w.values());
    }
  }

  @Test
  void sameValue_nanByRawBitsOnlyWhenTheReadPathKeepsThem() {
    double stale = Double.longBitsToDouble(0x7ff0000000000002L);
    assertThat(Verifier.sameValue(stale, Double.NaN, false)).isTrue();
    assertThat(Verifier.sameValue(stale, Double.NaN, true)).isFalse();
    assertThat(Verifier.sameValue(stale, stale, true)).isTrue();
    assertThat(Verifier.sameValue(0.0, -0.0, false)).isFalse();
    assertThat(Verifier.sameValue(1.5, 1.5, false)).isTrue();
    assertThat(Verifier.sameValue(1.0, Double.NaN, false)).isFalse();
    assertThat(QueryApiReadBack.parseValue("+Inf")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(QueryApiReadBack.parseValue("-Inf")).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(QueryApiReadBack.parseValue("NaN")).isNaN();
    assertThat(QueryApiReadBack.parseValue("1.5999999999999999")).isEqualTo(1.5999999999999999);
  }

  @Test
  void verify_consecutiveTickWindows_sumToOneVerifyOfTheSameTicks() throws Exception {
    MemoryReceiver rx = new MemoryReceiver();
    TargetRun run = write(workload(Workload.Protocol.RW1, 1, 1, 2, 2), rx);
    long ticks = run.resolvedTicks();
    assertThat(ticks).isGreaterThan(6);
    Verifier.Result whole = new Verifier(run).verify(rx, run.model.new Cursor(), 0, ticks, null);
    Verifier v = new Verifier(run);
    SeriesModel.Cursor cursor = run.model.new Cursor();
    long[] cuts = {0, 1, ticks / 2, ticks / 2 + 1, ticks};
    long required = 0;
    long foundRequired = 0;
    long optional = 0;
    long foundOptional = 0;
    for (int i = 1; i < cuts.length; i++) {
      Verifier.Result r = v.verify(rx, cursor, cuts[i - 1], cuts[i], null);
      assertThat(r.mismatches).as("window %d..%d", cuts[i - 1], cuts[i]).isEmpty();
      assertThat(r.ok()).isTrue();
      required += r.required;
      foundRequired += r.foundRequired;
      optional += r.optional;
      foundOptional += r.foundOptional;
    }
    assertThat(whole.ok()).isTrue();
    assertThat(whole.required).isGreaterThan(1000);
    assertThat(required).isEqualTo(whole.required).isEqualTo(foundRequired);
    assertThat(optional).isEqualTo(whole.optional);
    assertThat(foundOptional).isEqualTo(whole.foundOptional);
  }

  @Test
  void duringVerifier_checksWhileWriting_ok() throws Exception {
    MemoryReceiver rx = new MemoryReceiver();
    Workload w = workload(Workload.Protocol.RW2, 1, 1, 1, 2);
    TargetRun run = new TargetRun(w, w.targets().get(0), rx, 1_700_000_000_000L, true);
    DuringVerifier d = new DuringVerifier(run, rx, 5);
    d.start();
    runLimited(run, rx);
    d.stop();
    assertThat(d.checks()).isPositive();
    Verifier.Result t = d.totals();
    assertThat(t.errors).isEmpty();
    assertThat(t.ok()).as("%s", t.mismatches).isTrue();
    assertThat(t.required).isPositive().isEqualTo(t.foundRequired);
  }

  @Test
  void duringVerifier_receiverAcknowledgesButDrops_lossFoundWhileWriting() throws Exception {
    MemoryReceiver rx = new MemoryReceiver();
    java.util.concurrent.atomic.AtomicLong n = new java.util.concurrent.atomic.AtomicLong();
    Sender lossy = (body, len, p) ->
        n.incrementAndGet() % 7 == 0 ? new Sender.Response(204, -1, "") : rx.send(body, len, p);
    Workload w = workload(Workload.Protocol.RW1, 0, 0, 1, 0);
    TargetRun run = new TargetRun(w, w.targets().get(0), lossy, 1_700_000_000_000L, true);
    DuringVerifier d = new DuringVerifier(run, rx, 5);
    d.start();
    Thread stopper = new Thread(() -> {
      while (d.totals().missing == 0 && run.stats.requests.sum() < 100_000) {
        Thread.onSpinWait();
      }
      run.stop = true;
    });
    stopper.start();
    run.runFor(60_000, true);
    stopper.join();
    d.stop();
    assertThat(d.ok()).isFalse();
    assertThat(d.totals().missing).isPositive();
    assertThat(d.totals().mismatches.get(0).kind()).isEqualTo("missing");
  }
}
