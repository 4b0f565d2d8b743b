package io.theseus.cli.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.cli.Main;
import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
import io.theseus.store.CassandraNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault: {@code kill -9} of a {@code theseus serve} child JVM in the middle of an open-loop load;
 * a new child on the same data directory and port replays the WAL while the load generator keeps
 * retrying; afterwards every acknowledged sample is read back through the query API.
 */
@ExtendWith(CassandraExtension.class)
class KillNineFaultTest {
  @Test
  void kill9DuringLoad_restartReplaysWal_noAcknowledgedSampleLost(
      CassandraKeyspace ks, @TempDir Path dir) throws Exception {
    int port = CassandraNode.freePort();
    var cp = ks.cassandra().contactPoint();
    Path cfg =
        FaultLoad.config(
            dir,
            "theseus.yaml",
            "cassandra:\n  contact_points: ['" + cp.getHostString() + ":" + cp.getPort()
                + "']\n  keyspace: " + ks.name() + "\n  consistency: ONE\n");
    List<String> cmd =
        List.of(FaultLoad.java(), "-Xmx384m", "-cp", System.getProperty("java.class.path"),
            Main.class.getName(), "serve", "--listen=127.0.0.1:" + port,
            "--data-dir=" + dir.resolve("data"), "--config=" + cfg);
    String base = "http://127.0.0.1:" + port;
    Process first = start(cmd, dir.resolve("serve-1.log"));
    Process second = null;
    try {
      FaultLoad load = FaultLoad.of(List.of(base + "/api/v1/push"), 200, 1_500, 25_000, 60);
      FaultLoad.await("first child ready", 240, () -> FaultLoad.status(load.client, base + "/ready") == 200);
      load.start();
      FaultLoad.await("3000 acknowledged samples", 240, () -> load.acked() >= 3_000);
      long killedAt = System.nanoTime();
      first.destroyForcibly(); // SIGKILL with requests in flight
      first.waitFor(60, TimeUnit.SECONDS);
      long ackedAtKill = load.acked();
      second = start(cmd, dir.resolve("serve-2.log"));
      FaultLoad.await("restarted child ready", 240, () -> FaultLoad.status(load.client, base + "/ready") == 200);
      double recovery = (System.nanoTime() - killedAt) / 1e9;
      load.await();
      Verifier.Result r = load.verifyQueryApi(base);
      load.figures("kill-9 theseus (acked at kill " + ackedAtKill + ")", r, recovery);
      assertThat(ackedAtKill).isPositive();
      assertThat(r.required).isGreaterThan(ackedAtKill);
      assertThat(r.errors).isEmpty();
      assertThat(r.missing).as("acknowledged samples lost").isZero();
      assertThat(r.duplicated).isZero();
      assertThat(r.altered).isZero();
      assertThat(r.unexpected).isZero();
    } finally {
      first.destroyForcibly();
      if (second != null) {
        second.destroy();
        if (!second.waitFor(60, TimeUnit.SECONDS)) {
          second.destroyForcibly();
        }
      }
    }
  }

  static Process start(List<String> cmd, Path log) throws java.io.IOException {
    Files.deleteIfExists(log);
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
