package io.theseus.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SchemaConfigTest {
  static final String TWO =
      """
      configs:
        - from: 2021-01-01
          store: cassandra
          schema: v6
          index: {prefix: index_, period: 1w}
          chunks: {prefix: chunk_, period: 7d}
        - from: 2021-06-01
          store: cassandra
          object_store: cassandra
          schema: v11
          index: {prefix: idx_, period: 168h}
          chunks: {prefix: chk_, period: 168h}
      """;
  static final long JUNE_1 = 1622505600000L;

  @Test
  void parse_twoPeriods() {
    SchemaConfig c = SchemaConfig.parse(TWO);
    assertThat(c.periods()).hasSize(2);
    PeriodConfig p0 = c.periods().get(0);
    assertThat(p0.from()).isEqualTo(LocalDate.of(2021, 1, 1));
    assertThat(p0.objectStore()).isEqualTo("cassandra");
    assertThat(p0.index()).isEqualTo(new PeriodicTableConfig("index_", 604_800_000L));
    assertThat(p0.chunks().periodMs()).isEqualTo(604_800_000L);
    assertThat(p0.rowShards()).isZero();
    assertThat(c.periods().get(1).rowShards()).isEqualTo(16);
    assertThat(c.periods().get(1).fromMs()).isEqualTo(JUNE_1);
  }

  @Test
  void parse_schemaWrapper() {
    SchemaConfig c = SchemaConfig.parse("schema:\n" + TWO.indent(2));
    assertThat(c.periods()).hasSize(2);
  }

  @Test
  void periodFor_lastPeriodStartingAtOrBefore() {
    SchemaConfig c = SchemaConfig.parse(TWO);
    assertThat(c.periodFor(JUNE_1 - 1).schema()).isEqualTo("v6");
    assertThat(c.periodFor(JUNE_1).schema()).isEqualTo("v11");
    assertThat(c.periodFor(0)).isNull();
    // 2021-06-15T10:30Z: week 2684 in the v11 period's tables.
    assertThat(c.indexTableFor(1623753000000L)).isEqualTo("idx_2684");
    assertThat(c.chunkTableFor(1623753000000L)).isEqualTo("chk_2684");
    assertThat(c.chunkTableFor(JUNE_1 - 1)).isEqualTo("chunk_2682");
    assertThatThrownBy(() -> c.chunkTableFor(0)).hasMessageContaining("no schema period");
  }

  @Test
  void split_acrossPeriodStart() {
    SchemaConfig c = SchemaConfig.parse(TWO);
    List<SchemaConfig.PeriodRange> parts = c.split(JUNE_1 - 5000, JUNE_1 + 5000);
    assertThat(parts).hasSize(2);
    assertThat(parts.get(0).period().schema()).isEqualTo("v6");
    assertThat(parts.get(0).from()).isEqualTo(JUNE_1 - 5000);
    assertThat(parts.get(0).through()).isEqualTo(JUNE_1 - 1);
    assertThat(parts.get(1).period().schema()).isEqualTo("v11");
    assertThat(parts.get(1).from()).isEqualTo(JUNE_1);
    assertThat(parts.get(1).through()).isEqualTo(JUNE_1 + 5000);
    assertThat(c.split(JUNE_1 + 1, JUNE_1 + 2))
        .singleElement()
        .extracting(SchemaConfig.PeriodRange::from)
        .isEqualTo(JUNE_1 + 1);
    // Before the first period: clipped to its start (Cortex forStores).
    long jan1 = 1609459200000L;
    assertThat(c.split(jan1 - 10, jan1 + 10))
        .singleElement()
        .extracting(SchemaConfig.PeriodRange::from)
        .isEqualTo(jan1);
    assertThat(c.split(0, 10)).isEmpty();
  }

  @Test
  void tableFor_periodZeroIsPrefix() {
    assertThat(new PeriodicTableConfig("index", 0).tableFor(1623753000000L)).isEqualTo("index");
  }

  static String period(String schema, String extra) {
    return "configs:\n  - from: 2021-01-01\n    store: cassandra\n    schema: "
        + schema
        + "\n"
        + "    index: {prefix: index_, period: 168h}\n"
        + "    chunks: {prefix: chunk_, period: 168h}\n"
        + extra;
  }

  @Test
  void parse_rowShards() {
    assertThat(
            SchemaConfig.parse(period("v10", "    row_shards: 32\n")).periods().get(0).rowShards())
        .isEqualTo(32);
    assertThatThrownBy(() -> SchemaConfig.parse(period("v11", "    row_shards: 0\n")))
        .isInstanceOf(SchemaConfigException.class)
        .hasMessageContaining("row_shards")
        .hasMessageContaining("2021-01-01")
        .hasMessageContaining("v11");
    assertThatThrownBy(() -> SchemaConfig.parse(period("v9", "    row_shards: -1\n")))
        .hasMessageContaining("row_shards");
  }

  @Test
  void parse_errorsNameFieldAndPeriod() {
    assertThatThrownBy(() -> SchemaConfig.parse(period("v12", "")))
        .hasMessageContaining("'schema'")
        .hasMessageContaining("v12")
        .hasMessageContaining("period 0");
    assertThatThrownBy(() -> SchemaConfig.parse(period("v9", "    bogus: 1\n")))
        .hasMessageContaining("unknown field 'bogus'")
        .hasMessageContaining("2021-01-01");
    assertThatThrownBy(() -> SchemaConfig.parse(TWO + "other: 1\n"))
        .hasMessageContaining("unknown field 'other'");
    assertThatThrownBy(
            () ->
                SchemaConfig.parse(
                    period("v9", "")
                        .replace("period: 168h}\n    chunks", "period: 36h}\n    chunks")))
        .hasMessageContaining(
            "'index.period' 1d12h must be a multiple of the v9 bucket period 24h");
    assertThatThrownBy(
            () ->
                SchemaConfig.parse(
                    period("v9", "")
                        .replace(
                            "chunks: {prefix: chunk_, period: 168h}",
                            "chunks: {prefix: chunk_, period: 2x}")))
        .hasMessageContaining("'chunks.period'")
        .hasMessageContaining("2x");
    assertThatThrownBy(() -> SchemaConfig.parse(period("v9", "").replace("prefix: chunk_, ", "")))
        .hasMessageContaining("'chunks.prefix' is required");
    assertThatThrownBy(
            () -> SchemaConfig.parse(period("v9", "").replace("2021-01-01", "2021-13-01")))
        .hasMessageContaining("'from' must be a date")
        .hasMessageContaining("2021-13-01");
    assertThatThrownBy(
            () -> SchemaConfig.parse(period("v9", "").replace("    store: cassandra\n", "")))
        .hasMessageContaining("'store' is required");
    assertThatThrownBy(() -> SchemaConfig.parse("configs: []\n"))
        .hasMessageContaining("no periods");
    assertThatThrownBy(() -> SchemaConfig.parse("configs: [\n"))
        .hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> SchemaConfig.parse(period("v9", "    schema: v10\n")))
        .hasMessageContaining("schema");
  }

  @Test
  void parse_v1AllowsHourMultiples() {
    String v1 =
        period("v1", "")
            .replace("168h}\n    chunks", "3h}\n    chunks")
            .replace("chunk_, period: 168h", "chunk_, period: 5h");
    assertThat(SchemaConfig.parse(v1).periods().get(0).index().periodMs())
        .isEqualTo(3 * 3_600_000L);
    assertThatThrownBy(() -> SchemaConfig.parse(v1.replace("3h}", "90m}")))
        .hasMessageContaining("multiple of the v1 bucket period 1h");
  }

  @Test
  void parse_fromNotIncreasing() {
    String bad = TWO.replace("2021-06-01", "2021-01-01");
    assertThatThrownBy(() -> SchemaConfig.parse(bad))
        .isInstanceOf(SchemaConfigException.class)
        .hasMessageContaining("'from' must be after")
        .hasMessageContaining("period 1");
  }

  @Test
  void durations_prometheusSyntax() {
    assertThat(PromDuration.parseMillis("168h")).isEqualTo(604_800_000L);
    assertThat(PromDuration.parseMillis("1w")).isEqualTo(604_800_000L);
    assertThat(PromDuration.parseMillis("7d")).isEqualTo(604_800_000L);
    assertThat(PromDuration.parseMillis("1d12h")).isEqualTo(129_600_000L);
    assertThat(PromDuration.parseMillis("0")).isZero();
    assertThatThrownBy(() -> PromDuration.parseMillis("1h1d")).hasMessageContaining("1h1d");
    assertThatThrownBy(() -> PromDuration.parseMillis(""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(PromDuration.format(604_800_000L)).isEqualTo("1w");
  }

  @Test
  void examples_allVersionsValid() throws Exception {
    Path dir = Path.of(System.getProperty("user.dir"), "schema", "examples");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    List<String> versions =
        files.stream()
            .map(
                p ->
                    SchemaConfig.load(p)
                        .periods()
                        .get(SchemaConfig.load(p).periods().size() - 1)
                        .schema())
            .toList();
    assertThat(versions)
        .containsAll(List.of("v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11"));
    for (Path p : files) {
      String name = p.getFileName().toString();
      if (name.matches("v\\d+\\.yaml")) {
        assertThat(SchemaConfig.load(p).periods().get(0).schema())
            .isEqualTo(name.substring(0, name.length() - 5));
      }
    }
  }

  @Test
  void builtIn_isOneV11PeriodWithWeeklyTables() {
    SchemaConfig c = SchemaConfig.builtIn();
    assertThat(c.periods()).hasSize(1);
    PeriodConfig p = c.periods().get(0);
    assertThat(p.from()).isEqualTo(LocalDate.of(2020, 1, 1));
    assertThat(p.rowShards()).isEqualTo(16);
    assertThat(p.index()).isEqualTo(new PeriodicTableConfig("index_", 604_800_000L));
    assertThat(p.chunks()).isEqualTo(new PeriodicTableConfig("chunk_", 604_800_000L));
    // 2021-06-15 is in weekly table 2684 (cortex-chunks.md §3.5).
    assertThat(c.indexTableFor(1623753000000L)).isEqualTo("index_2684");
  }
}
