package io.theseus.cli.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads raw samples through the Prometheus query API: an instant query of the range selector
 * {@code family[<maxTs-minTs+1>ms]} at {@code time=maxTs} returns every stored sample in the
 * window (2.x: closed window, 3.x: left-open; the window is 1 ms wider and samples before minTs are
 * dropped, so both give exactly [minTs, maxTs]). Values are JSON strings in
 * Go's shortest round-trip format, so Double.parseDouble restores the exact bits, except NaN
 * (payload lost) and stale markers (never returned by the API).
 */
final class QueryApiReadBack implements ReadBack {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client;
  private final Target target;

  QueryApiReadBack(HttpClient client, Target target) {
    this.client = client;
    this.target = target;
  }

  @Override
  public boolean rawNaN() {
    return false;
  }

  @Override
  public String describe() {
    return target.queryUrl() + "/api/v1/query";
  }

  @Override
  public List<Series> read(String family, long minTs, long maxTs) throws IOException, InterruptedException {
    String q = family + "[" + (maxTs - minTs + 1) + "ms]";
    String url = target.queryUrl() + "/api/v1/query?query=" + URLEncoder.encode(q, StandardCharsets.UTF_8)
        + "&time=" + seconds(maxTs);
    JsonNode root = get(client, target, url);
    List<Series> out = new ArrayList<>();
    for (JsonNode r : root.path("data").path("result")) {
      Map<String, String> labels = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = r.path("metric").fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        labels.put(e.getKey(), e.getValue().asText());
      }
      JsonNode values = r.path("values");
      long[] ts = new long[values.size()];
      double[] v = new double[values.size()];
      int n = 0;
      for (int i = 0; i < values.size(); i++) {
        JsonNode p = values.get(i);
        long t = Math.round(p.get(0).asDouble() * 1000);
        if (t >= minTs) { // 2.x windows are closed: drop the extra millisecond before minTs
          ts[n] = t;
          v[n++] = parseValue(p.get(1).asText());
        }
      }
      out.add(new Series(labels, java.util.Arrays.copyOf(ts, n), java.util.Arrays.copyOf(v, n)));
    }
    return out;
  }

  /** Go's FormatFloat output: "NaN", "+Inf", "-Inf" or a decimal. */
  static double parseValue(String s) {
    return switch (s) {
      case "NaN" -> Double.NaN;
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }

  static String seconds(long ms) {
    return Math.floorDiv(ms, 1000) + "." + String.format("%03d", Math.floorMod(ms, 1000));
  }

  /** GET with the target's auth; throws IOException with the server's error on non-2xx. */
  static JsonNode get(HttpClient client, Target target, String url) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(2)).GET();
    Sender.addAuth(b, target);
    HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() / 100 != 2) {
      String body = new String(r.body(), 0, Math.min(400, r.body().length), StandardCharsets.UTF_8);
      throw new IOException("GET " + url + " -> HTTP " + r.statusCode() + ": " + body);
    }
    return JSON.readTree(r.body());
  }
}
