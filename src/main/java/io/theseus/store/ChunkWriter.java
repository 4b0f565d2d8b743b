package io.theseus.store;

import io.theseus.chunk.Chunk;
import io.theseus.model.Labels;
import io.theseus.schema.IndexEntry;
import io.theseus.schema.IndexSchema;
import io.theseus.schema.MetricNameIndex;
import io.theseus.schema.SchemaConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The write path of the chunk store, in Cortex's order (cortex-chunks.md §1.2 step 8):
 *
 * <ol>
 *   <li>the chunk row goes to the chunk table of the period holding {@code chunk.from} ({@code
 *       hash} = external key, {@code range} = {@code 0x00}, {@code value} = blob);
 *   <li>only after Cassandra acknowledged it, the index entries of every schema period that [from,
 *       through] crosses (split as {@link SchemaConfig#split}, each part with its own schema and
 *       clipped times): v1–v8 all chunk entries; v9+ the series→chunk entries plus the label
 *       entries of each bucket whose write-dedupe key is not cached; plus the Theseus metric-names
 *       entries ({@link MetricNameIndex}), deduplicated the same way;
 *   <li>the dedupe keys are cached once their entries were acknowledged.
 * </ol>
 *
 * So an index entry never points at a missing chunk. Tables are created on demand through the
 * {@link TableManager} (a no-op once known). Thread-safe; concurrent puts of one series may both
 * write its label entries, which is harmless (writes are idempotent).
 */
final class ChunkWriter {
  private static final byte[] CHUNK_RANGE = {0};

  private final RowStore rows;
  private final TableManager tables;
  private final SchemaConfig schema;
  private final WriteDedupeCache dedupe;
  private final boolean metricNames;

  ChunkWriter(
      RowStore rows,
      TableManager tables,
      SchemaConfig schema,
      WriteDedupeCache dedupe,
      boolean metricNames) {
    this.rows = rows;
    this.tables = tables;
    this.schema = schema;
    this.dedupe = dedupe;
    this.metricNames = metricNames;
  }

  CompletionStage<Void> put(Chunk chunk) {
    return put(
        chunk.key().userId(),
        chunk.key().toString(),
        chunk.key().from(),
        chunk.key().through(),
        chunk.metric(),
        chunk.blob());
  }

  /** Writes an already encoded chunk blob under its external key (not re-verified). */
  CompletionStage<Void> put(
      String user, String key, long from, long through, Labels metric, byte[] blob) {
    if (metric.metricName().isEmpty()) {
      return CompletableFuture.failedFuture(
          ChunkStoreException.badQuery("chunk " + key + " has no metric name: " + metric));
    }
    if (through < from) {
      return CompletableFuture.failedFuture(
          ChunkStoreException.badQuery("chunk " + key + " ends before it starts"));
    }
    List<SchemaConfig.PeriodRange> parts = schema.split(from, through);
    if (parts.isEmpty()) {
      return CompletableFuture.failedFuture(
          ChunkStoreException.badQuery(
              "chunk "
                  + key
                  + " lies before the first schema period "
                  + schema.periods().get(0).from()));
    }
    String chunkTable = chunkTableFor(schema, from);
    return tables
        .ensure(chunkTable)
        .thenCompose(v -> rows.insert(chunkTable, key, CHUNK_RANGE, blob))
        .thenCompose(v -> writeIndex(parts, key, user, metric));
  }

  /** The chunk table for a chunk starting at {@code from}; before the first period, its first. */
  static String chunkTableFor(SchemaConfig schema, long from) {
    var p = schema.periodFor(from);
    if (p == null) {
      p = schema.periods().get(0);
    }
    return p.chunks().tableFor(from);
  }

  private CompletionStage<Void> writeIndex(
      List<SchemaConfig.PeriodRange> parts, String chunkId, String user, Labels metric) {
    List<IndexEntry> entries = new ArrayList<>();
    List<String> newKeys = new ArrayList<>();
    for (SchemaConfig.PeriodRange part : parts) {
      IndexSchema s = part.period().indexSchema();
      long pf = part.from();
      long pt = part.through();
      if (s.indexesSeries()) {
        addIfNew(s.labelEntries(user, pf, pt, metric), entries, newKeys);
        entries.addAll(s.seriesChunkEntries(user, pf, pt, metric, chunkId));
      } else {
        entries.addAll(s.chunkEntries(user, pf, pt, metric, chunkId));
      }
      if (metricNames) {
        addIfNew(MetricNameIndex.entries(s, user, pf, pt, metric.metricName()), entries, newKeys);
      }
    }
    Map<String, CompletionStage<Void>> ensured = new LinkedHashMap<>();
    for (IndexEntry e : entries) {
      ensured.computeIfAbsent(e.table(), tables::ensure);
    }
    CompletableFuture<?>[] all =
        ensured.values().stream()
            .map(CompletionStage::toCompletableFuture)
            .toArray(CompletableFuture<?>[]::new);
    return CompletableFuture.allOf(all)
        .thenCompose(v -> rows.write(entries))
        .thenRun(() -> newKeys.forEach(dedupe::add));
  }

  private void addIfNew(
      List<IndexSchema.BucketEntries> buckets, List<IndexEntry> out, List<String> newKeys) {
    for (IndexSchema.BucketEntries b : buckets) {
      if (!dedupe.contains(b.cacheKey())) {
        out.addAll(b.entries());
        newKeys.add(b.cacheKey());
      }
    }
  }
}
