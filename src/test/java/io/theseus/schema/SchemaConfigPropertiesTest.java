package io.theseus.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** Period routing properties against a brute-force reading of the rules. */
class SchemaConfigPropertiesTest {
  static final SchemaConfig CONFIG =
      SchemaConfig.parse(
          """
configs:
  - {from: 2021-01-01, store: cassandra, schema: v6, index: {prefix: a_, period: 24h}, chunks: {prefix: c_, period: 24h}}
  - {from: 2021-01-05, store: cassandra, schema: v9, index: {prefix: b_, period: 168h}, chunks: {prefix: c_, period: 168h}}
  - {from: 2021-01-06, store: cassandra, schema: v11, index: {prefix: d_, period: 0}, chunks: {prefix: e_, period: 0}}
""");
  static final long FIRST = 1609459200000L; // 2021-01-01

  @Property
  void split_partsAreContiguousAndInTheirPeriod(
      @ForAll @LongRange(min = FIRST - 86_400_000L, max = FIRST + 10 * 86_400_000L) long from,
      @ForAll @LongRange(min = 0, max = 6 * 86_400_000L) long len) {
    long through = from + len;
    List<SchemaConfig.PeriodRange> parts = CONFIG.split(from, through);
    if (through < FIRST) {
      assertThat(parts).isEmpty();
      return;
    }
    assertThat(parts).isNotEmpty();
    assertThat(parts.get(0).from()).isEqualTo(Math.max(from, FIRST));
    assertThat(parts.get(parts.size() - 1).through()).isEqualTo(through);
    for (int i = 0; i < parts.size(); i++) {
      SchemaConfig.PeriodRange p = parts.get(i);
      assertThat(p.from()).isLessThanOrEqualTo(p.through());
      assertThat(CONFIG.periodFor(p.from())).isSameAs(p.period());
      assertThat(CONFIG.periodFor(p.through())).isSameAs(p.period());
      if (i > 0) {
        assertThat(p.from()).isEqualTo(parts.get(i - 1).through() + 1);
      }
    }
  }

  @Property
  void tableFor_matchesDefinition(
      @ForAll @LongRange(min = FIRST, max = FIRST + 30 * 86_400_000L) long t) {
    PeriodConfig p = CONFIG.periodFor(t);
    String expected =
        p.index().periodMs() == 0
            ? p.index().prefix()
            : p.index().prefix() + Math.floorDiv(t, p.index().periodMs());
    assertThat(CONFIG.indexTableFor(t)).isEqualTo(expected);
    assertThat(p.fromMs()).isLessThanOrEqualTo(t);
  }
}
