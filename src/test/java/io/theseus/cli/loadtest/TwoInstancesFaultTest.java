package io.theseus.cli.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.server.TheseusConfig;
import io.theseus.server.TheseusServer;
import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out: two Theseus instances sharing one Cassandra keyspace receive the same series
 * round-robin (each request goes to the next instance, so every series' samples are split between
 * both heads). A query on either instance must return every acknowledged sample exactly once
 * (head + peer head + store merged, no duplicates).
 */
@ExtendWith(CassandraExtension.class)
class TwoInstancesFaultTest {
  @Test
  void roundRobinWrites_queryOnEitherReturnsEverySampleOnce(CassandraKeyspace ks, @TempDir Path dir)
      throws Exception {
    List<TheseusServer> servers = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        servers.add(new TheseusServer(config(ks, dir.resolve("data" + i)), null).start());
      }
      List<String> urls = new ArrayList<>();
      for (TheseusServer s : servers) {
        urls.add("http://127.0.0.1:" + s.port() + "/api/v1/push");
      }
      FaultLoad load = FaultLoad.of(urls, 200, 2_000, 15_000, 10).start();
      load.await();
      long t0 = System.nanoTime();
      List<Verifier.Result> results = new ArrayList<>();
      for (TheseusServer s : servers) {
        String base = "http://127.0.0.1:" + s.port();
        // Peers discover each other through a heartbeat row in Cassandra: wait until this
        // instance sees the other's head (no sample missing), then demand exactness.
        Verifier.Result[] last = new Verifier.Result[1];
        FaultLoad.await("instance " + base + " sees its peer", 180, () -> {
          last[0] = load.verifyQueryApi(base);
          return last[0].missing == 0 && last[0].errors.isEmpty();
        });
        results.add(last[0]);
        load.figures("two instances round-robin, query on " + base, last[0],
            (System.nanoTime() - t0) / 1e9);
      }
      for (Verifier.Result r : results) {
        assertThat(r.required).isEqualTo(load.acked()).isPositive();
        assertThat(r.missing).as("acknowledged samples lost").isZero();
        assertThat(r.duplicated).as("samples returned twice").isZero();
        assertThat(r.unexpected).isZero();
        assertThat(r.altered).isZero();
        assertThat(r.foundRequired).isEqualTo(r.required);
      }
    } finally {
      for (TheseusServer s : servers) {
        s.close();
      }
    }
  }

  static TheseusConfig config(CassandraKeyspace ks, Path dataDir) {
    var cp = ks.cassandra().contactPoint();
    TheseusConfig c = TheseusConfig.defaults();
    return c.withServer(
            new TheseusConfig.Server("127.0.0.1:0", dataDir.toString(), null, null, null, null))
        .withCassandra(
            new TheseusConfig.Cassandra(
                List.of(cp.getHostString() + ":" + cp.getPort()), null, ks.name(), null, "ONE",
                null, null, null, null, null, null));
  }
}
