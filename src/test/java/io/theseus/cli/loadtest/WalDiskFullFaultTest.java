package io.theseus.cli.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.server.TheseusConfig;
import io.theseus.server.TheseusServer;
import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault: the WAL disk fills up during load. The WAL directory is a 512 KiB tmpfs mount (this needs
 * root, as in CI containers; without it the test falls back to the ingester's {@code
 * wal_max_bytes} limit, which gives the same 503s through back-pressure). Expected: 503s while
 * full, no torn record left behind, acceptance again as soon as the mount is enlarged, every
 * acknowledged sample readable, and the WAL replays cleanly into a restarted instance.
 */
@ExtendWith(CassandraExtension.class)
class WalDiskFullFaultTest {
  @Test
  void walDiskFull_503sThenRecovers_noAcknowledgedSampleLost(CassandraKeyspace ks, @TempDir Path dir)
      throws Exception {
    Path data = dir.resolve("data");
    Path walDir = data.resolve("wal");
    Files.createDirectories(walDir);
    // -Dfaults.noTmpfs=true forces the fallback (as on a CI runner without root).
    boolean tmpfs =
        !Boolean.getBoolean("faults.noTmpfs")
            && run("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", walDir.toString());
    int port = io.theseus.store.CassandraNode.freePort();
    TheseusConfig base0 = TwoInstancesFaultTest.config(ks, data);
    TheseusConfig base =
        base0.withServer(
            new TheseusConfig.Server(
                "127.0.0.1:" + port, data.toString(), null, null, null, null));
    TheseusConfig cfg =
        tmpfs
            ? base
            : base.withIngester(
                new TheseusConfig.Ingester(
                    null, null, null, null, null, null, null, null, null, 512L * 1024));
    String mode = tmpfs ? "tmpfs 512 KiB" : "wal_max_bytes 512 KiB";
    TheseusServer server = null;
    try {
      server = new TheseusServer(cfg, null).start();
      String url = "http://127.0.0.1:" + server.port();
      FaultLoad load = FaultLoad.of(List.of(url + "/api/v1/push"), 200, 2_000, 45_000, 300).start();
      FaultLoad.await("503s from the full WAL disk", 300, () -> load.run.stats.status5xx.sum() >= 10);
      long ackedWhenFull = load.acked();
      long freedAt = System.nanoTime();
      if (tmpfs) {
        assertThat(run("mount", "-o", "remount,size=256m", walDir.toString())).isTrue();
      } else {
        // A limit cannot grow at run time: restart (WAL replay) with the default limit instead.
        server.close();
        server = new TheseusServer(base, null).start();
      }
      FaultLoad.await("acknowledgements again after space returns", 300,
          () -> load.acked() > ackedWhenFull + 1_000);
      double recovery = (System.nanoTime() - freedAt) / 1e9;
      load.await();
      Verifier.Result live = load.verifyQueryApi(url);
      load.figures("WAL disk full (" + mode + "), acked when full " + ackedWhenFull, live, recovery);
      server.close();
      // No corruption: a new instance replays the WAL written across the full-disk episode.
      server = new TheseusServer(base, null).start();
      Verifier.Result replayed = load.verifyQueryApi("http://127.0.0.1:" + server.port());
      load.figures("WAL disk full (" + mode + "), after restart and WAL replay", replayed, 0);
      for (Verifier.Result r : List.of(live, replayed)) {
        assertThat(r.errors).isEmpty();
        assertThat(r.required).isGreaterThan(ackedWhenFull + 1_000);
        assertThat(r.missing).as("acknowledged samples lost").isZero();
        assertThat(r.duplicated).isZero();
        assertThat(r.altered).isZero();
        assertThat(r.unexpected).isZero();
      }
      assertThat(load.run.stats.status5xx.sum()).isPositive();
    } finally {
      if (server != null) {
        server.close();
      }
      if (tmpfs) {
        run("umount", walDir.toString());
      }
    }
  }

  /** Runs a command; true when it exits 0. */
  static boolean run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      boolean ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
      if (!ok) {
        System.out.println(String.join(" ", cmd) + ": " + out);
      }
      return ok;
    } catch (Exception e) {
      System.out.println(String.join(" ", cmd) + ": " + e);
      return false;
    }
  }
}
