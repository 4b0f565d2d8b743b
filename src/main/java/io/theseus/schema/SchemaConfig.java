package io.theseus.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Cortex chunks-storage schema config (cortex-chunks.md §2): a list of periods with strictly
 * increasing {@code from} days. Parsed strictly from YAML: the root is {@code configs: [...]}, or
 * {@code schema: {configs: [...]}} (the wrapper of a Theseus/Cortex main config); unknown keys,
 * wrong types, bad dates and durations are errors that name the field and the period.
 *
 * <p>Time routing follows Cortex: the period holding {@code t} is the last with {@code from <= t};
 * a [from, through] range crossing a period start is split like Cortex's {@code forStores}; chunks
 * go to the chunk table of the period holding {@code chunk.from}.
 *
 * <p>Immutable and thread-safe.
 */
public final class SchemaConfig {
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
  private static final Set<String> PERIOD_KEYS =
      Set.of("from", "store", "object_store", "schema", "index", "chunks", "row_shards");
  private static final Set<String> TABLE_KEYS = Set.of("prefix", "period", "tags");

  private final List<PeriodConfig> periods;
  private final long[] starts;

  /** A part of a time range that falls into one period; times in ms, inclusive. */
  public record PeriodRange(PeriodConfig period, long from, long through) {}

  private SchemaConfig(List<PeriodConfig> periods) {
    if (periods.isEmpty()) {
      throw new SchemaConfigException("schema config has no periods under 'configs'");
    }
    this.periods = List.copyOf(periods);
    this.starts = new long[periods.size()];
    for (int i = 0; i < periods.size(); i++) {
      starts[i] = periods.get(i).fromMs();
      if (i > 0 && starts[i] <= starts[i - 1]) {
        throw new SchemaConfigException(
            "schema config period "
                + i
                + " (from "
                + periods.get(i).from()
                + "): 'from' must be after the previous period's from "
                + periods.get(i - 1).from());
      }
    }
  }

  /** A config of the given periods (validated: increasing {@code from}). */
  public static SchemaConfig of(List<PeriodConfig> periods) {
    return new SchemaConfig(periods);
  }

  /**
   * The config used when none is given: one v11 period from 2020-01-01 with weekly tables
   * {@code index_<n>} and {@code chunk_<n>} and 16 row shards (the same as
   * {@code schema/examples/v11.yaml} apart from the start date).
   */
  public static SchemaConfig builtIn() {
    return parse(BUILT_IN);
  }

  /** The YAML text of {@link #builtIn()}. */
  public static final String BUILT_IN =
      """
      configs:
        - from: 2020-01-01
          store: cassandra
          object_store: cassandra
          schema: v11
          row_shards: 16
          index: {prefix: index_, period: 168h}
          chunks: {prefix: chunk_, period: 168h}
      """;

