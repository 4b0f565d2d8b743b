package io.theseus.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricNameIndexTest {
  static final IndexSchema V11 =
      IndexSchema.of("v11", new PeriodicTableConfig("index_", 604_800_000L), 16);

  @Test
  void entries_workedExampleOneRowPerDay() {
    List<IndexSchema.BucketEntries> b =
        MetricNameIndex.entries(
            V11, "t1", WorkedExampleTest.FROM, WorkedExampleTest.THROUGH, "http_requests_total");
    assertThat(b)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.entries())
                  .containsExactly(
                      new IndexEntry(
                          "index_2684",
                          "t1:d18793:~names",
                          HexFormat.of()
                              .parseHex("687474705f72657175657374735f746f74616c0000007400"),
                          new byte[] {'-'}));
              assertThat(x.cacheKey())
                  .isEqualTo(
                      HexFormat.of()
                          .formatHex("index_2684-t1:d18793-~names-http_requests_total".getBytes()));
            });
  }

  @Test
  void entries_v1HourlyBuckets() {
    IndexSchema v1 = IndexSchema.of("v1", new PeriodicTableConfig("index_", 604_800_000L), 0);
    assertThat(
            MetricNameIndex.entries(
                v1, "t1", WorkedExampleTest.FROM, WorkedExampleTest.THROUGH, "m"))
        .hasSize(7)
        .first()
        .satisfies(x -> assertThat(x.entries().get(0).hash()).isEqualTo("t1:451042:~names"));
  }

  @Test
  void queries_wholeRowPerDay() {
    long day = 86_400_000L;
    assertThat(MetricNameIndex.queries(V11, "t1", 1623715200000L, 1623715200000L + day))
        .containsExactly(
            IndexQuery.wholeRow("index_2684", "t1:d18793:~names"),
            IndexQuery.wholeRow("index_2684", "t1:d18794:~names"));
  }

  @Test
  void parse_rejectsCortexRows() {
    assertThatThrownBy(() -> MetricNameIndex.parse(WorkedExampleTest.V9_METRIC.range()))
        .hasMessageContaining("not a Theseus metric-names range");
    assertThatThrownBy(() -> MetricNameIndex.entries(V11, "t1", 0, 1, ""))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
