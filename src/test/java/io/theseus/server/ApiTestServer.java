package io.theseus.server;

import io.airlift.compress.snappy.SnappyCompressor;
import io.theseus.proto.Remote;
import io.theseus.proto.Types;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A real Theseus instance for HTTP tests: connected to the test JVM's Cassandra keyspace, HTTP on a
 * free loopback port, fed through its remote-write endpoint. Closed by the test.
 */
final class ApiTestServer implements AutoCloseable {
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final TheseusServer server;
  final String base;

  /**
   * @param tokens bearer token to tenant, or null for auth disabled (tenant "fake")
   */
  ApiTestServer(CassandraKeyspace ks, Path dir, Map<String, String> tokens, String instanceId)
      throws IOException {
    this(ks, dir, tokens, instanceId, TheseusConfig.defaults());
  }

  /** As above; {@code sections} gives the sections other than server and cassandra. */
  ApiTestServer(
      CassandraKeyspace ks,
      Path dir,
      Map<String, String> tokens,
      String instanceId,
      TheseusConfig sections)
      throws IOException {
    String tenantsFile = null;
    if (tokens != null) {
      Path f = dir.resolve("tenants.yaml");
      StringBuilder sb = new StringBuilder();
      tokens.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
      Files.writeString(f, sb);
      tenantsFile = f.toString();
    }
    String cp =
        ks.cassandra().contactPoint().getHostString()
            + ":"
            + ks.cassandra().contactPoint().getPort();
    TheseusConfig cfg =
        sections.withServer(
                new TheseusConfig.Server(
                    "127.0.0.1:0", dir.toString(), tokens != null, tenantsFile, null, instanceId))
            .withCassandra(
                new TheseusConfig.Cassandra(
                    List.of(cp), null, ks.name(), null, "ONE", null, null, null, null, null, null));
    server = new TheseusServer(cfg, null).start();
    base = "http://127.0.0.1:" + server.port();
  }

  /** One series to write: labels as name/value pairs and parallel samples. */
  record W(String[] labels, long[] ts, double[] vs) {
    static W of(long[] ts, double[] vs, String... labels) {
      return new W(labels, ts, vs);
    }
  }

  static byte[] snappy(byte[] raw) {
    SnappyCompressor c = new SnappyCompressor();
    byte[] dst = new byte[c.maxCompressedLength(raw.length)];
    int n = c.compress(raw, 0, raw.length, dst, 0, dst.length);
    return Arrays.copyOf(dst, n);
  }

  static Remote.WriteRequest writeRequest(List<W> series) {
    Remote.WriteRequest.Builder b = Remote.WriteRequest.newBuilder();
    for (W w : series) {
      TreeMap<String, String> m = new TreeMap<>();
      for (int i = 0; i < w.labels.length; i += 2) {
        m.put(w.labels[i], w.labels[i + 1]);
      }
      Types.TimeSeries.Builder t = Types.TimeSeries.newBuilder();
      m.forEach((k, v) -> t.addLabels(Types.Label.newBuilder().setName(k).setValue(v)));
      for (int i = 0; i < w.ts.length; i++) {
        t.addSamples(Types.Sample.newBuilder().setTimestamp(w.ts[i]).setValue(w.vs[i]));
      }
      b.addTimeseries(t);
    }
    return b.build();
  }

  /** Remote-writes {@code req} (with an optional bearer token); returns the status. */
  static int push(String url, Remote.WriteRequest req, String token) throws Exception {
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-protobuf")
            .header("Content-Encoding", "snappy")
            .header("X-Prometheus-Remote-Write-Version", "0.1.0")
            .POST(HttpRequest.BodyPublishers.ofByteArray(snappy(req.toByteArray())));
    if (token != null) {
      rb.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = HTTP.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException("push failed: " + r.statusCode() + " " + r.body());
    }
    return r.statusCode();
  }

  int push(Remote.WriteRequest req, String token) throws Exception {
    return push(base + "/api/v1/push", req, token);
  }

  HttpResponse<String> get(String pathAndQuery, String token) throws Exception {
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      rb.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(rb.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> postForm(String path, String token, String... kv) throws Exception {
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form(kv)));
    if (token != null) {
      rb.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(rb.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** URL-encodes name/value pairs. */
  static String form(String... kv) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < kv.length; i += 2) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(URLEncoder.encode(kv[i], StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(kv[i + 1], StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  @Override
  public void close() {
    server.close();
  }
}
