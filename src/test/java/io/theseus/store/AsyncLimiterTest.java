package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class AsyncLimiterTest {
  @Test
  void submit_overLimit_queuesUntilACompletion() {
    AsyncLimiter l = new AsyncLimiter(2);
    List<CompletableFuture<Integer>> ops = new ArrayList<>();
    List<CompletionStage<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      results.add(
          l.submit(
              () -> {
                CompletableFuture<Integer> f = new CompletableFuture<>();
                ops.add(f);
                return f;
              }));
    }
    assertThat(ops).hasSize(2);
    assertThat(l.running()).isEqualTo(2);
    assertThat(l.queued()).isEqualTo(3);
    ops.get(0).complete(7);
    assertThat(ops).hasSize(3);
    assertThat(results.get(0).toCompletableFuture().join()).isEqualTo(7);
    assertThat(results.get(2).toCompletableFuture()).isNotDone();
  }

  @Test
  void submit_failure_propagatesAndFreesTheSlot() {
    AsyncLimiter l = new AsyncLimiter(1);
    CompletionStage<Integer> bad =
        l.submit(() -> CompletableFuture.failedFuture(new IllegalStateException("boom")));
    CompletionStage<Integer> thrown =
        l.submit(
            () -> {
              throw new IllegalArgumentException("thrown");
            });
    CompletionStage<Integer> good = l.submit(() -> CompletableFuture.completedFuture(1));
    assertThatThrownBy(() -> bad.toCompletableFuture().join()).hasRootCauseMessage("boom");
    assertThatThrownBy(() -> thrown.toCompletableFuture().join()).hasRootCauseMessage("thrown");
    assertThat(good.toCompletableFuture().join()).isEqualTo(1);
    assertThat(l.running()).isZero();
  }

  @Test
  void submit_manyInstantCompletionsBehindABlocker_doNotOverflowTheStack() {
    AsyncLimiter l = new AsyncLimiter(1);
    CompletableFuture<Integer> blocker = new CompletableFuture<>();
    l.submit(() -> blocker);
    AtomicInteger done = new AtomicInteger();
    for (int i = 0; i < 100_000; i++) {
      l.submit(() -> CompletableFuture.completedFuture(1)).thenRun(done::incrementAndGet);
    }
    assertThat(done.get()).isZero();
    blocker.complete(0);
    assertThat(done.get()).isEqualTo(100_000);
    assertThat(l.queued()).isZero();
  }

  @Test
  void constructor_nonPositiveLimit_isRejected() {
    assertThatThrownBy(() -> new AsyncLimiter(0)).hasMessageContaining("got 0");
  }

  @Property(tries = 200)
  void randomCompletionOrder_neverExceedsLimitAndRunsEverything(
      @ForAll @IntRange(min = 1, max = 8) int limit,
      @ForAll @IntRange(min = 0, max = 60) int ops,
      @ForAll long seed) {
    AsyncLimiter l = new AsyncLimiter(limit);
    java.util.Random rnd = new java.util.Random(seed);
    List<CompletableFuture<Integer>> started = new ArrayList<>();
    AtomicInteger completed = new AtomicInteger();
    int maxRunning = 0;
    for (int i = 0; i < ops; i++) {
      l.submit(
              () -> {
                CompletableFuture<Integer> f = new CompletableFuture<>();
                started.add(f);
                return f;
              })
          .thenRun(completed::incrementAndGet);
      maxRunning = Math.max(maxRunning, l.running());
    }
    while (completed.get() < ops) {
      List<CompletableFuture<Integer>> open =
          started.stream().filter(f -> !f.isDone()).toList();
      assertThat(open).isNotEmpty();
      open.get(rnd.nextInt(open.size())).complete(1);
      maxRunning = Math.max(maxRunning, l.running());
    }
    assertThat(maxRunning).isLessThanOrEqualTo(limit);
    assertThat(started).hasSize(ops);
    assertThat(l.running()).isZero();
  }
}
