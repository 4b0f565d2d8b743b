package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.model.Labels;
import io.theseus.schema.IndexEntry;
import io.theseus.schema.IndexSchema;
import io.theseus.schema.PeriodicTableConfig;
import io.theseus.schema.RangeValues;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pure test of {@link SchemaMigrator#discoveryRow}: for every schema version, the rows that
 * discovery reads name each chunk from exactly one partition per bucket, and no chunk is missed.
 */
class SchemaMigratorDiscoveryTest {
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
  void discoveryRow_chunkEntriesOfEveryVersion_nameTheChunkFromOnePartitionPerBucket(int v) {
    IndexSchema s = IndexSchema.of("v" + v, new PeriodicTableConfig("i_", 7 * 86_400_000L), 4);
    Labels metric = Labels.of("__name__", "up", "instance", "a:9100", "job", "api");
    String cid = "u1/0123456789abcdef:18cedaa2500:18cedac3458:705b9641";
    long from = 1_700_000_000_000L;
    // Two hours: two v1 (hourly) buckets, one day bucket otherwise.
    long through = from + 2 * 3_600_000L;
    Set<String> hashes = new HashSet<>();
    int named = 0;
    for (IndexEntry e : s.chunkEntries("u1", from, through, metric, cid)) {
      if (IndexVerifier.pointsAtNoChunk(e.range()) || !SchemaMigrator.discoveryRow(e.range(), v)) {
        continue;
      }
      assertThat(RangeValues.parse(e.range(), e.value()).chunkId()).isEqualTo(cid);
      hashes.add(e.hash());
      named++;
    }
    int buckets = s.buckets("u1", from, through).size();
    assertThat(hashes).as("partitions naming the chunk").hasSize(buckets);
    assertThat(named).isGreaterThanOrEqualTo(buckets);
  }
}
