package io.theseus.cli.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.query.StoreQueryable;
import io.theseus.schema.SchemaConfig;
import io.theseus.server.TheseusConfig;
import io.theseus.server.TheseusServer;
import io.theseus.store.ChunkStore;
import io.theseus.store.RowStore;
import io.theseus.store.TableManager;
import io.theseus.store.TestCassandraCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault: one Cassandra node of three killed (SIGKILL) during load, keyspace RF 3, Theseus at
 * QUORUM. Writes go on: pushes keep being acknowledged and chunk flushes (forced by a 10 min
 * max_chunk_age in sample time, about 4 s of wall time at this load, and a 2 s idle period)
 * succeed on the two live replicas during the kill window. Every acknowledged sample is then read
 * from Cassandra alone at QUORUM, still with the node down.
 */
@Tag("faults")
class QuorumNodeDownFaultTest {
  @Test
  void oneNodeOfThreeKilled_rf3Quorum_writesGoOn_noAcknowledgedSampleLost(@TempDir Path dir)
      throws Exception {
    TestCassandraCluster tc = TestCassandraCluster.get();
    String ks = TestCassandraCluster.keyspaceName("quorum_fault");
    List<String> points =
        tc.cluster().contactPoints().stream()
            .map(a -> a.getHostString() + ":" + a.getPort())
            .toList();
    TheseusConfig c =
        CassandraDownFaultTest.config(dir, 1, "RF3", "QUORUM")
            .withCassandra(
                new TheseusConfig.Cassandra(
                    points, null, ks, Map.of("class", "SimpleStrategy", "replication_factor", 3),
                    "QUORUM", null, null, null, null, null, 10_000L));
    TheseusServer server = new TheseusServer(c, null).start();
    boolean killed = false;
    try {
      String url = "http://127.0.0.1:" + server.port();
      FaultLoad load = FaultLoad.of(List.of(url + "/api/v1/push"), 100, 1_000, 40_000, 300).start();
      FaultLoad.await("2000 acknowledged samples", 300, () -> load.acked() >= 2_000);
      tc.cluster().kill(3);
      killed = true;
      long killedAt = System.nanoTime();
      long ackedAtKill = load.acked();
      FaultLoad.await("3000 more acknowledged samples with a node down", 300,
          () -> load.acked() >= ackedAtKill + 3_000);
      load.await();
      long ackedWhileDown = load.acked() - ackedAtKill;
      // Chunks cut while the node is down (every ~4 s per series) must reach the two live
      // replicas: with the node still down, the whole backlog drains at QUORUM.
      assertThat(server.ingest().ingester().flushAll(300_000))
          .as("every chunk flushed at QUORUM with one node down").isTrue();
      double window = (System.nanoTime() - killedAt) / 1e9;
      ChunkStore store =
          ChunkStore.builder(
                  RowStore.builder(tc.session(), ks).build(),
                  new TableManager(tc.session(), ks, t -> ""),
                  SchemaConfig.parse(CassandraDownFaultTest.SCHEMA))
              .build();
      Verifier.Result r = load.verify(new StoreQueryable(store, "fake"));
      load.figures(String.format(java.util.Locale.ROOT,
          "1 of 3 Cassandra nodes down (RF 3, QUORUM) for %.1f s, acked while down %d,"
              + " read from Cassandra at QUORUM", window, ackedWhileDown), r, 0);
      assertThat(r.errors).isEmpty();
      assertThat(r.required).isEqualTo(load.acked()).isPositive();
      assertThat(r.missing).as("acknowledged samples lost").isZero();
      assertThat(r.duplicated).isZero();
      assertThat(r.altered).isZero();
      assertThat(r.unexpected).isZero();
    } finally {
      server.close();
      if (killed) {
        tc.cluster().restart(3, 420_000);
      }
    }
  }
}
