package io.theseus.schema;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Set;

/**
 * One period of a Cortex schema config: from {@code from} (UTC midnight) until the next period's
 * {@code from}, index entries are laid out by schema {@code schema} in the {@code index} tables and
 * chunks are stored in the {@code chunks} tables. Immutable; validated on construction.
 *
 * @param from first day of the period (UTC)
 * @param store index client name, e.g. {@code cassandra}
 * @param objectStore chunk client name; defaults to {@code store}
 * @param schema schema version {@code v1}..{@code v11}
 * @param index periodic index tables
 * @param chunks periodic chunk tables
 * @param rowShards row shards (v10/v11; default 16 there, 0 elsewhere)
 */
public record PeriodConfig(
    LocalDate from,
    String store,
    String objectStore,
    String schema,
    PeriodicTableConfig index,
    PeriodicTableConfig chunks,
    int rowShards) {

  /** Schema versions Theseus implements (v7 and v8 were removed from Cortex in 2018). */
  public static final Set<String> VERSIONS =
      Set.of("v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11");

  /** Object stores that keep chunks in tables, so {@code chunks.prefix} is required. */
  static final Set<String> TABLE_STORES =
      Set.of(
          "cassandra",
          "aws",
          "aws-dynamo",
          "bigtable",
          "bigtable-hashed",
          "gcp",
          "gcp-columnkey",
          "grpc-store");

  private static final long HOUR_MS = 3_600_000L;
  private static final long DAY_MS = 86_400_000L;

  public PeriodConfig {
    String where = "schema config period from " + from;
    if (from == null) {
      throw new SchemaConfigException("schema config period without 'from'");
    }
    if (store == null || store.isEmpty()) {
      throw new SchemaConfigException(where + ": 'store' is required");
    }
    if (objectStore == null || objectStore.isEmpty()) {
      objectStore = store;
    }
    if (schema == null || !VERSIONS.contains(schema)) {
      throw new SchemaConfigException(
          where
              + ": invalid 'schema' "
              + (schema == null ? "(missing)" : "'" + schema + "'")
              + ", must be one of v1..v11");
    }
    if (index == null) {
      index = new PeriodicTableConfig("", 0);
    }
    if (chunks == null) {
      chunks = new PeriodicTableConfig("", 0);
    }
    if (index.prefix().isEmpty()) {
      throw new SchemaConfigException(where + ": 'index.prefix' is required");
    }
    if (TABLE_STORES.contains(objectStore) && chunks.prefix().isEmpty()) {
      throw new SchemaConfigException(
          where + ": 'chunks.prefix' is required when object_store is " + objectStore);
    }
    if ("cassandra".equals(store)) {
      checkTableName(where, "index.prefix", index.prefix());
    }
    if ("cassandra".equals(objectStore)) {
      checkTableName(where, "chunks.prefix", chunks.prefix());
    }
    long bucket = "v1".equals(schema) ? HOUR_MS : DAY_MS;
    String bucketText = "v1".equals(schema) ? "1h" : "24h";
    if (index.periodMs() % bucket != 0) {
      throw new SchemaConfigException(
          where
              + ": 'index.period' "
              + PromDuration.format(index.periodMs())
              + " must be a multiple of the "
              + schema
              + " bucket period "
              + bucketText);
    }
    if (chunks.periodMs() % bucket != 0) {
      throw new SchemaConfigException(
          where
              + ": 'chunks.period' "
              + PromDuration.format(chunks.periodMs())
              + " must be a multiple of the "
              + schema
              + " bucket period "
              + bucketText);
    }
    if (rowShards < 0) {
      throw new SchemaConfigException(where + ": 'row_shards' must not be negative: " + rowShards);
    }
    if (("v10".equals(schema) || "v11".equals(schema)) && rowShards == 0) {
      throw new SchemaConfigException(
          where + ": 'row_shards' must be > 0 for schema " + schema + " (current: 0)");
    }
  }

  private static void checkTableName(String where, String field, String prefix) {
    if (!prefix.matches("[A-Za-z][A-Za-z0-9_]{0,39}")) {
      throw new SchemaConfigException(
          where
              + ": '"
              + field
              + "' '"
              + prefix
              + "' is not a valid Cassandra table name prefix (letter, then letters, digits, _)");
    }
  }

  /** Start of the period in Unix milliseconds. */
  public long fromMs() {
    return from.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  /** The numeric schema version, 1..11. */
  public int version() {
    return Integer.parseInt(schema.substring(1));
  }

  /** The index layout of this period. */
  public IndexSchema indexSchema() {
    return IndexSchema.of(this);
  }

  @Override
  public String toString() {
    return schema + " from " + from + " (" + Instant.ofEpochMilli(fromMs()) + ")";
  }
}
