package io.theseus.chunk;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlift.compress.snappy.SnappyCompressor;
import io.theseus.proto.Remote;
import io.theseus.proto.Types;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * One-off capture tool (not a test): starts the real Prometheus 2.42 ({@code /usr/bin/prometheus})
 * on 127.0.0.1 with a temp TSDB, pushes deterministic series via remote write, reads them back
 * with remote read {@code STREAMED_XOR_CHUNKS} and writes Prometheus's own XOR chunks plus the
 * pushed samples to {@code src/test/resources/io/theseus/chunk/prometheus-2.42-xor.jsonl}, which
 * {@code PrometheusXorGoldenTest} replays. Run by hand:
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat target/theseus.classpath) \
 *     io.theseus.chunk.PrometheusCapture
 * </pre>
 */
final class PrometheusCapture {
  static final String RESOURCE = "src/test/resources/io/theseus/chunk/prometheus-2.42-xor.jsonl";

  record Series(String name, String kind, long[] ts, long[] bits) {}

  public static void main(String[] args) throws Exception {
    long end = (System.currentTimeMillis() / 1000) * 1000 - 60_000;
    List<Series> series = generate(end);
    Path dir = Files.createTempDirectory("prom-capture");
    Path cfg = dir.resolve("prometheus.yml");
    Files.writeString(cfg, "global:\n  scrape_interval: 15s\n");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process p =
        new ProcessBuilder(
                "/usr/bin/prometheus",
                "--config.file=" + cfg,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--web.enable-remote-write-receiver")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String base = "http://127.0.0.1:" + port;
      waitReady(http, base);
      push(http, base, series);
      byte[] body = read(http, base, end - 3 * 3600_000L, end + 60_000);
      writeResource(series, body);
      System.out.println("wrote " + RESOURCE + " (prometheus pid " + p.pid() + ")");
    } finally {
      p.destroy();
      p.waitFor();
      try (Stream<Path> w = Files.walk(dir)) {
        w.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  static List<Series> generate(long end) {
    Random r = new Random(42);
    List<Series> out = new ArrayList<>();
    int n = 360;
    long start = end - (n - 1) * 15_000L;
    // node_exporter-like counter at 15 s.
    long[] ts = new long[n];
    long[] bits = new long[n];
    double c = 1234567;
    for (int i = 0; i < n; i++) {
      ts[i] = start + i * 15_000L;
      c += r.nextInt(5000);
      bits[i] = Double.doubleToRawLongBits(c);
    }
    out.add(new Series("capture_counter_total", "counter", ts, bits));
    // random-walk gauge with 2 decimals and scrape jitter.
    ts = new long[n];
    bits = new long[n];
    double g = 50;
    for (int i = 0; i < n; i++) {
      ts[i] = start + i * 15_000L + r.nextInt(41) - 20;
      g = Math.round((g + r.nextGaussian()) * 100) / 100.0;
      bits[i] = Double.doubleToRawLongBits(g);
    }
    out.add(new Series("capture_gauge", "gauge", ts, bits));
    // constant.
    ts = new long[n];
    bits = new long[n];
    for (int i = 0; i < n; i++) {
      ts[i] = start + i * 15_000L;
      bits[i] = Double.doubleToRawLongBits(1.0);
    }
    out.add(new Series("capture_constant", "constant", ts, bits));
    // special values, stale markers, irregular gaps, random bit patterns.
    ts = new long[n];
    bits = new long[n];
    long t = start;
    long[] specials = {
      0x7ff0000000000002L, 0x7ff8000000000001L, 0x8000000000000000L, 0L, 0x7ff0000000000000L,
      0xfff0000000000000L, 1L, 0x7fefffffffffffffL, Double.doubleToRawLongBits(9007199254740992.0)
    };
    for (int i = 0; i < n; i++) {
      ts[i] = t;
      int k = r.nextInt(4);
      bits[i] =
          k == 0
              ? specials[r.nextInt(specials.length)]
              : k == 1 ? r.nextLong() : Double.doubleToRawLongBits(r.nextInt(100) / 8.0);
      int gap = r.nextInt(6);
      t +=
          gap == 0
              ? 1
              : gap == 1 ? 15_000 : gap == 2 ? r.nextInt(600_000) + 1 : 15_000 + r.nextInt(3);
      if (t > end) {
        long[] ts2 = java.util.Arrays.copyOf(ts, i + 1);
        long[] b2 = java.util.Arrays.copyOf(bits, i + 1);
        ts = ts2;
        bits = b2;
        break;
      }
    }
    out.add(new Series("capture_special", "special", ts, bits));
    return out;
  }

  static void waitReady(HttpClient http, String base) throws Exception {
    for (int i = 0; i < 300; i++) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/-/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("prometheus did not become ready");
  }

  static void push(HttpClient http, String base, List<Series> series) throws Exception {
    Remote.WriteRequest.Builder w = Remote.WriteRequest.newBuilder();
    for (Series s : series) {
      Types.TimeSeries.Builder ts =
          Types.TimeSeries.newBuilder()
              .addLabels(Types.Label.newBuilder().setName("__name__").setValue(s.name()))
              .addLabels(Types.Label.newBuilder().setName("job").setValue("capture"));
      for (int i = 0; i < s.ts().length; i++) {
        ts.addSamples(
            Types.Sample.newBuilder()
                .setTimestamp(s.ts()[i])
                .setValue(Double.longBitsToDouble(s.bits()[i])));
      }
      w.addTimeseries(ts);
    }
    byte[] raw = w.build().toByteArray();
    SnappyCompressor comp = new SnappyCompressor();
    byte[] buf = new byte[comp.maxCompressedLength(raw.length)];
    int n = comp.compress(raw, 0, raw.length, buf, 0, buf.length);
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/write"))
                .header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(java.util.Arrays.copyOf(buf, n)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException("remote write failed: " + r.statusCode() + " " + r.body());
    }
  }

  static byte[] read(HttpClient http, String base, long from, long to) throws Exception {
    Remote.ReadRequest req =
        Remote.ReadRequest.newBuilder()
            .addQueries(
                Remote.Query.newBuilder()
                    .setStartTimestampMs(from)
                    .setEndTimestampMs(to)
                    .addMatchers(
                        Types.LabelMatcher.newBuilder()
                            .setType(Types.LabelMatcher.Type.EQ)
                            .setName("job")
                            .setValue("capture")))
            .addAcceptedResponseTypes(Remote.ReadRequest.ResponseType.STREAMED_XOR_CHUNKS)
            .build();
    byte[] raw = req.toByteArray();
    SnappyCompressor comp = new SnappyCompressor();
    byte[] buf = new byte[comp.maxCompressedLength(raw.length)];
    int n = comp.compress(raw, 0, raw.length, buf, 0, buf.length);
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/read"))
                .header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Read-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(java.util.Arrays.copyOf(buf, n)))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    String ct = r.headers().firstValue("Content-Type").orElse("");
    if (r.statusCode() != 200 || !ct.contains("x-streamed-protobuf")) {
      throw new IllegalStateException(
          "remote read failed: " + r.statusCode() + " " + ct + " "
              + new String(r.body(), StandardCharsets.UTF_8));
    }
    return r.body();
  }

  static void writeResource(List<Series> series, byte[] body) throws IOException {
    ObjectMapper json = new ObjectMapper();
    StringBuilder out = new StringBuilder();
    HexFormat hex = HexFormat.of();
    int p = 0;
    int frames = 0;
    List<Types.ChunkedSeries> got = new ArrayList<>();
    while (p < body.length) {
      long len = 0;
      int shift = 0;
      while (true) {
        int b = body[p++] & 0xff;
        len |= (long) (b & 0x7f) << shift;
        if (b < 0x80) {
          break;
        }
        shift += 7;
      }
      p += 4; // CRC-32C of the message, big-endian (checked by protobuf parse success here)
      Remote.ChunkedReadResponse resp =
          Remote.ChunkedReadResponse.parseFrom(
              java.util.Arrays.copyOfRange(body, p, p + (int) len));
      p += (int) len;
      frames++;
      got.addAll(resp.getChunkedSeriesList());
    }
    for (Types.ChunkedSeries cs : got) {
      String name = "";
      for (Types.Label l : cs.getLabelsList()) {
        if (l.getName().equals("__name__")) {
          name = l.getValue();
        }
      }
      Series s = null;
      for (Series x : series) {
        if (x.name().equals(name)) {
          s = x;
        }
      }
      ObjectNode line = json.createObjectNode();
      line.put("name", name);
      line.put("kind", s.kind());
      ArrayNode samples = line.putArray("samples");
      for (int i = 0; i < s.ts().length; i++) {
        samples.addArray().add(s.ts()[i]).add(Long.toHexString(s.bits()[i]));
      }
      ArrayNode chunks = line.putArray("chunks");
      for (Types.Chunk c : cs.getChunksList()) {
        ObjectNode cn = chunks.addObject();
        cn.put("min_time_ms", c.getMinTimeMs());
        cn.put("max_time_ms", c.getMaxTimeMs());
        cn.put("type", c.getTypeValue());
        cn.put("data", hex.formatHex(c.getData().toByteArray()));
      }
      out.append(json.writeValueAsString(line)).append('\n');
    }
    Path res = Path.of(RESOURCE);
    Files.createDirectories(res.getParent());
    Files.writeString(res, out.toString());
    System.out.println(frames + " frames, " + got.size() + " series");
  }

  private PrometheusCapture() {}
}