  /** Reads and parses a YAML file; errors name the file. */
  public static SchemaConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new SchemaConfigException("cannot read schema config " + file + ": " + e.getMessage());
    }
    try {
      return parse(text);
    } catch (SchemaConfigException e) {
      throw new SchemaConfigException(file + ": " + e.getMessage());
    }
  }

  /** Parses YAML text strictly. */
  public static SchemaConfig parse(String yaml) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new SchemaConfigException("schema config is not valid YAML: " + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new SchemaConfigException("schema config is empty (expected 'configs:')");
    }
    if (!root.isObject()) {
      throw new SchemaConfigException("schema config root must be a map with 'configs'");
    }
    if (root.has("schema") && !root.has("configs")) {
      onlyKeys(root, Set.of("schema"), "schema config root");
      root = root.get("schema");
      if (!root.isObject()) {
        throw new SchemaConfigException("'schema' must be a map with 'configs'");
      }
    }
    onlyKeys(root, Set.of("configs"), "schema config root");
    JsonNode configs = root.get("configs");
    if (configs == null || !configs.isArray()) {
      throw new SchemaConfigException("schema config: 'configs' must be a list of periods");
    }
    List<PeriodConfig> periods = new ArrayList<>();
    for (int i = 0; i < configs.size(); i++) {
      periods.add(parsePeriod(i, configs.get(i)));
    }
    return new SchemaConfig(periods);
  }

  private static PeriodConfig parsePeriod(int i, JsonNode n) {
    String where = "schema config period " + i;
    if (!n.isObject()) {
      throw new SchemaConfigException(where + ": must be a map");
    }
    String fromText = text(n, "from", where);
    if (fromText == null) {
      throw new SchemaConfigException(where + ": 'from' is required (YYYY-MM-DD)");
    }
    LocalDate from;
    try {
      if (!fromText.matches("\\d{4}-\\d{2}-\\d{2}")) {
        throw new DateTimeParseException("", fromText, 0);
      }
      from = LocalDate.parse(fromText);
    } catch (DateTimeParseException e) {
      throw new SchemaConfigException(
          where + ": 'from' must be a date YYYY-MM-DD, got '" + fromText + "'");
    }
    where = where + " (from " + from + ")";
    onlyKeys(n, PERIOD_KEYS, where);
    String schema = text(n, "schema", where);
    Integer rowShards = null;
    JsonNode rs = n.get("row_shards");
    if (rs != null && !rs.isNull()) {
      if (!rs.canConvertToInt() || !rs.isIntegralNumber() || rs.asLong() < 0) {
        throw new SchemaConfigException(
            where + ": 'row_shards' must be a non-negative integer, got " + rs);
      }
      rowShards = rs.asInt();
    }
    if (rowShards == null) {
      rowShards = "v10".equals(schema) || "v11".equals(schema) ? 16 : 0;
    }
    try {
      return new PeriodConfig(
          from,
          text(n, "store", where),
          text(n, "object_store", where),
          schema,
          table(n, "index", where),
          table(n, "chunks", where),
          rowShards);
    } catch (SchemaConfigException e) {
      throw new SchemaConfigException(
          e.getMessage()
              .replace("schema config period from", "schema config period " + i + " from"));
    }
  }

  private static PeriodicTableConfig table(JsonNode n, String key, String where) {
    JsonNode t = n.get(key);
    if (t == null || t.isNull()) {
      return null;
    }
    if (!t.isObject()) {
      throw new SchemaConfigException(where + ": '" + key + "' must be a map with prefix, period");
    }
    onlyKeys(t, TABLE_KEYS, where + " '" + key + "'");
    JsonNode tags = t.get("tags");
    if (tags != null && !tags.isNull() && !tags.isObject()) {
      throw new SchemaConfigException(where + ": '" + key + ".tags' must be a map");
    }
    String prefix = text(t, "prefix", where + " '" + key + "'");
    String period = text(t, "period", where + " '" + key + "'");
    long periodMs;
    try {
      periodMs = period == null ? 0 : PromDuration.parseMillis(period);
    } catch (IllegalArgumentException e) {
      throw new SchemaConfigException(where + ": '" + key + ".period': " + e.getMessage());
    }
    if (periodMs % 1000 != 0) {
      throw new SchemaConfigException(
          where + ": '" + key + ".period' must be whole seconds, got " + period);
    }
    return new PeriodicTableConfig(prefix == null ? "" : prefix, periodMs);
  }

  private static String text(JsonNode n, String key, String where) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode()) {
      throw new SchemaConfigException(where + ": '" + key + "' must be a scalar, got " + v);
    }
    return v.asText();
  }

  private static void onlyKeys(JsonNode n, Set<String> allowed, String where) {
    for (Iterator<Map.Entry<String, JsonNode>> it = ((ObjectNode) n).fields(); it.hasNext(); ) {
      String k = it.next().getKey();
      if (!allowed.contains(k)) {
        throw new SchemaConfigException(
            where
                + ": unknown field '"
                + k
                + "' (allowed: "
                + String.join(", ", sorted(allowed))
                + ")");
      }
    }
  }

  private static List<String> sorted(Set<String> s) {
    List<String> l = new ArrayList<>(s);
    l.sort(null);
    return l;
  }

  /**
   * Parses a Prometheus duration ({@code 168h}, {@code 1w}, {@code 7d}, {@code 0}) to ms.
   *
   * @throws IllegalArgumentException naming the text
   */
  public static long parseDurationMillis(String text) {
    return PromDuration.parseMillis(text);
  }

  /** The periods, oldest first. */
  public List<PeriodConfig> periods() {
    return periods;
  }

  /** The period holding {@code ms}: the last with {@code from <= ms}; null before the first. */
  public PeriodConfig periodFor(long ms) {
    for (int i = starts.length - 1; i >= 0; i--) {
      if (starts[i] <= ms) {
        return periods.get(i);
      }
    }
    return null;
  }

  /**
   * Splits [from, through] (ms, inclusive) into per-period parts exactly as Cortex's {@code
   * compositeStore.forStores}: a range starting before the first period is clipped to its start;
   * each part ends one ms before the next period starts.
   */
  public List<PeriodRange> split(long from, long through) {
    List<PeriodRange> out = new ArrayList<>();
    int i = 0;
    while (i < starts.length && starts[i] <= from) {
      i++;
    }
    if (i > 0) {
      i--;
    } else {
      from = starts[0];
    }
    int j = 0;
    while (j < starts.length && starts[j] <= through) {
      j++;
    }
    long start = from;
    for (; i < j; i++) {
      long next = i + 1 < starts.length ? starts[i + 1] : Long.MAX_VALUE;
      long end = Math.min(through, next - 1);
      out.add(new PeriodRange(periods.get(i), start, end));
      start = next;
    }
    return out;
  }

  /** The index table of the period holding {@code ms}, for time {@code ms}. */
  public String indexTableFor(long ms) {
    return requirePeriod(ms).index().tableFor(ms);
  }

  /** The chunk table for a chunk starting at {@code ms} (Cortex {@code ChunkTableFor}). */
  public String chunkTableFor(long ms) {
    return requirePeriod(ms).chunks().tableFor(ms);
  }

  private PeriodConfig requirePeriod(long ms) {
    PeriodConfig p = periodFor(ms);
    if (p == null) {
      throw new IllegalArgumentException(
          "no schema period holds time "
              + ms
              + " (first period starts "
              + periods.get(0).from()
              + ")");
    }
    return p;
  }

  @Override
  public String toString() {
    return "SchemaConfig" + periods;
  }
}
