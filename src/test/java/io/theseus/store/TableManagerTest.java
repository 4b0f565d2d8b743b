package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.store.PeriodicTables.Kind;
import io.theseus.store.PeriodicTables.Series;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(CassandraExtension.class)
class TableManagerTest {
  private static final Duration WEEK = Duration.ofHours(168);

  @Test
  void ensure_concurrentCallers_createOnceWithOptions(CassandraExtension.CassandraKeyspace ks) {
    TableManager tm =
        new TableManager(
            ks.session(), ks.name(), t -> t.startsWith("chk") ? "default_time_to_live = 3600" : "");
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      all.add(tm.ensure("chk_5").toCompletableFuture());
    }
    all.forEach(CompletableFuture::join);
    assertThat(tm.exists("chk_5")).isTrue();
    int ttl =
        ks.session()
            .execute(
                "SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = ? AND"
                    + " table_name = 'chk_5'",
                ks.name())
            .one()
            .getInt(0);
    assertThat(ttl).isEqualTo(3600);
  }

  @Test
  void sync_createsAheadAndDropsOnlyWithDeleteOld(CassandraExtension.CassandraKeyspace ks) {
    TableManager tm = new TableManager(ks.session(), ks.name(), t -> "");
    Instant start = Instant.parse("2021-06-10T00:00:00Z"); // table 2684
    List<Series> series =
        List.of(
            new Series("index_", WEEK, start, null, Kind.INDEX),
            new Series("chunk_", WEEK, start, null, Kind.CHUNK));
    Instant now = Instant.parse("2021-06-23T23:55:00Z"); // table 2685, 5 min before 2686
    TableManager.SyncResult r = tm.sync(series, now, Duration.ofMinutes(10), Duration.ZERO, false);
    assertThat(r.created())
        .containsExactlyInAnyOrder(
            "index_2684", "index_2685", "index_2686", "chunk_2684", "chunk_2685", "chunk_2686");
    assertThat(tm.existingTables()).containsAll(r.created());
    assertThat(tm.sync(series, now, Duration.ofMinutes(10), Duration.ZERO, false).created()).isEmpty();

    Instant later = Instant.parse("2021-07-10T00:00:00Z"); // table 2688
    TableManager.SyncResult listed =
        tm.sync(series, later, Duration.ofMinutes(10), Duration.ofDays(14), false);
    // Keeps floor(14 d / 7 d) + 1 = 3 tables (2686..2688); 2684 and 2685 end before now - 14 d.
    assertThat(listed.dropCandidates())
        .containsExactly("chunk_2684", "chunk_2685", "index_2684", "index_2685");
    assertThat(listed.dropped()).isFalse();
    assertThat(tm.existingTables()).contains("chunk_2684", "index_2684");
    TableManager.SyncResult dropped =
        tm.sync(series, later, Duration.ofMinutes(10), Duration.ofDays(14), true);
    assertThat(dropped.dropped()).isTrue();
    assertThat(tm.existingTables())
        .doesNotContain("chunk_2684", "index_2685")
        .contains("chunk_2686", "index_2688");
  }
}
