package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.cli.Main;
import io.theseus.ingest.HeadSeries;
import io.theseus.model.Matcher;
import io.theseus.proto.Remote;
import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
import io.theseus.store.CassandraNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code theseus serve} child JVM is killed with SIGKILL in the middle of concurrent writes; a
 * new server on the same data directory replays the WAL and holds every sample that was
 * acknowledged with a 2xx.
 */
@ExtendWith(CassandraExtension.class)
class WalKillTest {
  @Test
  void kill9DuringWrites_everyAcknowledgedSampleSurvives(CassandraKeyspace ks, @TempDir Path dir)
      throws Exception {
    int port = CassandraNode.freePort();
    var cp = ks.cassandra().contactPoint();
    Path cfg = dir.resolve("theseus.yaml");
    Files.writeString(cfg, "cassandra:\n  contact_points: ['" + cp.getHostString() + ":"
        + cp.getPort() + "']\n  keyspace: " + ks.name() + "\n  consistency: ONE\n");
    List<String> cmd = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve",
        "--listen=127.0.0.1:" + port, "--data-dir=" + dir.resolve("data"), "--config=" + cfg));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("serve.log").toFile()).start();
    int writers = 3;
    List<Set<Long>> acked = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      acked.add(new ConcurrentSkipListSet<>());
    }
    long t0 = System.currentTimeMillis() - 60_000;
    try {
      awaitReady(p, port, dir);
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> threads = new ArrayList<>();
      for (int wi = 0; wi < writers; wi++) {
        int w = wi;
        Thread t = new Thread(() -> {
          for (long i = 0; !stop.get(); i++) {
            long ts = t0 + i;
            byte[] body = RemoteWriteHttpTest.v1(
                RemoteWriteHttpTest.ts(ts, i, "__name__", "kill_test", "writer", "w" + w),
                RemoteWriteHttpTest.ts(ts, -i, "__name__", "kill_test_b", "writer", "w" + w));
            try {
              HttpResponse<String> r = RemoteWriteHttpTest.HTTP.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/push"))
                      .timeout(Duration.ofSeconds(10))
                      .header("Content-Type", "application/x-protobuf")
                      .header("Content-Encoding", "snappy")
                      .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                  HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() / 100 == 2) {
                acked.get(w).add(ts);
              }
            } catch (IOException | InterruptedException e) {
              return; // The server died.
            }
          }
        });
        t.start();
        threads.add(t);
      }
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (System.nanoTime() < until || acked.stream().mapToInt(Set::size).sum() < 100) {
        Thread.sleep(20);
      }
      p.destroyForcibly(); // SIGKILL, writes in flight
      p.waitFor(30, TimeUnit.SECONDS);
      stop.set(true);
      for (Thread t : threads) {
        t.join(20_000);
      }
    } finally {
      p.destroyForcibly();
    }
    TheseusConfig c = TheseusConfig.load(cfg).withServer(
        new TheseusConfig.Server("127.0.0.1:0", dir.resolve("data").toString(), null, null, null, null));
    try (TheseusServer s = new TheseusServer(c, null).start()) {
      for (int w = 0; w < writers; w++) {
        for (String metric : List.of("kill_test", "kill_test_b")) {
          List<HeadSeries> got = s.ingest().ingester().select("fake",
              List.of(Matcher.eq("__name__", metric), Matcher.eq("writer", "w" + w)), 0, Long.MAX_VALUE);
          Set<Long> have = new java.util.HashSet<>();
          if (!got.isEmpty()) {
            for (long ts : got.get(0).timestamps()) {
              have.add(ts);
            }
          }
          assertThat(acked.get(w)).isNotEmpty();
          assertThat(have).as(metric + " w" + w).containsAll(acked.get(w));
        }
      }
    }
  }

  private static void awaitReady(Process p, int port, Path dir) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && p.isAlive()) {
      try {
        if (ServeEmbeddedTest.get(port, "/ready").statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
      Thread.sleep(100);
    }
    throw new AssertionError("child never ready:\n" + Files.readString(dir.resolve("serve.log")));
  }
}
