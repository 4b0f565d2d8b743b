package io.theseus.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.theseus.schema.PeriodConfig;
import io.theseus.schema.SchemaConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The full CQL of a Theseus keyspace for a schema config and a date range, computed without a
 * connection: the keyspace, the migrations and lock tables, and every periodic index and chunk
 * table of the range with options chosen for time series. {@code theseus schema print} prints it,
 * {@code plan} compares it with {@code system_schema}, {@code apply} runs it.
 *
 * <p>Default table options (each overridable in a DDL options file, see {@link #parseOptions}):
 *
 * <ul>
 *   <li>chunk tables: TimeWindowCompactionStrategy, one window = table period / 7 rounded down to
 *       whole hours (a 168 h table gets 1-day windows, a 24 h table 3-hour windows), so a table's
 *       SSTables settle into about 7 windows while it is written, and whole SSTables expire
 *       together with a TTL; LZ4 with 64 KiB chunks (blobs are already compressed);
 *   <li>index tables: LeveledCompactionStrategy: index rows of a bucket are written all day and
 *       read by range queries, LCS keeps each partition in few SSTables (reads touch ~1 SSTable
 *       per level) at a write-amplification cost that index volume (small next to chunks) can
 *       afford; STCS may be chosen to save disk I/O on write-heavy clusters; LZ4 with 16 KiB
 *       chunks (small reads);
 *   <li>{@code gc_grace_seconds}: 10 days (Cassandra's default, safe with weekly repairs); the
 *       write path never deletes, so it matters only for TTL expiry and dropped rows;
 *   <li>{@code default_time_to_live}: none (retention drops whole tables, as Cortex).
 * </ul>
 *
 * Warnings: more than 50 TWCS windows per TTL (J. Jirsa's guidance), STCS for chunk tables, a TTL
 * without TWCS. Immutable and thread-safe.
 */
public final class SchemaDdl {
  /** The migrations table (version, checksum, applied at, by whom). */
  public static final String MIGRATIONS_TABLE = "theseus_schema_migrations";
  /** The lock table of {@code apply} (one row, taken with a lightweight transaction). */
  public static final String LOCK_TABLE = "theseus_schema_lock";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Options of one kind of table. */
  public record TableOptions(
      String compaction,
      Duration window,
      int gcGraceSeconds,
      int defaultTtlSeconds,
      String compression,
      int compressionChunkKb,
      String extra) {
    public TableOptions {
      if (!Set.of("TWCS", "LCS", "STCS", "UCS").contains(compaction)) {
        throw new IllegalArgumentException(
            "compaction must be TWCS, LCS, STCS or UCS, got '" + compaction + "'");
      }
      if (gcGraceSeconds < 0 || defaultTtlSeconds < 0) {
        throw new IllegalArgumentException("gc_grace_seconds and default_time_to_live must be >= 0");
      }
      if (window != null && (window.toMinutes() < 60 || window.toMinutes() % 60 != 0)) {
        throw new IllegalArgumentException("TWCS window must be whole hours or days, got " + window);
      }
    }
  }

  /** Keyspace and per-kind table options. */
  public record Options(
      String keyspace,
      Map<String, Integer> replication,
      String replicationClass,
      TableOptions index,
      TableOptions chunks) {
    public Options {
      if (keyspace == null || !keyspace.matches("[A-Za-z][A-Za-z0-9_]{0,47}")) {
        throw new IllegalArgumentException("invalid keyspace name '" + keyspace + "'");
      }
      if (!replicationClass.equals("SimpleStrategy")
          && !replicationClass.equals("NetworkTopologyStrategy")) {
        throw new IllegalArgumentException(
            "replication class must be SimpleStrategy or NetworkTopologyStrategy, got '"
                + replicationClass + "'");
      }
      replication = new TreeMap<>(replication);
      if (replicationClass.equals("SimpleStrategy")
          && (replication.size() != 1 || !replication.containsKey("replication_factor"))) {
        throw new IllegalArgumentException("SimpleStrategy needs exactly replication_factor");
      }
      if (replication.isEmpty()) {
        throw new IllegalArgumentException("NetworkTopologyStrategy needs an RF per data centre");
      }
      for (Map.Entry<String, Integer> e : replication.entrySet()) {
        if (e.getValue() == null || e.getValue() < 1) {
          throw new IllegalArgumentException("replication factor of " + e.getKey() + " must be >= 1");
        }
      }
    }

    /** The defaults: keyspace {@code theseus}, SimpleStrategy RF 3, the options of the class doc. */
    public static Options defaults() {
      return new Options(
          "theseus",
          Map.of("replication_factor", 3),
          "SimpleStrategy",
          new TableOptions("LCS", null, 864000, 0, "LZ4Compressor", 16, null),
          new TableOptions("TWCS", null, 864000, 0, "LZ4Compressor", 64, null));
    }

    public Options withReplication(String cls, Map<String, Integer> rf) {
      return new Options(keyspace, rf, cls, index, chunks);
    }

    public Options withKeyspace(String ks) {
      return new Options(ks, replication, replicationClass, index, chunks);
    }
  }

  /** One statement with what it is for. */
  public record Statement(String kind, String name, String cql) {}

  /** The statements and warnings for a schema config and a range. */
  public record Ddl(List<Statement> statements, List<String> warnings) {
    /** The script: a header, warnings as comments, one statement per line ending in ';'. */
    public String render(String header) {
      StringBuilder b = new StringBuilder();
      for (String h : header.split("\n")) {
        b.append("-- ").append(h).append('\n');
      }
      for (String w : warnings) {
        b.append("-- WARNING: ").append(w).append('\n');
      }
      String kind = null;
      for (Statement s : statements) {
        if (!s.kind().equals(kind)) {
          b.append('\n').append("-- ").append(s.kind()).append('\n');
          kind = s.kind();
        }
        b.append(s.cql()).append(";\n");
      }
      return b.toString();
    }
  }

  private SchemaDdl() {}

  /** The DDL of every table of {@code [from, through]} (inclusive) of {@code config}. */
  public static Ddl build(SchemaConfig config, Instant from, Instant through, Options o) {
    if (through.isBefore(from)) {
      throw new IllegalArgumentException("--through " + through + " is before --from " + from);
    }
    List<Statement> out = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    out.add(new Statement("keyspace", o.keyspace(), keyspaceCql(o)));
    out.add(
        new Statement(
            "bookkeeping",
            MIGRATIONS_TABLE,
            "CREATE TABLE IF NOT EXISTS " + o.keyspace() + "." + MIGRATIONS_TABLE
                + " (version int PRIMARY KEY, checksum text, description text, applied_at"
                + " timestamp, applied_by text)"));
    out.add(
        new Statement(
            "bookkeeping",
            LOCK_TABLE,
            "CREATE TABLE IF NOT EXISTS " + o.keyspace() + "." + LOCK_TABLE
                + " (name text PRIMARY KEY, owner text, acquired_at timestamp)"));
    Map<String, PeriodicTables.Series> tables =
        PeriodicTables.covering(series(config), from, through);
    Map<String, PeriodicTables.Series> index = new TreeMap<>();
    Map<String, PeriodicTables.Series> chunks = new TreeMap<>();
    tables.forEach(
        (name, s) -> (s.kind() == PeriodicTables.Kind.INDEX ? index : chunks).put(name, s));
    for (Map.Entry<String, PeriodicTables.Series> e : index.entrySet()) {
      out.add(new Statement("index tables", e.getKey(), tableCql(o.keyspace(), e.getKey(), o.index(), e.getValue())));
    }
    for (Map.Entry<String, PeriodicTables.Series> e : chunks.entrySet()) {
      out.add(new Statement("chunk tables", e.getKey(), tableCql(o.keyspace(), e.getKey(), o.chunks(), e.getValue())));
    }
    for (PeriodicTables.Series s : new java.util.LinkedHashSet<>(tables.values())) {
      warnings.addAll(warnings(s, s.kind() == PeriodicTables.Kind.INDEX ? o.index() : o.chunks()));
    }
    return new Ddl(out, warnings.stream().distinct().toList());
  }

  /** The periodic table series of a schema config (index and chunk tables of each period). */
  public static List<PeriodicTables.Series> series(SchemaConfig config) {
    List<PeriodicTables.Series> out = new ArrayList<>();
    List<PeriodConfig> ps = config.periods();
    for (int i = 0; i < ps.size(); i++) {
      PeriodConfig p = ps.get(i);
      Instant from = Instant.ofEpochMilli(p.fromMs());
      Instant until = i + 1 < ps.size() ? Instant.ofEpochMilli(ps.get(i + 1).fromMs()) : null;
      if ("cassandra".equals(p.store())) {
        out.add(
            new PeriodicTables.Series(
                p.index().prefix(), Duration.ofMillis(p.index().periodMs()), from, until,
                PeriodicTables.Kind.INDEX));
      }
      if ("cassandra".equals(p.objectStore()) && !p.chunks().prefix().isEmpty()) {
        out.add(
            new PeriodicTables.Series(
                p.chunks().prefix(), Duration.ofMillis(p.chunks().periodMs()), from, until,
                PeriodicTables.Kind.CHUNK));
      }
    }
    return out;
  }

  /** {@code CREATE KEYSPACE IF NOT EXISTS ...}. */
  public static String keyspaceCql(Options o) {
    StringBuilder b = new StringBuilder("CREATE KEYSPACE IF NOT EXISTS ").append(o.keyspace());
    b.append(" WITH replication = {'class': '").append(o.replicationClass()).append('\'');
    o.replication().forEach((k, v) -> b.append(", '").append(k).append("': '").append(v).append('\''));
    return b.append("} AND durable_writes = true").toString();
  }

  /** The option clause (after {@code WITH}) of a table of {@code s} with {@code t}. */
  public static String optionsCql(TableOptions t, PeriodicTables.Series s) {
    Map<String, String> compaction = compactionMap(t, s);
    StringBuilder b = new StringBuilder("compaction = ").append(map(compaction));
    b.append("\n  AND compression = {'class': '").append(t.compression()).append('\'');
    if (t.compressionChunkKb() > 0 && !t.compression().equals("none")) {
      b.append(", 'chunk_length_in_kb': '").append(t.compressionChunkKb()).append('\'');
    }
    b.append("}");
    b.append("\n  AND gc_grace_seconds = ").append(t.gcGraceSeconds());
    b.append("\n  AND default_time_to_live = ").append(t.defaultTtlSeconds());
    if (t.extra() != null && !t.extra().isBlank()) {
      b.append("\n  AND ").append(t.extra());
    }
    return b.toString();
  }

  /** The compaction map (short class names, as CQL accepts them). */
  public static Map<String, String> compactionMap(TableOptions t, PeriodicTables.Series s) {
    Map<String, String> m = new LinkedHashMap<>();
    switch (t.compaction()) {
      case "TWCS" -> {
        Duration w = window(t, s);
        m.put("class", "TimeWindowCompactionStrategy");
        if (w.toHours() % 24 == 0) {
          m.put("compaction_window_unit", "DAYS");
          m.put("compaction_window_size", Long.toString(w.toDays()));
        } else {
          m.put("compaction_window_unit", "HOURS");
          m.put("compaction_window_size", Long.toString(w.toHours()));
        }
      }
      case "LCS" -> {
        m.put("class", "LeveledCompactionStrategy");
        m.put("sstable_size_in_mb", "160");
      }
      case "UCS" -> m.put("class", "UnifiedCompactionStrategy");
      default -> m.put("class", "SizeTieredCompactionStrategy");
    }
    return m;
  }

  /** The TWCS window: configured, else table period / 7 in whole hours (at least 1 h). */
  public static Duration window(TableOptions t, PeriodicTables.Series s) {
    if (t.window() != null) {
      return t.window();
    }
    long hours = s.period().toHours() / 7;
    return Duration.ofHours(Math.max(1, hours));
  }

  private static String tableCql(
      String keyspace, String table, TableOptions t, PeriodicTables.Series s) {
    return "CREATE TABLE IF NOT EXISTS " + keyspace + "." + table
        + " (hash text, range blob, value blob, PRIMARY KEY (hash, range))\n  WITH "
        + optionsCql(t, s);
  }

  private static List<String> warnings(PeriodicTables.Series s, TableOptions t) {
    List<String> w = new ArrayList<>();
    String what = s.kind() == PeriodicTables.Kind.INDEX ? "index" : "chunk";
    if (t.compaction().equals("TWCS") && t.defaultTtlSeconds() > 0) {
      long windows = (t.defaultTtlSeconds() + window(t, s).toSeconds() - 1) / window(t, s).toSeconds();
      if (windows > 50) {
        w.add(
            what + " tables " + s.prefix() + "*: " + windows + " TWCS windows per TTL (over 50);"
                + " use a window of at least " + (t.defaultTtlSeconds() / 50 / 3600 + 1) + "h");
      }
    }
    if (s.kind() == PeriodicTables.Kind.CHUNK && t.compaction().equals("STCS")) {
      w.add("chunk tables " + s.prefix() + "*: STCS keeps rewriting old chunks; TWCS is the time-series choice");
    }
    if (t.defaultTtlSeconds() > 0 && !t.compaction().equals("TWCS")) {
      w.add(what + " tables " + s.prefix() + "*: a TTL without TWCS leaves expired data in mixed SSTables");
    }
    return w;
  }

  private static String map(Map<String, String> m) {
    StringBuilder b = new StringBuilder("{");
    Iterator<Map.Entry<String, String>> it = m.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, String> e = it.next();
      b.append('\'').append(e.getKey()).append("': '").append(e.getValue()).append('\'');
      if (it.hasNext()) {
        b.append(", ");
      }
    }
    return b.append('}').toString();
  }

  /**
   * Parses a DDL options file strictly (unknown keys are errors naming them):
   *
   * <pre>
   * keyspace: theseus
   * replication: {class: NetworkTopologyStrategy, dc1: 3, dc2: 3}   # or {class: SimpleStrategy, replication_factor: 3}
   * index_tables: {compaction: LCS, gc_grace_seconds: 864000, default_time_to_live: 0,
   *                compression: LZ4Compressor, chunk_length_in_kb: 16, extra: "caching = {...}"}
   * chunk_tables: {compaction: TWCS, window: 24h, ...}
   * </pre>
   */
  public static Options parseOptions(String yaml, Options base) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("DDL options are not valid YAML: " + e.getOriginalMessage());
    }
    if (root == null || root.isNull() || root.isMissingNode()) {
      return base;
    }
    only(root, Set.of("keyspace", "replication", "index_tables", "chunk_tables"), "DDL options");
    Options o = base;
    if (root.has("keyspace")) {
      o = o.withKeyspace(root.get("keyspace").asText());
    }
    if (root.has("replication")) {
      JsonNode r = root.get("replication");
      String cls = r.path("class").asText("SimpleStrategy");
      Map<String, Integer> rf = new TreeMap<>();
      r.fields().forEachRemaining(
          e -> {
            if (!e.getKey().equals("class")) {
              if (!e.getValue().canConvertToInt()) {
                throw new IllegalArgumentException(
                    "replication." + e.getKey() + " must be an integer, got " + e.getValue());
              }
              rf.put(e.getKey(), e.getValue().asInt());
            }
          });
      o = o.withReplication(cls, rf);
    }
    TableOptions idx = root.has("index_tables") ? table(root.get("index_tables"), o.index(), "index_tables") : o.index();
    TableOptions chk = root.has("chunk_tables") ? table(root.get("chunk_tables"), o.chunks(), "chunk_tables") : o.chunks();
    return new Options(o.keyspace(), o.replication(), o.replicationClass(), idx, chk);
  }

  private static TableOptions table(JsonNode n, TableOptions base, String where) {
    only(
        n,
        Set.of("compaction", "window", "gc_grace_seconds", "default_time_to_live", "compression",
            "chunk_length_in_kb", "extra"),
        where);
    Duration window = base.window();
    if (n.has("window")) {
      String w = n.get("window").asText();
      if (!w.matches("\\d+[hd]")) {
        throw new IllegalArgumentException(where + ".window must look like 6h or 1d, got '" + w + "'");
      }
      long v = Long.parseLong(w.substring(0, w.length() - 1));
      window = w.endsWith("d") ? Duration.ofDays(v) : Duration.ofHours(v);
    }
    return new TableOptions(
        n.path("compaction").asText(base.compaction()),
        window,
        intField(n, "gc_grace_seconds", base.gcGraceSeconds(), where),
        intField(n, "default_time_to_live", base.defaultTtlSeconds(), where),
        n.path("compression").asText(base.compression()),
        intField(n, "chunk_length_in_kb", base.compressionChunkKb(), where),
        n.has("extra") ? n.get("extra").asText() : base.extra());
  }

  private static int intField(JsonNode n, String f, int dflt, String where) {
    if (!n.has(f)) {
      return dflt;
    }
    if (!n.get(f).canConvertToInt()) {
      throw new IllegalArgumentException(where + "." + f + " must be an integer, got " + n.get(f));
    }
    return n.get(f).asInt();
  }

  private static void only(JsonNode n, Set<String> keys, String where) {
    if (!n.isObject()) {
      throw new IllegalArgumentException(where + " must be a map");
    }
    n.fieldNames().forEachRemaining(
        k -> {
          if (!keys.contains(k)) {
            throw new IllegalArgumentException(
                where + ": unknown key '" + k + "' (allowed: " + new java.util.TreeSet<>(keys) + ")");
          }
        });
  }
}
