package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.proto.Remote;
import io.theseus.proto.Types;
import io.theseus.server.ApiTestServer.W;
import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The query API over real HTTP against a real instance (token auth, two tenants) fed through its
 * remote-write endpoint: Grafana's connect sequence, exact JSON shapes, the error envelope and
 * tenant isolation.
 */
@ExtendWith(CassandraExtension.class)
class QueryApiHttpTest {
  static final String A = "token-a";
  static final String B = "token-b";
  static ApiTestServer srv;
  static Path dir;
  static long t0;

  @BeforeAll
  static void start(CassandraKeyspace ks) throws Exception {
    dir = Files.createTempDirectory("query-api");
    srv = new ApiTestServer(ks, dir, Map.of(A, "team-a", B, "team-b"), null);
    t0 = (System.currentTimeMillis() / 60_000) * 60_000 - 10 * 60_000;
    long[] ts = new long[41];
    double[] a = new double[41];
    double[] b = new double[41];
    double[] c = new double[41];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = t0 + i * 15_000L;
      a[i] = i * 10;
      b[i] = i * 5;
      c[i] = 21.5;
    }
    srv.push(
        ApiTestServer.writeRequest(
                List.of(
                    W.of(ts, a, "__name__", "http_requests_total", "job", "api", "instance", "a"),
                    W.of(ts, b, "__name__", "http_requests_total", "job", "api", "instance", "b"),
                    W.of(ts, c, "__name__", "temp_celsius", "room", "x<y>")))
            .toBuilder()
            .addMetadata(
                Types.MetricMetadata.newBuilder()
                    .setType(Types.MetricMetadata.MetricType.COUNTER)
                    .setMetricFamilyName("http_requests_total")
                    .setHelp("Requests & more.")
                    .setUnit(""))
            .build(),
        A);
    double[] other = new double[41];
    java.util.Arrays.fill(other, 999);
    srv.push(
        ApiTestServer.writeRequest(
            List.of(
                W.of(
                    ts,
                    other,
                    "__name__",
                    "http_requests_total",
                    "job",
                    "secret",
                    "instance",
                    "z"))),
        B);
  }

  @AfterAll
  static void stop() {
    if (srv != null) {
      srv.close();
    }
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String sec(long ms) {
    StringBuilder sb = new StringBuilder();
    PromJson.pointTime(sb, ms);
    return sb.toString();
  }

  @Test
  void grafanaConnectSequence_answersLikePrometheus() throws Exception {
    HttpResponse<String> health = srv.postForm("/api/v1/query", A, "query", "1+1", "time", "4");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(health.body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}");

    HttpResponse<String> build = srv.get("/api/v1/status/buildinfo", A);
    assertThat(build.statusCode()).isEqualTo(200);
    assertThat(build.body()).contains("\"version\":\"2.42.0\"").doesNotContain("features");

    String range = "start=" + (t0 / 1000 - 60) + "&end=" + (t0 / 1000 + 3600);
    assertThat(srv.get("/api/v1/label/__name__/values?" + range, A).body())
        .isEqualTo("{\"status\":\"success\",\"data\":[\"http_requests_total\",\"temp_celsius\"]}");
    assertThat(srv.get("/api/v1/labels?" + range, A).body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":[\"__name__\",\"instance\",\"job\",\"room\"]}");
    assertThat(
            srv.get(
                    "/api/v1/series?match[]=" + q("{job=\"api\"}") + "&" + range + "&limit=40000",
                    A)
                .body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":["
                + "{\"__name__\":\"http_requests_total\",\"instance\":\"a\",\"job\":\"api\"},"
                + "{\"__name__\":\"http_requests_total\",\"instance\":\"b\",\"job\":\"api\"}]}");
    assertThat(srv.get("/api/v1/metadata", A).body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"http_requests_total\":[{\"type\":\"counter\","
                + "\"help\":\"Requests \\u0026 more.\",\"unit\":\"\"}]}}");
    assertThat(srv.get("/api/v1/query_exemplars?query=test&start=1&end=2", A).body())
        .isEqualTo("{\"status\":\"success\",\"data\":[]}");
    assertThat(srv.get("/api/v1/rules", A).body())
        .isEqualTo("{\"status\":\"success\",\"data\":{\"groups\":[]}}");
    assertThat(srv.get("/api/v1/alerts", A).body())
        .isEqualTo("{\"status\":\"success\",\"data\":{\"alerts\":[]}}");
  }

  @Test
  void instantVector_exactShape() throws Exception {
    long t = t0 + 600_500;
    HttpResponse<String> r =
        srv.get("/api/v1/query?query=" + q("temp_celsius") + "&time=" + sec(t), A);
    assertThat(r.body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
                + "\"result\":[{\"metric\":{\"__name__\":\"temp_celsius\",\"room\":\"x\\u003cy\\u003e\"},"
                + "\"value\":["
                + sec(t)
                + ",\"21.5\"]}]}}");
    HttpResponse<String> inf =
        srv.get("/api/v1/query?query=" + q("temp_celsius / 0") + "&time=" + sec(t), A);
    assertThat(inf.body()).contains("\"+Inf\"");
    assertThat(srv.get("/api/v1/query?query=" + q("\"foo\"") + "&time=100", A).body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[100,\"foo\"]}}");
  }

  @Test
  void rangeQuery_postAndPrefix_exactMatrix() throws Exception {
    long start = t0 + 60_000;
    HttpResponse<String> r =
        srv.postForm(
            "/prometheus/api/v1/query_range",
            A,
            "query",
            "sum by (job) (http_requests_total)",
            "start",
            sec(start),
            "end",
            sec(start + 30_000),
            "step",
            "15s");
    // at t0+60s the samples are i=4: 40 + 20 = 60; then 75, 90.
    assertThat(r.body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
                + "\"result\":[{\"metric\":{\"job\":\"api\"},\"values\":[["
                + sec(start)
                + ",\"60\"],["
                + sec(start + 15_000)
                + ",\"75\"],["
                + sec(start + 30_000)
                + ",\"90\"]]}]}}");
    HttpResponse<String> rate =
        srv.get(
            "/api/v1/query_range?query="
                + q("rate(http_requests_total{instance=\"a\"}[1m])")
                + "&start="
                + sec(start)
                + "&end="
                + sec(start)
                + "&step=1",
            A);
    assertThat(rate.body()).contains("\"values\":[[" + sec(start) + ",\"0.6666666666666666\"]]");
  }

  @Test
  void errors_useThePrometheusEnvelope() throws Exception {
    HttpResponse<String> parse = srv.get("/api/v1/query?query=" + q("1+(") + "&time=1", A);
    assertThat(parse.statusCode()).isEqualTo(400);
    assertThat(parse.body())
        .startsWith(
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter"
                + " \\\"query\\\": 1:");
    HttpResponse<String> step = srv.get("/api/v1/query_range?query=1&start=0&end=100", A);
    assertThat(step.statusCode()).isEqualTo(400);
    assertThat(step.body())
        .isEqualTo(
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":"
                + "\"invalid parameter \\\"step\\\": cannot parse \\\"\\\" to a valid duration\"}");
    HttpResponse<String> points =
        srv.get("/api/v1/query_range?query=1&start=0&end=100000&step=1", A);
    assertThat(points.statusCode()).isEqualTo(400);
    assertThat(points.body())
        .isEqualTo(
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"exceeded maximum"
                + " resolution of 11,000 points per timeseries. Try decreasing the query resolution"
                + " (?step=XX)\"}");
    HttpResponse<String> exec =
        srv.get(
            "/api/v1/query?query="
                + q("label_replace(vector(1),\"~bad\",\"\",\"\",\"\")")
                + "&time=1",
            A);
    assertThat(exec.statusCode()).isEqualTo(422);
    assertThat(exec.body())
        .isEqualTo(
            "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":"
                + "\"invalid destination label name in label_replace(): ~bad\"}");
    HttpResponse<String> noMatch = srv.get("/api/v1/series", A);
    assertThat(noMatch.statusCode()).isEqualTo(400);
    assertThat(noMatch.body())
        .isEqualTo(
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"no match[] parameter"
                + " provided\"}");
    HttpResponse<String> timeout = srv.get("/api/v1/query?query=1&time=1&timeout=0", A);
    assertThat(timeout.statusCode()).isEqualTo(503);
    assertThat(timeout.body())
        .isEqualTo(
            "{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":"
                + "\"query timed out in query execution\"}");
    HttpResponse<String> time = srv.get("/api/v1/query?query=1&time=abc", A);
    assertThat(time.body())
        .isEqualTo(
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter"
                + " \\\"time\\\": Invalid time value for 'time': cannot parse \\\"abc\\\" to a"
                + " valid timestamp\"}");
    HttpResponse<String> label = srv.get("/api/v1/label/a-b/values", A);
    assertThat(label.body())
        .isEqualTo(
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid label name:"
                + " \\\"a-b\\\"\"}");
    HttpResponse<String> rangeType =
        srv.get("/api/v1/query_range?query=" + q("foo[1m]") + "&start=1&end=2&step=1", A);
    assertThat(rangeType.body())
        .isEqualTo(
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid expression type"
                + " \\\"range vector\\\" for range query, must be Scalar or instant Vector\"}");
  }

  @Test
  void tenants_neverSeeEachOther() throws Exception {
    String range = "&start=" + (t0 / 1000 - 60) + "&end=" + (t0 / 1000 + 3600);
    assertThat(srv.get("/api/v1/label/job/values?" + range, A).body())
        .isEqualTo("{\"status\":\"success\",\"data\":[\"api\"]}");
    assertThat(srv.get("/api/v1/label/job/values?" + range, B).body())
        .isEqualTo("{\"status\":\"success\",\"data\":[\"secret\"]}");
    long t = t0 + 600_000;
    assertThat(
            srv.get("/api/v1/query?query=" + q("count(http_requests_total)") + "&time=" + sec(t), B)
                .body())
        .contains("\"value\":[" + sec(t) + ",\"1\"]");
    assertThat(
            srv.get(
                    "/api/v1/query?query="
                        + q("http_requests_total{job=\"secret\"}")
                        + "&time="
                        + sec(t),
                    A)
                .body())
        .contains("\"result\":[]");
    HttpResponse<String> none = srv.get("/api/v1/query?query=1", null);
    assertThat(none.statusCode()).isEqualTo(401);
    HttpResponse<String> unknown = srv.get("/api/v1/query?query=1", "nope");
    assertThat(unknown.statusCode()).isEqualTo(401);
    HttpResponse<String> spoof =
        ApiTestServer.HTTP.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(srv.base + "/api/v1/query?query=1"))
                .header("Authorization", "Bearer " + A)
                .header("X-Scope-OrgID", "team-b")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(spoof.statusCode()).isEqualTo(403);
  }

  @Test
  void seriesLimit_truncatesWithWarning() throws Exception {
    HttpResponse<String> r =
        srv.get("/api/v1/series?match[]=" + q("http_requests_total") + "&limit=1", A);
    assertThat(r.body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":["
                + "{\"__name__\":\"http_requests_total\",\"instance\":\"a\",\"job\":\"api\"}],"
                + "\"warnings\":[\"results truncated due to limit\"]}");
  }

  @Test
  void remoteRead_samplesAndStreamedChunks() throws Exception {
    Remote.Query query =
        Remote.Query.newBuilder()
            .setStartTimestampMs(t0)
            .setEndTimestampMs(t0 + 30_000)
            .addMatchers(
                Types.LabelMatcher.newBuilder().setName("__name__").setValue("http_requests_total"))
            .addMatchers(
                Types.LabelMatcher.newBuilder()
                    .setType(Types.LabelMatcher.Type.RE)
                    .setName("instance")
                    .setValue("a|z"))
            .build();
    Remote.ReadRequest req = Remote.ReadRequest.newBuilder().addQueries(query).build();
    HttpResponse<byte[]> r = read(req, A);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
    assertThat(r.headers().firstValue("Content-Encoding")).hasValue("snappy");
    Remote.ReadResponse resp = Remote.ReadResponse.parseFrom(RemoteRead.decompress(r.body()));
    assertThat(resp.getResultsCount()).isEqualTo(1);
    assertThat(resp.getResults(0).getTimeseriesCount()).isEqualTo(1);
    Types.TimeSeries ts = resp.getResults(0).getTimeseries(0);
    assertThat(ts.getLabelsList())
        .extracting(Types.Label::getValue)
        .containsExactly("http_requests_total", "a", "api");
    assertThat(ts.getSamplesList())
        .extracting(Types.Sample::getTimestamp)
        .containsExactly(t0, t0 + 15_000, t0 + 30_000);
    assertThat(ts.getSamplesList())
        .extracting(Types.Sample::getValue)
        .containsExactly(0.0, 10.0, 20.0);

    Remote.ReadRequest chunked =
        req.toBuilder()
            .addAcceptedResponseTypes(Remote.ReadRequest.ResponseType.STREAMED_XOR_CHUNKS)
            .build();
    HttpResponse<byte[]> c = read(chunked, A);
    assertThat(c.statusCode()).isEqualTo(200);
    assertThat(c.headers().firstValue("Content-Type"))
        .hasValue("application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse");
    assertThat(c.headers().firstValue("Content-Encoding")).isEmpty();
    List<Remote.ChunkedReadResponse> frames = RemoteReadTest.frames(c.body());
    assertThat(frames).hasSize(1);
    Types.ChunkedSeries cs = frames.get(0).getChunkedSeries(0);
    assertThat(cs.getChunksCount()).isEqualTo(1);
    var it = new io.theseus.chunk.XorIterator().reset(cs.getChunks(0).getData().toByteArray());
    assertThat(it.next()).isTrue();
    assertThat(it.timestamp()).isEqualTo(t0);
    assertThat(it.next()).isTrue();
    assertThat(it.value()).isEqualTo(10.0);
    assertThat(it.next()).isTrue();
    assertThat(it.timestamp()).isEqualTo(t0 + 30_000);
    assertThat(it.next()).isFalse();

    HttpResponse<byte[]> otherTenant = read(req, B);
    Remote.ReadResponse ob =
        Remote.ReadResponse.parseFrom(RemoteRead.decompress(otherTenant.body()));
    assertThat(ob.getResults(0).getTimeseries(0).getLabelsList())
        .extracting(Types.Label::getValue)
        .containsExactly("http_requests_total", "z", "secret");
  }

  static HttpResponse<byte[]> read(Remote.ReadRequest req, String token) throws Exception {
    return ApiTestServer.HTTP.send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(srv.base + "/api/v1/read"))
            .header("Content-Type", "application/x-protobuf")
            .header("Content-Encoding", "snappy")
            .header("Authorization", "Bearer " + token)
            .POST(
                java.net.http.HttpRequest.BodyPublishers.ofByteArray(
                    ApiTestServer.snappy(req.toByteArray())))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }
}
