package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlift.compress.snappy.SnappyDecompressor;
import io.theseus.proto.Remote;
import io.theseus.proto.Types;
import io.theseus.server.ApiTestServer.W;
import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tenant isolation with token auth on, over real HTTP against two real instances sharing one
 * Cassandra keyspace (so each also reads the other's head through the internal peer endpoint).
 * Tenant alpha writes only to instance 1, beta only to instance 2; on both instances and every
 * endpoint (write, query, query_range, series, labels, label values, metadata, exemplars, remote
 * read) each tenant sees exactly its own data. A token with an {@code X-Scope-OrgID} naming the
 * other tenant gets 403, malformed or trick tenant IDs 400, no or unknown token 401; the internal
 * endpoint refuses anything without the cluster secret.
 */
@ExtendWith(CassandraExtension.class)
class TenantIsolationTest {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  static final String A = "tok-alpha";
  static final String B = "tok-beta";
  static final Map<String, String> TOKENS = Map.of(A, "alpha", B, "beta");
  static ApiTestServer s1;
  static ApiTestServer s2;
  static long t0;

  @BeforeAll
  static void start(CassandraKeyspace ks) throws Exception {
    Path dir = Files.createTempDirectory("isolation");
    Files.createDirectories(dir.resolve("1"));
    Files.createDirectories(dir.resolve("2"));
    s1 = new ApiTestServer(ks, dir.resolve("1"), TOKENS, "iso-1");
    s2 = new ApiTestServer(ks, dir.resolve("2"), TOKENS, "iso-2");
    t0 = (System.currentTimeMillis() / 1000) * 1000 - 120_000;
    long[] ts = {t0, t0 + 15_000, t0 + 30_000};
    s1.push(withHelp(ApiTestServer.writeRequest(List.of(W.of(ts, new double[] {1, 2, 3},
        "__name__", "secret_metric", "owner", "alpha", "alpha_only", "1"))), "alpha help"), A);
    s2.push(withHelp(ApiTestServer.writeRequest(List.of(W.of(ts, new double[] {7, 8, 9},
        "__name__", "secret_metric", "owner", "beta", "beta_only", "1"))), "beta help"), B);
    // Instance 1 learns about instance 2 at its next heartbeat.
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .until(() -> get(s1, "/api/v1/series?match[]=secret_metric", B, null).body()
            .contains("beta"));
  }

  static Remote.WriteRequest withHelp(Remote.WriteRequest r, String help) {
    return r.toBuilder().addMetadata(Types.MetricMetadata.newBuilder()
        .setType(Types.MetricMetadata.MetricType.GAUGE).setMetricFamilyName("secret_metric")
        .setHelp(help)).build();
  }

  @AfterAll
  static void stop() {
    if (s2 != null) {
      s2.close();
    }
    if (s1 != null) {
      s1.close();
    }
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static HttpResponse<String> get(ApiTestServer s, String path, String token, String orgId)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.base + path))
        .timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (orgId != null) {
      b.header("X-Scope-OrgID", orgId);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<byte[]> post(ApiTestServer s, String path, byte[] body, String token,
      String orgId, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.base + path))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (orgId != null) {
      b.header("X-Scope-OrgID", orgId);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Every read endpoint, as path and query (GET). */
  static List<String> readPaths() {
    String r = "&start=" + (t0 / 1000 - 60) + "&end=" + (t0 / 1000 + 120);
    return List.of(
        "/api/v1/query?query=" + q("secret_metric") + "&time=" + (t0 / 1000 + 30),
        "/api/v1/query?query=" + q("{__name__=~\".+\"}") + "&time=" + (t0 / 1000 + 30),
        "/api/v1/query_range?query=" + q("secret_metric") + r + "&step=15",
        "/api/v1/series?match[]=" + q("{__name__=~\".+\"}") + r,
        "/api/v1/series?match[]=" + q("{owner=~\"alpha|beta\"}"),
        "/api/v1/labels?" + r.substring(1),
        "/api/v1/label/owner/values",
        "/api/v1/label/__name__/values",
        "/api/v1/metadata",
        "/api/v1/metadata?metric=secret_metric",
        "/prometheus/api/v1/series?match[]=secret_metric");
  }

  static String other(String tenant) {
    return tenant.equals("alpha") ? "beta" : "alpha";
  }

  static void assertOwnOnly(String tenant, String what, String body) {
    assertThat(body).as(what).contains("\"status\":\"success\"").contains(tenant)
        .doesNotContain(other(tenant));
  }

  @Test
  void everyReadEndpoint_onBothInstances_showsOnlyOwnTenant() throws Exception {
    for (ApiTestServer s : List.of(s1, s2)) {
      for (String tok : List.of(A, B)) {
        String tenant = TOKENS.get(tok);
        for (String path : readPaths()) {
          HttpResponse<String> r = get(s, path, tok, null);
          assertThat(r.statusCode()).as(path).isEqualTo(200);
          // Metadata too is merged from the peer instance (written to one instance only).
          if (!path.contains("__name__/values")) {
            assertOwnOnly(tenant, s.base + path, r.body());
          } else {
            assertThat(r.body()).isEqualTo("{\"status\":\"success\",\"data\":[\"secret_metric\"]}");
          }
          // Naming oneself explicitly is allowed and changes nothing.
          assertThat(get(s, path, tok, tenant).body()).isEqualTo(r.body());
        }
        HttpResponse<String> values = get(s, "/api/v1/query?query=" + q("sum(secret_metric)")
            + "&time=" + (t0 / 1000 + 30), tok, null);
        assertThat(values.body()).contains(tenant.equals("alpha") ? "\"3\"]" : "\"9\"]");
        Remote.ReadResponse rr = remoteRead(s, tok, null);
        assertThat(rr.getResultsList()).hasSize(1);
        List<String> owners = new ArrayList<>();
        for (Types.TimeSeries ts : rr.getResults(0).getTimeseriesList()) {
          for (Types.Label l : ts.getLabelsList()) {
            if (l.getName().equals("owner")) {
              owners.add(l.getValue());
              if (l.getValue().equals(tenant)) {
                assertThat(ts.getSamplesCount()).isEqualTo(3);
              }
            }
          }
        }
        // (beta may also own the series written by writes_landOnlyInTheTokensTenant)
        assertThat(owners).contains(tenant).allMatch(o -> o.startsWith(tenant));
      }
    }
  }

  static Remote.ReadResponse remoteRead(ApiTestServer s, String tok, String orgId) throws Exception {
    byte[] req = ApiTestServer.snappy(Remote.ReadRequest.newBuilder().addQueries(
        Remote.Query.newBuilder().setStartTimestampMs(t0 - 60_000).setEndTimestampMs(t0 + 60_000)
            .addMatchers(Types.LabelMatcher.newBuilder().setType(Types.LabelMatcher.Type.RE)
                .setName("__name__").setValue(".+"))).build().toByteArray());
    HttpResponse<byte[]> r = post(s, "/api/v1/read", req, tok, orgId,
        "Content-Type", "application/x-protobuf", "Content-Encoding", "snappy");
    assertThat(r.statusCode()).isEqualTo(200);
    byte[] body = r.body();
    SnappyDecompressor d = new SnappyDecompressor();
    byte[] out = new byte[SnappyDecompressor.getUncompressedLength(body, 0)];
    d.decompress(body, 0, body.length, out, 0, out.length);
    return Remote.ReadResponse.parseFrom(out);
  }

  static byte[] writeBody(String owner) {
    return ApiTestServer.snappy(ApiTestServer.writeRequest(List.of(W.of(new long[] {t0 + 45_000},
        new double[] {666}, "__name__", "secret_metric", "owner", owner, "intruder", "1")))
        .toByteArray());
  }

  /** All endpoints as (method, path) for the auth matrix. */
  static List<String[]> allEndpoints() {
    List<String[]> out = new ArrayList<>();
    for (String p : List.of("/api/v1/push", "/api/v1/write", "/api/prom/push")) {
      out.add(new String[] {"WRITE", p});
    }
    out.add(new String[] {"READ", "/api/v1/read"});
    for (String p : readPaths()) {
      out.add(new String[] {"GET", p});
    }
    out.add(new String[] {"GET", "/api/v1/query_exemplars?query=secret_metric"});
    return out;
  }

  static int call(ApiTestServer s, String[] ep, String tok, String orgId) throws Exception {
    return switch (ep[0]) {
      case "WRITE" -> post(s, ep[1], writeBody("alpha"), tok, orgId,
          "Content-Type", "application/x-protobuf", "Content-Encoding", "snappy").statusCode();
      case "READ" -> post(s, ep[1], ApiTestServer.snappy(Remote.ReadRequest.newBuilder()
          .addQueries(Remote.Query.newBuilder().setEndTimestampMs(t0)).build().toByteArray()),
          tok, orgId, "Content-Type", "application/x-protobuf").statusCode();
      default -> get(s, ep[1], tok, orgId).statusCode();
    };
  }

  @Test
  void authMatrix_otherTenant403_trickIds400_noToken401() throws Exception {
    List<String> tricks = List.of("../alpha", "alpha/..", "a/b", ".*", "alpha|beta", "a|b", "..",
        ".", "x".repeat(151), "alpha beta", "alpha:beta", "*", "alpha\\");
    for (String[] ep : allEndpoints()) {
      String what = ep[0] + " " + ep[1];
      assertThat(call(s2, ep, B, "alpha")).as(what).isEqualTo(403);
      assertThat(call(s1, ep, A, "beta")).as(what).isEqualTo(403);
      assertThat(call(s1, ep, null, "alpha")).as(what).isEqualTo(401);
      assertThat(call(s1, ep, null, null)).as(what).isEqualTo(401);
      assertThat(call(s1, ep, "tok-nope", "alpha")).as(what).isEqualTo(401);
      assertThat(call(s1, ep, "alpha", null)).as("tenant name as token: " + what).isEqualTo(401);
      for (String t : tricks) {
        assertThat(call(s2, ep, B, t)).as(what + " as " + t).isEqualTo(400);
      }
    }
    // Nothing of the above reached alpha's data: still exactly its three samples, no intruder.
    for (ApiTestServer s : List.of(s1, s2)) {
      HttpResponse<String> r = get(s, "/api/v1/series?match[]=" + q("{intruder=\"1\"}"), A, null);
      assertThat(r.body()).isEqualTo("{\"status\":\"success\",\"data\":[]}");
      assertThat(get(s, "/api/v1/query?query=" + q("count_over_time(secret_metric[10m])") + "&time="
          + (t0 / 1000 + 120), A, null).body()).contains("\"3\"]").doesNotContain("beta");
    }
  }

  @Test
  void writes_landOnlyInTheTokensTenant() throws Exception {
    HttpResponse<byte[]> w = post(s1, "/api/v1/push", writeBody("beta-written-by-beta"), B, null,
        "Content-Type", "application/x-protobuf", "Content-Encoding", "snappy");
    assertThat(w.statusCode()).isEqualTo(200);
    assertThat(get(s1, "/api/v1/series?match[]=" + q("{intruder=\"1\"}"), A, null).body())
        .isEqualTo("{\"status\":\"success\",\"data\":[]}");
    assertThat(get(s2, "/api/v1/series?match[]=" + q("{intruder=\"1\"}"), B, null).body())
        .contains("beta-written-by-beta");
  }

  @Test
  void internalHeadEndpoint_refusesWithoutClusterSecret() throws Exception {
    byte[] body = new byte[] {0};
    for (String[] h : List.of(new String[0],
        new String[] {"Authorization", "Bearer " + A},
        new String[] {Peers.SECRET_HEADER, "guess"},
        new String[] {Peers.SECRET_HEADER, ""},
        new String[] {Peers.SECRET_HEADER, A})) {
      HttpResponse<byte[]> r = post(s1, Peers.INTERNAL_PATH, body, null, "alpha", h);
      assertThat(r.statusCode()).as(String.join(" ", h)).isEqualTo(403);
    }
    String secret = s1.server.session().execute("SELECT value FROM "
        + s1.server.config().cassandra().keyspace() + ".theseus_cluster WHERE name = 'peer_secret'")
        .one().getString(0);
    for (String t : List.of("../alpha", ".*", "a|b", "", "x".repeat(151))) {
      HttpResponse<byte[]> r = post(s1, Peers.INTERNAL_PATH, body, null, t.isEmpty() ? null : t,
          Peers.SECRET_HEADER, secret);
      assertThat(r.statusCode()).as(t).isEqualTo(400);
    }
  }
}
