package io.theseus.store;

import io.theseus.chunk.Chunk;
import io.theseus.chunk.ChunkDecodeResult;
import io.theseus.chunk.ExternalKey;
import io.theseus.chunk.SampleIterator;
import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import io.theseus.schema.IndexQuery;
import io.theseus.schema.IndexSchema;
import io.theseus.schema.MetricNameIndex;
import io.theseus.schema.RangeValues;
import io.theseus.schema.SchemaConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The read path of the chunk store (cortex-chunks.md §1.5, plus queries without a metric name):
 *
 * <ol>
 *   <li>[from, through] is split across schema periods ({@link SchemaConfig#split}); each part is
 *       looked up with its own {@link IndexSchema};
 *   <li>metric names: the value of a {@code __name__="m"} matcher, or the literals of a set regex
 *       {@code __name__=~"a|b"}; otherwise (no name, or a general regex) the names are enumerated
 *       from the Theseus metric-names rows ({@link MetricNameIndex}) of the part and filtered by
 *       every {@code __name__} matcher;
 *   <li>per metric name: each label matcher that does not match the empty string becomes index
 *       reads ({@code =} and set regexes by value lookups, others by reading the label-name rows
 *       and testing every value); matchers that match the empty string are only filters. The
 *       chunk-ID (v1–v8) or seriesID (v9+) sets of the matchers are intersected; with no such
 *       matcher the metric-name rows give the set. v9+ then reads the series→chunk rows of each
 *       series per bucket;
 *   <li>chunk IDs are de-duplicated across periods and names, and those whose key range misses
 *       [from, through] are dropped;
 *   <li>chunks are looked up in the {@link ChunkCache} (when configured) by their external key
 *       ({@code tenant/ID}), the others fetched in parallel (at most {@code fetchConcurrency} at
 *       once); every blob is decoded with CRC and metadata checks against the key, and kept when
 *       every matcher accepts the chunk's metric. Only blobs that passed these checks enter the
 *       cache; chunks are immutable under their key (it holds the checksum), so entries never go
 *       stale;
 *   <li>samples in [from, through] are grouped by series, merged and de-duplicated by timestamp
 *       ({@link SampleMerge}), and returned sorted by labels.
 * </ol>
 *
 * Missing tables read as empty (no data was ever written there). A chunk listed in the index but
 * absent, corrupt or of another tenant fails the query, as in Cortex. Thread-safe; one query's
 * state lives in its futures.
 */
final class ChunkReader {
  private final RowStore rows;
  private final SchemaConfig schema;
  private final AsyncLimiter fetches;
  private final int chunkLimit;
  private final ChunkCache cache;
  private final IndexCache indexCache;
  private final long frozenAfterMs;
  private final java.util.function.LongSupplier clock;

  static final long DAY_MS = 86_400_000L;

  /**
   * {@code cache} and {@code indexCache} may be null (disabled). Index results of a schema-period
   * part are cached only when the part ends before {@code clock − frozenAfterMs − 1 day}.
   */
  ChunkReader(
      RowStore rows,
      SchemaConfig schema,
      int fetchConcurrency,
      int chunkLimit,
      ChunkCache cache,
      IndexCache indexCache,
      long frozenAfterMs,
      java.util.function.LongSupplier clock) {
    this.rows = rows;
    this.schema = schema;
    this.fetches = new AsyncLimiter(fetchConcurrency);
    this.chunkLimit = chunkLimit;
    this.cache = cache;
    this.indexCache = indexCache;
    this.frozenAfterMs = frozenAfterMs;
    this.clock = clock;
  }

  CompletionStage<List<StoredSeries>> query(
      String tenant, long from, long through, List<Matcher> matchers) {
    if (tenant == null || tenant.isEmpty()) {
      return CompletableFuture.failedFuture(ChunkStoreException.badQuery("no tenant"));
    }
    if (through < from) {
      return CompletableFuture.failedFuture(
          ChunkStoreException.badQuery("query end " + through + " is before its start " + from));
    }
    List<Matcher> nameMatchers = new ArrayList<>();
    List<Matcher> labelMatchers = new ArrayList<>();
    for (Matcher m : matchers) {
      (m.name().equals(Labels.METRIC_NAME) ? nameMatchers : labelMatchers).add(m);
    }
    List<CompletionStage<Set<String>>> perPart = new ArrayList<>();
    for (SchemaConfig.PeriodRange part : schema.split(from, through)) {
      IndexSchema s = part.period().indexSchema();
      boolean frozen =
          indexCache != null && part.through() < clock.getAsLong() - frozenAfterMs - DAY_MS;
      Part p = new Part(s, tenant, part.from(), part.through(), frozen);
      perPart.add(
          metricNames(p, nameMatchers)
              .thenCompose(
                  names -> {
                    List<CompletionStage<Set<String>>> perName = new ArrayList<>();
                    for (String name : names) {
                      perName.add(chunkIds(p, name, labelMatchers));
                    }
                    return union(perName);
                  }));
    }
    return union(perPart)
        .thenCompose(ids -> fetch(tenant, from, through, ids, matchers))
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(wrap(e)));
  }

  /**
   * One schema period's slice of the query; {@code frozen}: every index bucket it touches can no
   * longer change, so its index results may come from the {@link IndexCache}.
   */
  private record Part(
      IndexSchema schema, String tenant, long from, long through, boolean frozen) {}

  // ------------------------------------------------------------------ metric names

  private CompletionStage<Set<String>> metricNames(Part p, List<Matcher> nameMatchers) {
    List<String> candidates = null;
    for (Matcher m : nameMatchers) {
      List<String> set = m.setValues();
      if (set != null && !m.matchesEmpty()) {
        candidates = set;
        break;
      }
    }
    if (candidates != null) {
      return CompletableFuture.completedFuture(filterNames(candidates, nameMatchers));
    }
    return run(p, MetricNameIndex.queries(p.schema(), p.tenant(), p.from(), p.through()))
        .thenApply(
            rows -> {
              List<String> names = new ArrayList<>(rows.size());
              for (RowStore.StoredRow r : rows) {
                names.add(MetricNameIndex.parse(r.range()));
              }
              return filterNames(names, nameMatchers);
            });
  }

  private static Set<String> filterNames(Collection<String> names, List<Matcher> nameMatchers) {
    Set<String> out = new TreeSet<>();
    outer:
    for (String n : names) {
      if (n.isEmpty()) {
        continue;
      }
      for (Matcher m : nameMatchers) {
        if (!m.matches(n)) {
          continue outer;
        }
      }
      out.add(n);
    }
    return out;
  }

  // ------------------------------------------------------------------ index lookups

  /** The chunk IDs of metric {@code name} in one part that the index matchers select. */
  private CompletionStage<Set<String>> chunkIds(Part p, String name, List<Matcher> labelMatchers) {
    List<Matcher> lookups = new ArrayList<>();
    for (Matcher m : labelMatchers) {
      if (!m.matchesEmpty()) {
        lookups.add(m);
      }
    }
    CompletionStage<Set<String>> ids;
    if (lookups.isEmpty()) {
      ids =
          run(p, p.schema().metricNameQueries(p.tenant(), p.from(), p.through(), name))
              .thenApply(rs -> ids(p.schema(), rs, null, null));
    } else {
      List<CompletionStage<Set<String>>> sets = new ArrayList<>();
      for (Matcher m : lookups) {
        sets.add(matcherIds(p, name, m));
      }
      ids = intersect(sets);
    }
    if (!p.schema().indexesSeries()) {
      return ids;
    }
    return ids.thenCompose(
        series -> {
          List<IndexQuery> qs = new ArrayList<>();
          for (String sid : series) {
            qs.addAll(p.schema().seriesChunkQueries(p.tenant(), p.from(), p.through(), sid));
          }
          return run(p, qs)
              .thenApply(
                  rs -> {
                    Set<String> out = new HashSet<>();
                    for (RowStore.StoredRow r : rs) {
                      String c = RangeValues.parse(r.range(), r.value()).chunkId();
                      if (c != null) {
                        out.add(c);
                      }
                    }
                    return out;
                  });
        });
  }

  /** IDs (chunk IDs for v1–v8, seriesIDs for v9+) of the rows that matcher {@code m} selects. */
  private CompletionStage<Set<String>> matcherIds(Part p, String name, Matcher m) {
    IndexSchema s = p.schema();
    List<String> values = m.setValues();
    if (values != null) {
      List<IndexQuery> qs = new ArrayList<>();
      for (String v : values) {
        qs.addAll(s.labelValueQueries(p.tenant(), p.from(), p.through(), name, m.name(), v));
      }
      Set<String> wanted = new HashSet<>(values);
      return run(p, qs).thenApply(rs -> ids(s, rs, wanted, null));
    }
    return run(p, s.labelNameQueries(p.tenant(), p.from(), p.through(), name, m.name()))
        .thenApply(rs -> ids(s, rs, null, m));
  }

  /**
   * Parses rows into IDs, keeping those whose label value is in {@code wanted} or accepted by
   * {@code m} (when given).
   */
  private static Set<String> ids(
      IndexSchema s, List<RowStore.StoredRow> rs, Set<String> wanted, Matcher m) {
    Set<String> out = new HashSet<>();
    for (RowStore.StoredRow r : rs) {
      RangeValues.Parsed parsed = RangeValues.parse(r.range(), r.value());
      if (wanted != null || m != null) {
        String v = parsed.labelValue();
        if (v == null) {
          continue;
        }
        if (wanted != null ? !wanted.contains(v) : !m.matches(v)) {
          continue;
        }
      }
      String id = s.indexesSeries() ? parsed.seriesId() : parsed.chunkId();
      if (id != null) {
        out.add(id);
      }
    }
    return out;
  }

  /**
   * Runs index queries concurrently (bounded by the row store); missing tables read as empty. For a
   * frozen part, results come from and go to the index cache (missing tables are not cached).
   */
  private CompletionStage<List<RowStore.StoredRow>> run(Part p, List<IndexQuery> queries) {
    List<CompletableFuture<List<RowStore.StoredRow>>> fs = new ArrayList<>(queries.size());
    for (IndexQuery q : queries) {
      if (p.frozen()) {
        List<RowStore.StoredRow> cached = indexCache.get(q);
        if (cached != null) {
          fs.add(CompletableFuture.completedFuture(cached));
          continue;
        }
      }
      CompletionStage<List<RowStore.StoredRow>> read = rows.query(q);
      if (p.frozen()) {
        read =
            read.thenApply(
                rs -> {
                  indexCache.put(q, rs);
                  return rs;
                });
      }
      fs.add(
          read
              .exceptionallyCompose(
                  e ->
                      RowStore.isMissingTable(e)
                          ? CompletableFuture.completedFuture(List.of())
                          : CompletableFuture.failedFuture(
                              ChunkStoreException.failed(
                                  "index query " + q + " failed: " + cause(e).getMessage(),
                                  cause(e))))
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(fs.toArray(CompletableFuture<?>[]::new))
        .thenApply(
            v -> {
              List<RowStore.StoredRow> out = new ArrayList<>();
              for (CompletableFuture<List<RowStore.StoredRow>> f : fs) {
                out.addAll(f.join());
              }
              return out;
            });
  }

  // ------------------------------------------------------------------ chunks

  private record Fetched(Labels metric, String key, SampleMerge.Run run) {}

  private CompletionStage<List<StoredSeries>> fetch(
      String tenant, long from, long through, Set<String> ids, List<Matcher> matchers) {
    ConcurrentLinkedQueue<Fetched> got = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<Void>> fs = new ArrayList<>();
    List<Runnable> starts = new ArrayList<>();
    for (String id : new TreeSet<>(ids)) {
      ExternalKey k;
      try {
        k = ExternalKey.parse(id);
      } catch (IllegalArgumentException e) {
        return CompletableFuture.failedFuture(
            ChunkStoreException.failed("index holds a bad chunk ID: " + e.getMessage(), e));
      }
      if (k.through() < from || k.from() > through) {
        continue;
      }
      boolean legacy = ExternalKey.isLegacy(id);
      String hash = id.indexOf('/') < 0 ? tenant + "/" + id : id;
      if (!legacy && !k.userId().equals(tenant)) {
        return CompletableFuture.failedFuture(
            ChunkStoreException.failed(
                "wrong chunk metadata: chunk " + id + " listed for tenant " + tenant, null));
      }
      String table = ChunkWriter.chunkTableFor(schema, k.from());
      starts.add(
          () -> {
            byte[] cached = cache == null ? null : cache.get(hash);
            CompletionStage<byte[]> blobF =
                cached != null
                    ? CompletableFuture.completedFuture(cached)
                    : fetches.submit(() -> rows.getChunk(table, hash));
            fs.add(
                blobF
                    .thenAccept(
                        blob -> {
                          Fetched f = decode(tenant, table, hash, blob, from, through, matchers);
                          // decode threw unless the blob is present, intact and the tenant's
                          if (cache != null && cached == null) {
                            cache.put(hash, blob);
                          }
                          if (f != null) {
                            got.add(f);
                          }
                        })
                    .toCompletableFuture());
          });
    }
    if (starts.size() > chunkLimit) {
      return CompletableFuture.failedFuture(
          ChunkStoreException.badQuery(
              "the query hit the max number of chunks limit (limit: "
                  + chunkLimit
                  + " chunks, query needs "
                  + starts.size()
                  + ")"));
    }
    starts.forEach(Runnable::run);
    return CompletableFuture.allOf(fs.toArray(CompletableFuture<?>[]::new))
        .thenApply(v -> assemble(got));
  }

  private static Fetched decode(
      String tenant,
      String table,
      String hash,
      byte[] blob,
      long from,
      long through,
      List<Matcher> matchers) {
    if (blob == null) {
      throw ChunkStoreException.failed(
          "chunk " + hash + " is listed in the index but missing from table " + table, null);
    }
    ChunkDecodeResult r = Chunk.decode(hash, blob);
    if (!r.ok()) {
      throw ChunkStoreException.failed(
          "chunk " + hash + " in table " + table + ": " + r.status() + ": " + r.error(), null);
    }
    Chunk c = r.chunk();
    if (!c.key().userId().equals(tenant)) {
      throw ChunkStoreException.failed(
          "wrong chunk metadata: chunk " + hash + " belongs to tenant " + c.key().userId(), null);
    }
    Labels metric = c.metric();
    for (Matcher m : matchers) {
      if (!m.matches(metric.get(m.name()))) {
        return null;
      }
    }
    SampleIterator it = c.iterator();
    long[] ts = new long[64];
    long[] bits = new long[64];
    int n = 0;
    if (it.seek(from)) {
      do {
        long t = it.timestamp();
        if (t > through) {
          break;
        }
        if (n == ts.length) {
          ts = java.util.Arrays.copyOf(ts, n * 2);
          bits = java.util.Arrays.copyOf(bits, n * 2);
        }
        ts[n] = t;
        bits[n++] = it.valueBits();
      } while (it.next());
    }
    if (it.failed()) {
      throw ChunkStoreException.failed(
          "chunk " + hash + " in table " + table + ": " + it.error(), null);
    }
    if (n == 0) {
      return null;
    }
    return new Fetched(metric, hash, new SampleMerge.Run(ts, bits, n));
  }

  private static List<StoredSeries> assemble(Collection<Fetched> got) {
    Map<Labels, List<Fetched>> bySeries = new HashMap<>();
    for (Fetched f : got) {
      bySeries.computeIfAbsent(f.metric(), k -> new ArrayList<>()).add(f);
    }
    List<StoredSeries> out = new ArrayList<>(bySeries.size());
    for (Map.Entry<Labels, List<Fetched>> e : bySeries.entrySet()) {
      List<Fetched> fs = e.getValue();
      fs.sort(
          (a, b) -> {
            int c = Long.compare(a.run().ts()[0], b.run().ts()[0]);
            return c != 0 ? c : a.key().compareTo(b.key());
          });
      List<SampleMerge.Run> runs = new ArrayList<>(fs.size());
      for (Fetched f : fs) {
        runs.add(f.run());
      }
      SampleMerge.Run m = SampleMerge.merge(runs);
      long[] ts = java.util.Arrays.copyOf(m.ts(), m.n());
      double[] vs = new double[m.n()];
      for (int i = 0; i < vs.length; i++) {
        vs[i] = Double.longBitsToDouble(m.bits()[i]);
      }
      out.add(new StoredSeries(e.getKey(), ts, vs));
    }
    out.sort((a, b) -> a.labels().compareTo(b.labels()));
    return out;
  }

  // ------------------------------------------------------------------ futures

  private static CompletionStage<Set<String>> union(List<CompletionStage<Set<String>>> sets) {
    CompletableFuture<?>[] all =
        sets.stream()
            .map(CompletionStage::toCompletableFuture)
            .toArray(CompletableFuture<?>[]::new);
    return CompletableFuture.allOf(all)
        .thenApply(
            v -> {
              Set<String> out = new HashSet<>();
              for (CompletionStage<Set<String>> s : sets) {
                out.addAll(s.toCompletableFuture().join());
              }
              return out;
            });
  }

  private static CompletionStage<Set<String>> intersect(List<CompletionStage<Set<String>>> sets) {
    CompletableFuture<?>[] all =
        sets.stream()
            .map(CompletionStage::toCompletableFuture)
            .toArray(CompletableFuture<?>[]::new);
    return CompletableFuture.allOf(all)
        .thenApply(
            v -> {
              List<Set<String>> got = new ArrayList<>();
              for (CompletionStage<Set<String>> s : sets) {
                got.add(s.toCompletableFuture().join());
              }
              got.sort((a, b) -> Integer.compare(a.size(), b.size()));
              Set<String> out = new HashSet<>(got.get(0));
              for (int i = 1; i < got.size() && !out.isEmpty(); i++) {
                out.retainAll(got.get(i));
              }
              return out;
            });
  }

  static Throwable cause(Throwable e) {
    while ((e instanceof CompletionException
            || e instanceof java.util.concurrent.ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static ChunkStoreException wrap(Throwable e) {
    Throwable c = cause(e);
    if (c instanceof ChunkStoreException cse) {
      return cse;
    }
    if (c instanceof IllegalArgumentException) {
      return ChunkStoreException.failed("corrupt index row: " + c.getMessage(), c);
    }
    return ChunkStoreException.failed("chunk store query failed: " + c, c);
  }
}
