package io.theseus.store;

import io.theseus.model.Labels;
import io.theseus.schema.IndexEntry;
import io.theseus.schema.IndexSchema;
import io.theseus.schema.SchemaConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Writes and fetches chunks with their label index, laid out by a Cortex schema config, as
 * Cortex's {@code seriesStore.PutOne} / {@code store.PutOne} (cortex-chunks.md §1.2 step 8):
 *
 * <ol>
 *   <li>the chunk blob goes to the chunk table of the period holding {@code from} ({@code
 *       SchemaConfig.chunkTableFor(from)}), under its external key;
 *   <li>only after Cassandra acknowledged it, the index entries of every schema period that
 *       {@code [from, through]} touches: v9+ label entries of each bucket whose write-dedupe key is
 *       not cached, plus the series→chunk entries; v1–v8 all entries of the chunk;
 *   <li>after those were acknowledged, the dedupe keys are cached.
 * </ol>
 *
 * So an index entry never points at a missing chunk, and a failed write is simply retried whole
 * (every statement is an idempotent INSERT). Tables are created on demand by the {@link
 * TableManager}. The store does not look inside blobs: the caller owns the chunk encoding and the
 * external key. Thread-safe.
 */
public final class ChunkStore {
  private final SchemaConfig config;
  private final RowStore rows;
  private final TableManager tables;
  private final WriteDedupeCache dedupe;

  /** What one {@link #put} wrote. */
  public record PutResult(String chunkTable, int indexEntries, int dedupedBuckets) {}

  /** A chunk to fetch: its external key and start time (which selects its table). */
  public record ChunkRef(String externalKey, long from) {}

  public ChunkStore(
      SchemaConfig config, RowStore rows, TableManager tables, WriteDedupeCache dedupe) {
    this.config = config;
    this.rows = rows;
    this.tables = tables;
    this.dedupe = dedupe;
  }

  /**
   * Stores one chunk of series {@code metric} of tenant {@code userId} covering {@code [from,
   * through]} (Unix ms), then its index entries.
   */
  public CompletionStage<PutResult> put(
      String userId, String externalKey, byte[] blob, long from, long through, Labels metric) {
    String chunkTable;
    try {
      chunkTable = config.chunkTableFor(from);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    List<IndexEntry> entries = new ArrayList<>();
    List<String> newKeys = new ArrayList<>();
    int deduped = 0;
    for (SchemaConfig.PeriodRange part : config.split(from, through)) {
      IndexSchema schema = part.period().indexSchema();
      if (schema.indexesSeries()) {
        for (IndexSchema.BucketEntries b :
            schema.labelEntries(userId, part.from(), part.through(), metric)) {
          if (dedupe.contains(b.cacheKey())) {
            deduped++;
          } else {
            entries.addAll(b.entries());
            newKeys.add(b.cacheKey());
          }
        }
        entries.addAll(
            schema.seriesChunkEntries(userId, part.from(), part.through(), metric, externalKey));
      } else {
        entries.addAll(schema.chunkEntries(userId, part.from(), part.through(), metric, externalKey));
      }
    }
    int dedupedBuckets = deduped;
    Set<String> indexTables = new LinkedHashSet<>();
    entries.forEach(e -> indexTables.add(e.table()));
    return tables
        .ensure(chunkTable)
        .thenCompose(v -> rows.putChunk(chunkTable, externalKey, blob))
        .thenCompose(v -> ensureAll(indexTables))
        .thenCompose(v -> rows.write(entries))
        .thenApply(
            v -> {
              newKeys.forEach(dedupe::add);
              return new PutResult(chunkTable, entries.size(), dedupedBuckets);
            });
  }

  private CompletionStage<Void> ensureAll(Collection<String> names) {
    CompletableFuture<?>[] all = new CompletableFuture<?>[names.size()];
    int i = 0;
    for (String t : names) {
      all[i++] = tables.ensure(t).toCompletableFuture();
    }
    return CompletableFuture.allOf(all);
  }

  /**
   * Fetches chunk blobs in parallel (bounded by the row store's read limit), each from the chunk
   * table of its start time. Missing chunks are absent from the result.
   */
  public CompletionStage<Map<String, byte[]>> fetch(Collection<ChunkRef> refs) {
    Map<String, List<String>> byTable = new HashMap<>();
    for (ChunkRef r : refs) {
      byTable.computeIfAbsent(config.chunkTableFor(r.from()), t -> new ArrayList<>())
          .add(r.externalKey());
    }
    Map<String, byte[]> out = new HashMap<>();
    CompletableFuture<?>[] all = new CompletableFuture<?>[byTable.size()];
    int i = 0;
    for (Map.Entry<String, List<String>> e : byTable.entrySet()) {
      all[i++] =
          rows.getChunks(e.getKey(), e.getValue())
              .thenAccept(
                  m -> {
                    synchronized (out) {
                      out.putAll(m);
                    }
                  })
              .toCompletableFuture();
    }
    return CompletableFuture.allOf(all).thenApply(v -> out);
  }
}
