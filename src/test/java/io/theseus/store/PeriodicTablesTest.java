package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.theseus.store.PeriodicTables.Kind;
import io.theseus.store.PeriodicTables.Series;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class PeriodicTablesTest {
  private static final Duration WEEK = Duration.ofHours(168);
  private static final Instant FROM = Instant.parse("2021-05-01T00:00:00Z");

  @Test
  void tableFor_weeklyPeriods_areEpochAligned() {
    Series s = new Series("index_", WEEK, FROM, null, Kind.INDEX);
    assertThat(s.tableFor(Instant.parse("2021-06-15T00:00:00Z"))).isEqualTo("index_2684");
    // 168 h periods start on Thursdays 00:00 UTC.
    assertThat(s.start(2684)).isEqualTo(Instant.parse("2021-06-10T00:00:00Z"));
    assertThat(new Series("chunks", Duration.ZERO, FROM, null, Kind.CHUNK).tableFor(FROM))
        .isEqualTo("chunks");
  }

  @Test
  void expected_graceCreatesTheNextTableAhead() {
    Series s = new Series("index_", WEEK, Instant.parse("2021-06-10T00:00:00Z"), null, Kind.INDEX);
    Instant now = Instant.parse("2021-06-16T23:55:00Z");
    assertThat(PeriodicTables.expected(List.of(s), now, Duration.ofMinutes(10), Duration.ZERO))
        .containsOnlyKeys("index_2684", "index_2685");
    assertThat(PeriodicTables.expected(List.of(s), now, Duration.ofMinutes(1), Duration.ZERO))
        .containsOnlyKeys("index_2684");
    // Ending exactly on a boundary does not create the next table.
    assertThat(
            PeriodicTables.expected(
                List.of(s), Instant.parse("2021-06-16T23:50:00Z"), Duration.ofMinutes(10), Duration.ZERO))
        .containsOnlyKeys("index_2684");
  }

  @Test
  void expected_nextPeriodCapsTheOldOneAndStartsWithinGrace() {
    Instant change = Instant.parse("2021-06-17T00:00:00Z");
    Series old = new Series("index_", WEEK, FROM, change, Kind.INDEX);
    Series next = new Series("idx_", Duration.ofDays(1), change, null, Kind.INDEX);
    Instant now = Instant.parse("2021-06-20T12:00:00Z");
    var e = PeriodicTables.expected(List.of(old, next), now, Duration.ofMinutes(10), Duration.ZERO);
    assertThat(e.keySet()).contains("index_2680", "index_2684", "idx_18795", "idx_18798")
        .doesNotContain("index_2685", "idx_18799");
    assertThat(
            PeriodicTables.expected(
                List.of(old, next), change.minusSeconds(60), Duration.ofMinutes(10), Duration.ZERO))
        .containsKey("idx_18795");
  }

  @Test
  void expected_retentionKeepsFloorRetentionOverPeriodPlusOne() {
    Series s = new Series("chunk_", WEEK, FROM, null, Kind.CHUNK);
    Instant now = Instant.parse("2021-08-01T00:00:00Z");
    var e = PeriodicTables.expected(List.of(s), now, Duration.ofMinutes(10), Duration.ofDays(28));
    assertThat(e).hasSize(5);
    assertThat(e).containsKey(s.tableFor(now));
  }

  @Test
  void dropCandidates_onlyManagedNumberedTablesWhollyOlderThanRetention() {
    Series s = new Series("chunk_", WEEK, FROM, null, Kind.CHUNK);
    Instant now = Instant.parse("2021-08-01T00:00:00Z"); // in table 2691
    Set<String> existing =
        Set.of("chunk_2680", "chunk_2686", "chunk_2687", "chunk_2691", "chunk_x1", "chunk_99999",
            "other_1", "theseus_schema_migrations");
    assertThat(
            PeriodicTables.dropCandidates(
                List.of(s), existing, now, Duration.ofMinutes(10), Duration.ofDays(28)))
        .containsExactly("chunk_2680", "chunk_2686");
    assertThat(PeriodicTables.dropCandidates(List.of(s), existing, now, Duration.ZERO, Duration.ZERO))
        .isEmpty();
  }

  @Test
  void series_badValues_areRejectedByName() {
    assertThatThrownBy(() -> new Series("", WEEK, FROM, null, Kind.INDEX))
        .hasMessageContaining("empty table prefix");
    assertThatThrownBy(() -> new Series("i_", Duration.ofMillis(1500), FROM, null, Kind.INDEX))
        .hasMessageContaining("i_");
  }

  @Property(tries = 300)
  void covering_containsTheTableOfEveryInstantInRange(
      @ForAll @IntRange(min = 1, max = 400) int periodHours,
      @ForAll @LongRange(min = 1_500_000_000L, max = 1_900_000_000L) long fromSec,
      @ForAll @IntRange(min = 0, max = 5_000_000) int spanSec,
      @ForAll @IntRange(min = 0, max = 100) int pct) {
    Series s = new Series("t_", Duration.ofHours(periodHours), Instant.ofEpochSecond(0), null, Kind.INDEX);
    Instant a = Instant.ofEpochSecond(fromSec);
    Instant b = a.plusSeconds(spanSec);
    Instant probe = a.plusSeconds((long) spanSec * pct / 100);
    var tables = PeriodicTables.covering(List.of(s), a, b);
    assertThat(tables).containsKey(s.tableFor(probe));
    assertThat(tables).hasSize(
        (int) (Math.floorDiv(b.getEpochSecond(), periodHours * 3600L)
            - Math.floorDiv(a.getEpochSecond(), periodHours * 3600L) + 1));
  }
}
