package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.proto.Remote;
import io.theseus.proto.Types;
import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
import java.io.IOException;
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
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hostile input against one real instance (header tenancy, default 100 MiB body limit) on the test
 * Cassandra: mutated snappy/protobuf bodies on every write endpoint and both protocol versions,
 * hostile series, a >100 MiB body, slow clients, malformed PromQL and parameters on every query
 * endpoint, mutated remote-read and peer bodies. Fixed seed ({@link Fuzz#SEED}), corpus under
 * {@code src/test/resources/fuzz/}. Every bad request must get a 4xx (never 5xx), and after each
 * test the server must still serve: a known sample is written and read back, and an unrelated
 * tenant's data is byte-for-byte what it was before.
 */
@ExtendWith(CassandraExtension.class)
class HostileInputTest {
  private static final Logger logger = LoggerFactory.getLogger(HostileInputTest.class);
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  static final String[] WRITE_PATHS = {"/api/v1/push", "/api/v1/write", "/api/prom/push"};
  static final String CT_V1 = "application/x-protobuf;proto=prometheus.WriteRequest";
  static final String CT_V2 = "application/x-protobuf;proto=io.prometheus.write.v2.Request";

  static TheseusServer server;
  static String base;
  static Path dir;
  static long now;
  static String victimBaseline;
  static final AtomicLong known = new AtomicLong();

  @BeforeAll
  static void start(CassandraKeyspace ks) throws Exception {
    dir = Files.createTempDirectory("hostile");
    var c = ks.cassandra().contactPoint();
    TheseusConfig cfg =
        TheseusConfig.defaults()
            .withServer(new TheseusConfig.Server("127.0.0.1:0", dir.toString(), true, null, null,
                null))
            .withCassandra(new TheseusConfig.Cassandra(List.of(c.getHostString() + ":" + c.getPort()),
                null, ks.name(), null, "ONE", null, null, null, null, null, null));
    server = new TheseusServer(cfg, null).start();
    base = "http://127.0.0.1:" + server.port();
    now = (System.currentTimeMillis() / 1000) * 1000 - 60_000;
    Types.TimeSeries.Builder v = Types.TimeSeries.newBuilder()
        .addLabels(label("__name__", "victim_metric")).addLabels(label("job", "v"));
    for (int i = 0; i < 5; i++) {
      v.addSamples(Types.Sample.newBuilder().setTimestamp(now - 5000 + i * 1000).setValue(i * 1.5));
    }
    assertThat(write("victim", v.build()).statusCode()).isEqualTo(200);
    victimBaseline = victim();
    assertThat(victimBaseline).contains("\"1.5\"").contains("victim_metric");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** The server still serves: a new known sample is writable and readable; the victim is intact. */
  @AfterEach
  void stillServing() throws Exception {
    long n = known.incrementAndGet();
    long t = now + n * 1000;
    HttpResponse<String> w = write("known", Types.TimeSeries.newBuilder()
        .addLabels(label("__name__", "known_metric"))
        .addSamples(Types.Sample.newBuilder().setTimestamp(t).setValue(n)).build());
    assertThat(w.statusCode()).as(w.body()).isEqualTo(200);
    HttpResponse<String> r = get("/api/v1/query?query=known_metric&time=" + t / 1000.0, "known");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"" + n + "\"]");
    assertThat(victim()).isEqualTo(victimBaseline);
  }

  static String victim() throws Exception {
    HttpResponse<String> r = get("/api/v1/query_range?query=victim_metric&start=" + (now - 5000) / 1000
        + "&end=" + now / 1000 + "&step=1", "victim");
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  static Types.Label label(String n, String v) {
    return Types.Label.newBuilder().setName(n).setValue(v).build();
  }

  static HttpResponse<String> write(String tenant, Types.TimeSeries... series) throws Exception {
    byte[] body = ApiTestServer.snappy(
        Remote.WriteRequest.newBuilder().addAllTimeseries(List.of(series)).build().toByteArray());
    return post("/api/v1/push", body, tenant, CT_V1, "snappy");
  }

  static HttpResponse<String> post(String path, byte[] body, String tenant, String ct, String ce)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (tenant != null) {
      b.header("X-Scope-OrgID", tenant);
    }
    if (ct != null) {
      b.header("Content-Type", ct);
    }
    if (ce != null) {
      b.header("Content-Encoding", ce);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String pathAndQuery, String tenant) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
        .timeout(Duration.ofSeconds(30));
    if (tenant != null) {
      b.header("X-Scope-OrgID", tenant);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static void report(String what, Fuzz f) {
    logger.info("fuzz {}: {} requests, statuses {} (4xx {}, 5xx {})", what, f.requests(), f.statuses,
        f.count(400, 499), f.count(500, 599));
  }

  // ------------------------------------------------------------------ write bodies

  @Test
  void writeEndpoints_mutatedSnappyAndProtobuf_never5xx() throws Exception {
    Fuzz f = new Fuzz(Fuzz.SEED);
    String[] seeds = {"write/v1-basic.hex", "write/v1-histogram.hex", "write/v2-basic.hex"};
    for (String seed : seeds) {
      byte[] raw = Fuzz.hex(seed);
      boolean v2 = seed.contains("v2");
      byte[] valid = ApiTestServer.snappy(raw);
      for (int i = 0; i < 120; i++) {
        byte[] body;
        String kind;
        switch (i % 4) {
          case 0 -> {
            body = java.util.Arrays.copyOf(valid, f.rnd.nextInt(valid.length));
            kind = "truncated snappy";
          }
          case 1 -> {
            body = f.mutate(valid);
            kind = "mutated snappy";
          }
          case 2 -> {
            byte[] p = raw;
            for (int k = 1 + f.rnd.nextInt(3); k > 0; k--) {
              p = f.mutate(p);
            }
            body = ApiTestServer.snappy(p);
            kind = "mutated protobuf";
          }
          default -> {
            body = ApiTestServer.snappy(java.util.Arrays.copyOf(raw, f.rnd.nextInt(raw.length)));
            kind = "truncated protobuf";
          }
        }
        boolean asV2 = f.rnd.nextInt(6) == 0 ? !v2 : v2;
        String path = WRITE_PATHS[f.rnd.nextInt(WRITE_PATHS.length)];
        HttpResponse<String> r = post(path, body, "fuzz", asV2 ? CT_V2 : CT_V1,
            f.rnd.nextInt(8) == 0 ? null : "snappy");
        f.tally(r.statusCode());
        assertThat(r.statusCode())
            .as("%s %s to %s (v2=%s): %s -> %s", kind, HexFormat.of().formatHex(body), path, asV2,
                r.statusCode(), r.body())
            .isBetween(200, 499);
      }
    }
    report("write bodies", f);
    assertThat(f.count(400, 499)).isGreaterThan(f.requests() / 2);
    // Whatever the fuzz got accepted is readable as valid series.
    HttpResponse<String> s = get("/api/v1/series?match[]=" + q("{__name__=~\".+\"}"), "fuzz");
    assertThat(s.statusCode()).isEqualTo(200);
  }

  @Test
  void snappyBombs_400BeforeAllocating() throws Exception {
    // uvarint(100 MiB) then a 2-byte literal: would make each worker allocate the body limit.
    byte[] bomb = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x32, 0x04, 'a', 'b'};
    for (int i = 0; i < 60; i++) {
      HttpResponse<String> r = post(WRITE_PATHS[i % 3], bomb, "bomb", i % 2 == 0 ? CT_V1 : CT_V2,
          "snappy");
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body()).contains("cannot come from 7 bytes");
    }
  }

  // ------------------------------------------------------------------ hostile series

  @Test
  void hugeLabelValueAndCount_400() throws Exception {
    HttpResponse<String> big = write("hostile", Types.TimeSeries.newBuilder()
        .addLabels(label("__name__", "big")).addLabels(label("v", "x".repeat(1 << 20)))
        .addSamples(Types.Sample.newBuilder().setTimestamp(now).setValue(1)).build());
    assertThat(big.statusCode()).isEqualTo(400);
    assertThat(big.body()).contains("label value too long").hasSizeLessThan(64 * 1024);
    // 100k label names in reverse order: rejected without sorting them quadratically.
    Types.TimeSeries.Builder many = Types.TimeSeries.newBuilder();
    for (int i = 99_999; i >= 0; i--) {
      many.addLabels(label(String.format("l%05d", i), "v"));
    }
    many.addLabels(label("__name__", "many"));
    many.addSamples(Types.Sample.newBuilder().setTimestamp(now).setValue(1));
    HttpResponse<String> count = write("hostile", many.build());
    assertThat(count.statusCode()).isEqualTo(400);
    assertThat(count.body()).contains("series has too many labels (actual: 100001, limit: 30)")
        .hasSizeLessThan(64 * 1024);
    // 5k series in one request with long (but valid) values: accepted, all readable.
    Remote.WriteRequest.Builder wide = Remote.WriteRequest.newBuilder();
    for (int i = 0; i < 5_000; i++) {
      wide.addTimeseries(Types.TimeSeries.newBuilder().addLabels(label("__name__", "wide"))
          .addLabels(label("i", Integer.toString(i))).addLabels(label("pad", "p".repeat(2048)))
          .addSamples(Types.Sample.newBuilder().setTimestamp(now).setValue(i)));
    }
    HttpResponse<String> w = post("/api/v1/push",
        ApiTestServer.snappy(wide.build().toByteArray()), "hostile", CT_V1, "snappy");
    assertThat(w.statusCode()).as(w.body()).isEqualTo(200);
    assertThat(get("/api/v1/query?query=" + q("count(wide)") + "&time=" + now / 1000, "hostile")
        .body()).contains("\"5000\"");
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static int writeRaw(String tenant, List<byte[]> names, List<byte[]> values) throws Exception {
    return post("/api/v1/push", ApiTestServer.snappy(Fuzz.rawSeries(names, values, now)), tenant,
        CT_V1, "snappy").statusCode();
  }

  @Test
  void invalidUtf8_rejected_andNeverBreaksReads() throws Exception {
    byte[] bad = {'a', (byte) 0xff, (byte) 0xc3, 'b'};
    assertThat(writeRaw("utf8", List.of(b("__name__")), List.of(bad))).isEqualTo(400);
    assertThat(writeRaw("utf8", List.of(b("__name__"), bad), List.of(b("u"), b("v")))).isEqualTo(400);
    assertThat(writeRaw("utf8", List.of(b("__name__"), b("k")), List.of(b("utf8_value"), bad)))
        .isEqualTo(400);
    // 0xFF separates labels in head keys: a value must not forge another label set.
    byte[] forge = {'x', (byte) 0xff, 'j', 'o', 'b', (byte) 0xff, 'v'};
    assertThat(writeRaw("utf8", List.of(b("__name__"), b("k")), List.of(b("utf8_value"), forge)))
        .isEqualTo(400);
    assertThat(writeRaw("utf8", List.of(b("__name__"), b("k")),
        List.of(b("utf8_value"), b("k\u00fcche \uD83D\uDE00")))).isEqualTo(200);
    for (String path : List.of("/api/v1/series?match[]=" + q("utf8_value"),
        "/api/v1/label/k/values", "/api/v1/labels",
        "/api/v1/query?query=utf8_value&time=" + now / 1000)) {
      HttpResponse<String> r = get(path, "utf8");
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.body()).as(path).contains("\"status\":\"success\"")
          .doesNotContain("\"job\"");
    }
    assertThat(get("/api/v1/label/k/values", "utf8").body())
        .isEqualTo("{\"status\":\"success\",\"data\":[\"k\u00fcche \uD83D\uDE00\"]}");
    // Invalid UTF-8 in the query string itself.
    for (String path : List.of("/api/v1/query?query=%FF%FE", "/api/v1/series?match[]=%C3",
        "/api/v1/label/%FF/values", "/api/v1/label/a%00b/values",
        "/api/v1/query_range?query=up&start=%FF&end=1&step=1", "/api/v1/labels?match[]=up%7B%FF%7D")) {
      HttpResponse<String> r = get(path, "utf8");
      assertThat(r.statusCode()).as(path + " " + r.body()).isBetween(400, 499);
    }
  }

  @Test
  void nanAndInfinities_storedAndReadBack() throws Exception {
    Types.TimeSeries.Builder b = Types.TimeSeries.newBuilder().addLabels(label("__name__", "special"));
    double[] vs = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0,
        Double.MIN_VALUE, Double.MAX_VALUE};
    for (int i = 0; i < vs.length; i++) {
      b.addSamples(Types.Sample.newBuilder().setTimestamp(now + i * 1000).setValue(vs[i]));
    }
    assertThat(write("special", b.build()).statusCode()).isEqualTo(200);
    HttpResponse<String> r = get("/api/v1/query_range?query=special&start=" + now / 1000 + "&end="
        + (now / 1000 + 5) + "&step=1", "special");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"NaN\"", "\"+Inf\"", "\"-Inf\"", "\"-0\"", "\"5e-324\"",
        "\"1.7976931348623157e+308\"");
  }

  @Test
  void timestampsAtLongLimits_neverBreakReads() throws Exception {
    // Too far in the future: Cortex's creation grace period gives 400.
    for (long t : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1}) {
      HttpResponse<String> r = write("limits", Types.TimeSeries.newBuilder()
          .addLabels(label("__name__", "edge_max"))
          .addSamples(Types.Sample.newBuilder().setTimestamp(t).setValue(1)).build());
      assertThat(r.statusCode()).as(t + ": " + r.body()).isEqualTo(400);
    }
    // Very old samples are accepted by Cortex (reject_old_samples is off by default); either way
    // the series must stay readable and appendable.
    for (long t : new long[] {Long.MIN_VALUE, Long.MIN_VALUE + 1, ApiParams.MIN_TIME_MS}) {
      HttpResponse<String> r = write("limits", Types.TimeSeries.newBuilder()
          .addLabels(label("__name__", "edge")).addLabels(label("t", Long.toString(t)))
          .addSamples(Types.Sample.newBuilder().setTimestamp(t).setValue(3)).build());
      assertThat(r.statusCode()).as(t + ": " + r.body()).isIn(200, 400);
      HttpResponse<String> after = write("limits", Types.TimeSeries.newBuilder()
          .addLabels(label("__name__", "edge")).addLabels(label("t", Long.toString(t)))
          .addSamples(Types.Sample.newBuilder().setTimestamp(now).setValue(7)).build());
      assertThat(after.statusCode()).as(t + ": " + after.body()).isEqualTo(200);
    }
    for (String time : List.of("-9223372036854775.808", "9223372036854775.807",
        ApiParams.MIN_TIME_STRING, ApiParams.MAX_TIME_STRING)) {
      HttpResponse<String> r = get("/api/v1/query?query=edge&time=" + q(time), "limits");
      assertThat(r.statusCode()).as(time + " " + r.body()).isLessThan(500);
    }
    HttpResponse<String> all = get("/api/v1/query_range?query=edge&start=" + q(ApiParams.MIN_TIME_STRING)
        + "&end=" + q(ApiParams.MAX_TIME_STRING) + "&step=" + q("1000000000000"), "limits");
    assertThat(all.statusCode()).as(all.body()).isLessThan(500);
    HttpResponse<String> r = get("/api/v1/query?query=edge&time=" + now / 1000, "limits");
    assertThat(r.body()).contains("\"7\"]");
    assertThat(r.body().split("\"7\"]").length - 1).isEqualTo(3);
    HttpResponse<String> rr = post("/api/v1/read", ApiTestServer.snappy(Remote.ReadRequest.newBuilder()
        .addQueries(Remote.Query.newBuilder().setStartTimestampMs(Long.MIN_VALUE)
            .setEndTimestampMs(Long.MAX_VALUE).addMatchers(Types.LabelMatcher.newBuilder()
                .setName("__name__").setValue("edge"))).build().toByteArray()), "limits",
        "application/x-protobuf", "snappy");
    assertThat(rr.statusCode()).isEqualTo(200);
  }

  // ------------------------------------------------------------------ huge bodies, slow clients

  /** A body generator: writes {@code total} bytes in 64 KiB blocks until the server stops reading. */
  static final class Streamer extends Thread {
    final Fuzz.Raw raw;
    final long total;
    final boolean chunked;
    volatile long written;

    Streamer(Fuzz.Raw raw, long total, boolean chunked) {
      this.raw = raw;
      this.total = total;
      this.chunked = chunked;
      setDaemon(true);
    }

    @Override
    public void run() {
      byte[] block = new byte[64 * 1024];
      byte[] head = (Integer.toHexString(block.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      try {
        while (written < total) {
          if (chunked) {
            raw.out.write(head);
          }
          raw.out.write(block);
          if (chunked) {
            raw.out.write('\r');
            raw.out.write('\n');
          }
          written += block.length;
        }
        if (chunked) {
          raw.out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        raw.out.flush();
      } catch (IOException e) {
        // The server answered and closed: expected.
      }
    }
  }

  @Test
  void over100MiB_413_declaredOrChunked() throws Exception {
    long total = 150L << 20;
    for (boolean chunked : new boolean[] {false, true}) {
      // Chunked bodies are read up to the 100 MiB limit: one path is enough for those.
      for (String path : chunked ? new String[] {"/api/v1/write"} : WRITE_PATHS) {
        try (Fuzz.Raw raw = new Fuzz.Raw(server.port())) {
          raw.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nX-Scope-OrgID: huge\r\n"
              + "Content-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\n"
              + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + total + "\r\n")
              + "\r\n");
          Streamer s = new Streamer(raw, total, chunked);
          s.start();
          int status = raw.status();
          raw.close();
          s.join();
          assertThat(status).as(path + " chunked=" + chunked).isEqualTo(413);
          assertThat(s.written).as("answered before the whole body was sent").isLessThan(total);
        }
      }
    }
  }

  @Test
  void slowClients_doNotBlockOthers() throws Exception {
    byte[] body = ApiTestServer.snappy(Remote.WriteRequest.newBuilder()
        .addTimeseries(Types.TimeSeries.newBuilder().addLabels(label("__name__", "slow_metric"))
            .addSamples(Types.Sample.newBuilder().setTimestamp(now).setValue(42))).build()
        .toByteArray());
    byte[] write = concat(("POST /api/v1/push HTTP/1.1\r\nHost: x\r\nX-Scope-OrgID: slow\r\n"
        + "Content-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\nContent-Length: "
        + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), body);
    String form = "query=" + q("sum(known_metric)") + "&time=" + now / 1000;
    byte[] query = ("POST /api/v1/query HTTP/1.1\r\nHost: x\r\nX-Scope-OrgID: known\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length()
        + "\r\n\r\n" + form).getBytes(StandardCharsets.US_ASCII);
    List<Fuzz.Raw> idle = new ArrayList<>();
    try (Fuzz.Raw w = new Fuzz.Raw(server.port()); Fuzz.Raw qr = new Fuzz.Raw(server.port())) {
      // Eight connections that send half their headers and then nothing at all.
      for (int i = 0; i < 8; i++) {
        Fuzz.Raw r = new Fuzz.Raw(server.port());
        idle.add(r);
        r.send(java.util.Arrays.copyOf(write, i % 2 == 0 ? 20 : write.length - body.length + 3));
      }
      // Two clients dribbling one byte at a time; between bytes, normal requests must succeed.
      int served = 0;
      int max = Math.max(write.length, query.length);
      for (int i = 0; i < max; i++) {
        if (i < write.length) {
          w.send(new byte[] {write[i]});
        }
        if (i < query.length) {
          qr.send(new byte[] {query[i]});
        }
        if (i % 4 == 0) {
          HttpResponse<String> ok = get("/api/v1/query?query=victim_metric&time=" + now / 1000,
              "victim");
          assertThat(ok.statusCode()).isEqualTo(200);
          assertThat(ok.body()).contains("victim_metric");
          served++;
        }
      }
      assertThat(w.status()).isEqualTo(200);
      assertThat(qr.status()).isEqualTo(200);
      logger.info("slow clients: {} normal requests served while two clients dribbled {} bytes",
          served, max);
    } finally {
      for (Fuzz.Raw r : idle) {
        r.close();
      }
    }
    assertThat(get("/api/v1/query?query=slow_metric&time=" + now / 1000, "slow").body())
        .contains("\"42\"]");
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  // ------------------------------------------------------------------ queries

  static final String[] SELECTOR_ENDPOINTS = {"/api/v1/series", "/api/v1/labels",
      "/api/v1/label/job/values", "/api/v1/label/__name__/values"};

  @Test
  void queryEndpoints_malformedPromqlAndParams_never5xx() throws Exception {
    Fuzz f = new Fuzz(Fuzz.SEED + 1);
    List<String> exprs = new ArrayList<>(Fuzz.lines("promql.txt", false));
    List<String> seeds = List.of("rate(victim_metric[5m])", "sum by (job) (victim_metric{job=~\"v.*\"})",
        "histogram_quantile(0.9, rate(x_bucket[1m]))", "victim_metric offset 1m @ 100",
        "max_over_time(victim_metric[1h:1m])", "label_replace(victim_metric, \"a\", \"$1\", \"job\", \"(.*)\")",
        "topk(3, victim_metric) * on(job) group_left victim_metric");
    for (int i = 0; i < 120; i++) {
      String s = seeds.get(f.rnd.nextInt(seeds.size()));
      for (int k = 1 + f.rnd.nextInt(3); k > 0; k--) {
        s = f.mutate(s);
      }
      exprs.add(s);
    }
    exprs.add("(".repeat(30_000) + "1" + ")".repeat(30_000));
    exprs.add("-".repeat(30_000) + "1");
    exprs.add("1" + " + 1".repeat(30_000));
    exprs.add("{" + "a=\"b\",".repeat(20_000) + "}");
    exprs.add("x".repeat(1 << 20));
    String range = "&start=" + (now / 1000 - 600) + "&end=" + now / 1000;
    for (String e : exprs) {
      check(f, get("/api/v1/query?query=" + q(e) + "&time=" + now / 1000, "fuzzq"), e);
      check(f, form("/api/v1/query_range", "fuzzq", "query", e, "start", "" + (now / 1000 - 600),
          "end", "" + now / 1000, "step", "15"), e);
      String ep = SELECTOR_ENDPOINTS[f.rnd.nextInt(SELECTOR_ENDPOINTS.length)];
      check(f, get(ep + "?match[]=" + q(e) + range, "fuzzq"), ep + " " + e);
    }
    List<String> values = Fuzz.lines("params.txt", true);
    for (String v : values) {
      String x = q(v);
      for (String path : List.of(
          "/api/v1/query?query=victim_metric&time=" + x,
          "/api/v1/query?query=victim_metric&timeout=" + x,
          "/api/v1/query_range?query=victim_metric&start=" + x + "&end=100&step=10",
          "/api/v1/query_range?query=victim_metric&start=0&end=" + x + "&step=10",
          "/api/v1/query_range?query=victim_metric&start=0&end=100&step=" + x,
          "/api/v1/series?match[]=victim_metric&start=" + x,
          "/api/v1/series?match[]=victim_metric&end=" + x + "&limit=" + x,
          "/api/v1/labels?start=" + x + "&end=" + x,
          "/api/v1/labels?limit=" + x,
          "/api/v1/label/job/values?start=" + x + "&limit=" + x,
          "/api/v1/metadata?limit=" + x + "&metric=" + x,
          "/api/v1/query_exemplars?query=up&start=" + x + "&end=" + x)) {
        HttpResponse<String> r = get(path, "fuzzq");
        if (path.contains("timeout=") && r.statusCode() == 503) {
          // Prometheus 2.42 too: a zero or negative timeout expires at once -> 503 "timeout".
          assertThat(r.body()).contains("\"errorType\":\"timeout\"");
          assertThat(Double.parseDouble(v.replaceAll("[a-z]+$", ""))).isLessThanOrEqualTo(0);
          f.tally(r.statusCode());
          continue;
        }
        check(f, r, path);
      }
    }
    for (String name : List.of("..", "..%2F..%2Fetc", "a-b", "%20", "x".repeat(10_000), "1a",
        "%2e%2e")) {
      check(f, get("/api/v1/label/" + name + "/values", "fuzzq"), name);
    }
    // A valid 100 KiB query POSTed as a form (Grafana does this with big regexes) is answered.
    StringBuilder alt = new StringBuilder("victim_metric{job=~\"v");
    for (int i = 0; i < 10_000; i++) {
      alt.append("|j").append(i);
    }
    HttpResponse<String> big = form("/api/v1/query", "victim", "query", alt + "\"}", "time",
        "" + now / 1000);
    assertThat(big.statusCode()).as(big.body()).isEqualTo(200);
    assertThat(big.body()).contains("victim_metric");
    HttpResponse<String> longGet = get("/api/v1/query?query=" + q(alt.substring(0, 20_000) + "\"}")
        + "&time=" + now / 1000, "victim");
    assertThat(longGet.statusCode()).as(longGet.body()).isEqualTo(200);
    assertThat(longGet.body()).contains("victim_metric");
    report("queries", f);
    assertThat(f.count(400, 499)).isGreaterThan(f.requests() / 3);
  }

  static HttpResponse<String> form(String path, String tenant, String... kv) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("X-Scope-OrgID", tenant)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(ApiTestServer.form(kv))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static void check(Fuzz f, HttpResponse<String> r, String what) {
    f.tally(r.statusCode());
    String w = what.length() > 300 ? what.substring(0, 300) + "..." : what;
    assertThat(r.statusCode()).as("%s -> %s", w, r.body()).isBetween(200, 499);
    // Request lines over the 1 MiB limit are refused by HTTP decoding (plain 414).
    boolean reachedApi = r.uri().toString().length() < (1 << 20);
    if (reachedApi && (r.statusCode() == 400 || r.statusCode() == 422)) {
      assertThat(r.body()).as(w).contains("\"status\":\"error\"");
    }
  }

  @Test
  void remoteReadAndPeerEndpoint_mutatedBodies_never5xx() throws Exception {
    Fuzz f = new Fuzz(Fuzz.SEED + 2);
    byte[] raw = Fuzz.hex("read/read-basic.hex");
    byte[] valid = ApiTestServer.snappy(raw);
    for (int i = 0; i < 150; i++) {
      byte[] body = i % 2 == 0 ? f.mutate(valid) : ApiTestServer.snappy(f.mutate(f.mutate(raw)));
      HttpResponse<String> r = post("/api/v1/read", body, "fuzzr", "application/x-protobuf", "snappy");
      f.tally(r.statusCode());
      assertThat(r.statusCode()).as("%s -> %s", HexFormat.of().formatHex(body), r.body())
          .isBetween(200, 499);
    }
    for (Remote.Query q : List.of(
        Remote.Query.newBuilder().setStartTimestampMs(Long.MIN_VALUE).setEndTimestampMs(Long.MAX_VALUE)
            .addMatchers(Types.LabelMatcher.newBuilder().setName("__name__").setValue("victim_metric"))
            .build(),
        Remote.Query.newBuilder().setStartTimestampMs(10).setEndTimestampMs(1).build(),
        Remote.Query.newBuilder().addMatchers(Types.LabelMatcher.newBuilder()
            .setType(Types.LabelMatcher.Type.RE).setName("job").setValue("(")).build(),
        Remote.Query.newBuilder().addMatchers(Types.LabelMatcher.newBuilder()
            .setType(Types.LabelMatcher.Type.NRE).setName("").setValue(".*")).build())) {
      HttpResponse<String> r = post("/api/v1/read", ApiTestServer.snappy(
          Remote.ReadRequest.newBuilder().addQueries(q).build().toByteArray()), "fuzzr",
          "application/x-protobuf", "snappy");
      f.tally(r.statusCode());
      assertThat(r.statusCode()).as(q + " -> " + r.body()).isBetween(200, 499);
    }
    // The internal head endpoint, with the real cluster secret, fed garbage.
    String secret = server.session().execute("SELECT value FROM "
        + server.config().cassandra().keyspace() + ".theseus_cluster WHERE name = 'peer_secret'")
        .one().getString(0);
    for (int i = 0; i < 100; i++) {
      byte[] body = new byte[f.rnd.nextInt(64)];
      f.rnd.nextBytes(body);
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + Peers.INTERNAL_PATH))
          .header(Peers.SECRET_HEADER, secret).header("X-Scope-OrgID", "victim")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      f.tally(r.statusCode());
      assertThat(r.statusCode()).as(HexFormat.of().formatHex(body) + " -> " + r.body())
          .isBetween(200, 499);
    }
    report("remote read + peer", f);
  }

  // ------------------------------------------------------------------ tenant IDs

  @Test
  void trickTenantIds_refusedOnEveryEndpoint() throws Exception {
    List<String> ids = List.of("../", "..", ".", "a/b", "../victim", ".*", "a|b", "victim|known",
        "x".repeat(151), "victim\\", "vic tim", "victim:x", "%2e%2e");
    List<String> gets = List.of("/api/v1/query?query=victim_metric", "/api/v1/series?match[]=up",
        "/api/v1/labels", "/api/v1/label/job/values", "/api/v1/metadata",
        "/api/v1/query_range?query=up&start=0&end=1&step=1", "/api/v1/query_exemplars?query=up");
    byte[] rw = ApiTestServer.snappy(Remote.WriteRequest.newBuilder().addTimeseries(
        Types.TimeSeries.newBuilder().addLabels(label("__name__", "trick"))
            .addSamples(Types.Sample.newBuilder().setTimestamp(now).setValue(1))).build().toByteArray());
    byte[] rr = ApiTestServer.snappy(Fuzz.hex("read/read-basic.hex"));
    for (String id : ids) {
      for (String p : WRITE_PATHS) {
        assertThat(post(p, rw, id, CT_V1, "snappy").statusCode()).as(id + " " + p).isEqualTo(400);
      }
      assertThat(post("/api/v1/read", rr, id, "application/x-protobuf", "snappy").statusCode())
          .as(id).isEqualTo(400);
      for (String g : gets) {
        assertThat(get(g, id).statusCode()).as(id + " " + g).isEqualTo(400);
      }
    }
    for (String g : gets) {
      assertThat(get(g, null).statusCode()).as(g).isEqualTo(401);
      assertThat(get(g, "").statusCode()).as(g).isEqualTo(401);
    }
    // NUL, CR and LF cannot even be sent through java.net.http: send them raw.
    for (String id : List.of("a\u0000b", "a\rb", "\u00e9t\u00e9")) {
      try (Fuzz.Raw raw = new Fuzz.Raw(server.port())) {
        raw.send("GET /api/v1/labels HTTP/1.1\r\nHost: x\r\nX-Scope-OrgID: " + id + "\r\n\r\n");
        assertThat(raw.status()).as(id).isBetween(400, 499);
      }
    }
  }
}
