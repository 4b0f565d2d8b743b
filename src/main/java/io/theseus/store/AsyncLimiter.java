package io.theseus.store;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Bounds the number of asynchronous operations in flight without ever blocking a thread: an
 * operation over the limit is queued and started when another completes. Safe to call from
 * driver I/O threads (a blocking semaphore there could deadlock the completions that would
 * release it).
 *
 * <p>Invariant: {@code running <= limit}; every queued operation is eventually started because
 * each completion drains the queue while permits remain. Thread-safe (lock-free).
 */
final class AsyncLimiter {
  private final int limit;
  private final AtomicInteger running = new AtomicInteger();
  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

  AsyncLimiter(int limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be > 0, got " + limit);
    }
    this.limit = limit;
  }

  <T> CompletionStage<T> submit(Supplier<CompletionStage<T>> op) {
    CompletableFuture<T> result = new CompletableFuture<>();
    waiting.add(() -> start(op, result));
    drain();
    return result;
  }

  private <T> void start(Supplier<CompletionStage<T>> op, CompletableFuture<T> result) {
    CompletionStage<T> s;
    try {
      s = op.get();
    } catch (RuntimeException e) {
      s = CompletableFuture.failedFuture(e);
    }
    s.whenComplete(
        (v, e) -> {
          running.decrementAndGet();
          drain();
          if (e != null) {
            result.completeExceptionally(e);
          } else {
            result.complete(v);
          }
        });
  }

  private void drain() {
    while (!waiting.isEmpty()) {
      int r = running.get();
      if (r >= limit) {
        return;
      }
      if (!running.compareAndSet(r, r + 1)) {
        continue;
      }
      Runnable next = waiting.poll();
      if (next == null) {
        running.decrementAndGet();
        // Another thread took it; re-check in case something was added meanwhile.
        continue;
      }
      next.run();
    }
  }

  int running() {
    return running.get();
  }

  int queued() {
    return waiting.size();
  }
}
