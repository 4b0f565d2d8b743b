package io.theseus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SchemaEstimateCommandTest {
  @Test
  void estimate_millionSeries_reportsHandComputedFigures() {
    // 1M series at 15 s: 5,760 samples/series/day; 700-sample chunks -> 8.2 chunks/series/day.
    SchemaPrintCommandTest.Run r =
        SchemaPrintCommandTest.run(
            "schema", "estimate", "--series", "1000000", "--scrape-interval", "15s",
            "--retention", "30d", "--rf", "3");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("samples/day           5,760,000,000")
        .contains("chunks/day            8,228,571 (8.2 per series)")
        // (5760 * 1.4 + 8.2286 * 150) * 1e6 B = 9,298.3 MB = 8.7 GiB
        .contains("chunk data/day        8.7 GiB per replica");
  }

  @Test
  void estimate_hugeMetric_warnsAndSuggestsShards() {
    SchemaPrintCommandTest.Run r =
        SchemaPrintCommandTest.run(
            "schema", "estimate", "--series", "5000000", "--largest-metric-series", "2000000");
    assertThat(r.out()).contains("WARNING: the metric-name row of a day exceeds 100 MB")
        .contains("--row-shards 2");
  }

  @Test
  void estimate_badInterval_failsNamingIt() {
    SchemaPrintCommandTest.Run r =
        SchemaPrintCommandTest.run("schema", "estimate", "--series", "10", "--scrape-interval", "fast");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--scrape-interval 'fast'");
  }
}
