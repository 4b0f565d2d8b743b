package io.theseus.ingest;

import io.theseus.model.Labels;
import java.util.concurrent.CompletionStage;

/**
 * Where closed head chunks go: the store side writes the Cortex chunk (external key, blob) and
 * the index entries of the schema period covering {@code [from, through]}. The returned stage
 * completes when the chunk and its entries are durable in the store; it may be completed
 * exceptionally, and the ingester then retries on a later flush sweep. Implementations must be
 * idempotent (a chunk may be written twice after a crash) and thread-safe.
 */
public interface ChunkFlusher {
  CompletionStage<Void> flush(
      String tenant, long fingerprint, Labels labels, long from, long through, byte[] bigchunk);

  /** False when flushing cannot work at all (shutdown then skips the final flush). */
  default boolean available() {
    return true;
  }

  /** A flusher that never succeeds: chunks stay in the head (and WAL) until a store is wired. */
  ChunkFlusher UNAVAILABLE =
      new ChunkFlusher() {
        @Override
        public CompletionStage<Void> flush(
            String tenant, long fp, Labels labels, long from, long through, byte[] data) {
          return java.util.concurrent.CompletableFuture.failedFuture(
              new IllegalStateException("no chunk store configured"));
        }

        @Override
        public boolean available() {
          return false;
        }
      };
}
