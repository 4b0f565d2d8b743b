package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.server.ApiTestServer.W;
import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
import io.theseus.store.CassandraNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances sharing only Cassandra: each registers in the membership table, a query on one sees
 * the other's unflushed head samples, and a registered peer that does not answer yields a warning
 * naming it.
 */
@ExtendWith(CassandraExtension.class)
class PeersHttpTest {
  @Test
  void query_readsPeerHeads_andWarnsAboutDeadPeer(CassandraKeyspace ks, @TempDir Path dir)
      throws Exception {
    Files.createDirectories(dir.resolve("a"));
    Files.createDirectories(dir.resolve("b"));
    try (ApiTestServer a = new ApiTestServer(ks, dir.resolve("a"), null, "inst-a");
        ApiTestServer b = new ApiTestServer(ks, dir.resolve("b"), null, "inst-b")) {
      long t = (System.currentTimeMillis() / 1000) * 1000 - 60_000;
      a.push(
          ApiTestServer.writeRequest(
              List.of(
                  W.of(new long[] {t}, new double[] {41.5}, "__name__", "only_on_a", "job", "p"))),
          null);
      b.push(
          ApiTestServer.writeRequest(
              List.of(W.of(new long[] {t}, new double[] {7}, "__name__", "only_on_b", "job", "p"))),
          null);
      assertThat(b.server.queryApi().peers().live()).extracting(Peers.Peer::id).contains("inst-a");

      String q =
          "/api/v1/query?query="
              + URLEncoder.encode("{job=\"p\"}", StandardCharsets.UTF_8)
              + "&time="
              + (t / 1000);
      assertThat(b.get(q, null).body())
          .isEqualTo(
              "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                  + "{\"metric\":{\"__name__\":\"only_on_a\",\"job\":\"p\"},\"value\":["
                  + t / 1000
                  + ",\"41.5\"]},{\"metric\":{\"__name__\":\"only_on_b\",\"job\":\"p\"},\"value\":["
                  + t / 1000
                  + ",\"7\"]}]}}");

      // The internal endpoint refuses callers without the cluster secret.
      HttpResponse<String> anon =
          ApiTestServer.HTTP.send(
              HttpRequest.newBuilder(URI.create(a.base + Peers.INTERNAL_PATH))
                  .header("X-Scope-OrgID", "fake")
                  .POST(
                      HttpRequest.BodyPublishers.ofByteArray(
                          HeadWire.encodeRequest(0, 1, List.of())))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(anon.statusCode()).isEqualTo(403);

      int deadPort = CassandraNode.freePort();
      ks.session()
          .execute(
              "INSERT INTO "
                  + ks.name()
                  + ".theseus_members (instance_id, address,"
                  + " started_ms, heartbeat_ms) VALUES ('ghost', '127.0.0.1:"
                  + deadPort
                  + "', 0, 0)"
                  + " USING TTL 60");
      b.server.queryApi().peers().refresh();
      String body = b.get(q, null).body();
      assertThat(body)
          .contains("\"only_on_a\"")
          .contains("\"only_on_b\"")
          .contains("\"warnings\":[\"peer ghost (127.0.0.1:" + deadPort + ") did not answer");
    }
  }
}
