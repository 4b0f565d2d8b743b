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
 * <p>Invariants: {@code running <= limit}; every queued operation is eventually started, because
 * each submission and each completion drains the queue while permits remain. Draining is done by
 * one thread at a time (a missed-signal counter, so operations that complete synchronously do not
 * recurse: 100,000 queued instant failures use a constant stack). Thread-safe (lock-free).
 */
final class AsyncLimiter {
  private final int limit;
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger drainSignals = new AtomicInteger();
  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

  AsyncLimiter(int limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be > 0, got " + limit);
    }
    this.limit = limit;
  }

  /** Starts {@code op} now or when a slot frees; the result completes with {@code op}'s. */
  <T> CompletionStage<T> submit(Supplier<? extends CompletionStage<T>> op) {
    CompletableFuture<T> result = new CompletableFuture<>();
    waiting.add(() -> start(op, result));
    drain();
    return result;
  }

  private <T> void start(Supplier<? extends CompletionStage<T>> op, CompletableFuture<T> result) {
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
    if (drainSignals.getAndIncrement() != 0) {
      return; // The thread draining now will loop once more for this signal.
    }
    int missed = 1;
    while (true) {
      while (!waiting.isEmpty()) {
        int r = running.get();
        if (r >= limit) {
          break;
        }
        if (!running.compareAndSet(r, r + 1)) {
          continue;
        }
        Runnable next = waiting.poll();
        if (next == null) {
          running.decrementAndGet();
          break;
        }
        next.run();
      }
      missed = drainSignals.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  int running() {
    return running.get();
  }

  int queued() {
    return waiting.size();
  }
}
