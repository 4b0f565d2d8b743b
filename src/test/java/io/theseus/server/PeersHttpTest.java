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

      int deadPort = registerDeadPeer(ks, "ghost");
      b.server.queryApi().peers().refresh();
      String body = b.get(q, null).body();
      assertThat(body)
          .contains("\"only_on_a\"")
          .contains("\"only_on_b\"")
          .contains("\"warnings\":[\"peer ghost (127.0.0.1:" + deadPort + ") did not answer");
    }
  }

  private static io.theseus.proto.Remote.WriteRequest withMetadata(
      io.theseus.proto.Remote.WriteRequest r, String family, String help) {
    return r.toBuilder()
        .addMetadata(
            io.theseus.proto.Types.MetricMetadata.newBuilder()
                .setType(io.theseus.proto.Types.MetricMetadata.MetricType.COUNTER)
                .setMetricFamilyName(family)
                .setHelp(help)
                .setUnit(""))
        .build();
  }

  @Test
  void metadata_mergesPeers_tenantScoped_andWarnsAboutDeadPeer(
      CassandraKeyspace ks, @TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("a"));
    Files.createDirectories(dir.resolve("b"));
    java.util.Map<String, String> tokens = java.util.Map.of("ta", "t1", "tb", "t2");
    // Another test of this class may have left a dead member behind (same keyspace).
    ks.session().execute("TRUNCATE " + ks.name() + ".theseus_members");
    try (ApiTestServer a = new ApiTestServer(ks, dir.resolve("a"), tokens, "md-a");
        ApiTestServer b = new ApiTestServer(ks, dir.resolve("b"), tokens, "md-b")) {
      long t = (System.currentTimeMillis() / 1000) * 1000 - 60_000;
      var one = List.of(W.of(new long[] {t}, new double[] {1}, "__name__", "x_total"));
      a.push(withMetadata(ApiTestServer.writeRequest(one), "on_a_total", "A help"), "ta");
      a.push(withMetadata(ApiTestServer.writeRequest(one), "shared_total", "same"), "ta");
      b.push(withMetadata(ApiTestServer.writeRequest(one), "shared_total", "same"), "ta");
      b.push(withMetadata(ApiTestServer.writeRequest(one), "shared_total", "other help"), "ta");
      // Tenant t2's metadata on instance a must not show up for t1 on b.
      a.push(withMetadata(ApiTestServer.writeRequest(one), "secret_total", "t2 only"), "tb");
      b.server.queryApi().peers().refresh();
      assertThat(b.server.queryApi().peers().live()).extracting(Peers.Peer::id).contains("md-a");

      assertThat(b.get("/api/v1/metadata", "ta").body())
          .isEqualTo(
              "{\"status\":\"success\",\"data\":{"
                  + "\"on_a_total\":[{\"type\":\"counter\",\"help\":\"A help\",\"unit\":\"\"}],"
                  + "\"shared_total\":[{\"type\":\"counter\",\"help\":\"other help\",\"unit\":\"\"},"
                  + "{\"type\":\"counter\",\"help\":\"same\",\"unit\":\"\"}]}}");
      assertThat(b.get("/api/v1/metadata", "tb").body())
          .isEqualTo(
              "{\"status\":\"success\",\"data\":{"
                  + "\"secret_total\":[{\"type\":\"counter\",\"help\":\"t2 only\",\"unit\":\"\"}]}}");

      // The internal endpoint refuses callers without the cluster secret.
      HttpResponse<String> anon =
          ApiTestServer.HTTP.send(
              HttpRequest.newBuilder(URI.create(a.base + Peers.METADATA_PATH))
                  .header("X-Scope-OrgID", "t1")
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(anon.statusCode()).isEqualTo(403);

      int deadPort = registerDeadPeer(ks, "ghost-md");
      b.server.queryApi().peers().refresh();
      assertThat(b.get("/api/v1/metadata?metric=on_a_total", "ta").body())
          .startsWith(
              "{\"status\":\"success\",\"data\":{"
                  + "\"on_a_total\":[{\"type\":\"counter\",\"help\":\"A help\",\"unit\":\"\"}]}")
          .contains(
              "\"warnings\":[\"peer ghost-md (127.0.0.1:"
                  + deadPort
                  + ") did not answer")
          .contains("its metadata is missing from this result");
    }
  }

  /** Registers a member that never answers (a free port); returns its port. */
  static int registerDeadPeer(CassandraExtension.CassandraKeyspace ks, String id) {
    int port = CassandraNode.freePort();
    ks.session()
        .execute(
            "INSERT INTO " + ks.name() + ".theseus_members (instance_id, address, started_ms,"
                + " heartbeat_ms) VALUES (?, ?, 0, 0) USING TTL 60",
            id,
            "127.0.0.1:" + port);
    return port;
  }
}
