package io.theseus.ingest;

import com.datastax.oss.driver.api.core.CqlSession;
import io.theseus.chunk.Chunk;
import io.theseus.model.Labels;
import io.theseus.schema.SchemaConfig;
import io.theseus.store.ChunkStore;
import io.theseus.store.RowStore;
import io.theseus.store.TableManager;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Flushes head chunks into Cassandra: builds the Cortex chunk (Bigchunk encoding, blob and
 * external key exactly as Cortex v1.10) and hands it to {@link ChunkStore#put}, which writes the
 * chunk first and then the index entries of every schema period the chunk touches. Thread-safe.
 */
public final class StoreFlusher implements ChunkFlusher {
  private final ChunkStore store;

  /** The chunk store flushes go to (the query side reads it too). */
  public ChunkStore store() {
    return store;
  }

  public StoreFlusher(ChunkStore store) {
    this.store = store;
  }

  /** A flusher over {@code session}/{@code keyspace} with the given schema config. */
  public static StoreFlusher create(
      CqlSession session, String keyspace, SchemaConfig schema, int maxInFlight) {
    return create(session, keyspace, schema, maxInFlight, b -> b);
  }

  /** As above, with {@code tune} setting read-side options (caches, limits) on the builder. */
  public static StoreFlusher create(
      CqlSession session,
      String keyspace,
      SchemaConfig schema,
      int maxInFlight,
      java.util.function.UnaryOperator<ChunkStore.Builder> tune) {
    return new StoreFlusher(
        tune.apply(
                ChunkStore.builder(
                    new RowStore(session, keyspace, maxInFlight, 3),
                    new TableManager(session, keyspace, t -> ""),
                    schema))
            .build());
  }

  @Override
  public CompletionStage<Void> flush(
      String tenant, long fingerprint, Labels labels, long from, long through, byte[] bigchunk) {
    Chunk c;
    try {
      c = Chunk.build(tenant, fingerprint, labels, Chunk.BIGCHUNK, bigchunk, from, through);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return store.put(c);
  }
}
