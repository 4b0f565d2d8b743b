package io.theseus.cli.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** Delivers one compressed remote-write body. Implementations are thread-safe. */
interface Sender {
  /** status: HTTP status; retryAfterMs: from Retry-After or -1; message: first line of an error body. */
  record Response(int status, long retryAfterMs, String message) {}

  Response send(byte[] body, int len, Workload.Protocol protocol) throws IOException, InterruptedException;

  /** Accepts everything instantly: measures the generator alone. */
  static Sender discard() {
    Response ok = new Response(204, -1, "");
    return (body, len, p) -> ok;
  }

  static HttpClient client(int connections) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  /** Remote write over java.net.http (keep-alive HTTP/1.1, one connection per concurrent caller). */
  static Sender http(HttpClient client, Target t) {
    URI uri = URI.create(t.url());
    return (body, len, protocol) -> {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofSeconds(30))
              .header("Content-Encoding", "snappy")
              .header("User-Agent", "theseus-loadtest/0.1")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body, 0, len));
      if (protocol == Workload.Protocol.RW1) {
        b.header("Content-Type", "application/x-protobuf");
        b.header("X-Prometheus-Remote-Write-Version", "0.1.0");
      } else {
        b.header("Content-Type", "application/x-protobuf;proto=io.prometheus.write.v2.Request");
        b.header("X-Prometheus-Remote-Write-Version", "2.0.0");
      }
      addAuth(b, t);
      HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      String msg = "";
      if (r.statusCode() / 100 != 2) {
        msg = new String(r.body(), 0, Math.min(r.body().length, 512), StandardCharsets.UTF_8);
        int nl = msg.indexOf('\n');
        msg = nl >= 0 ? msg.substring(0, nl) : msg;
      }
      return new Response(
          r.statusCode(), retryAfter(r.headers().firstValue("Retry-After").orElse(null)), msg);
    };
  }

  static void addAuth(HttpRequest.Builder b, Target t) {
    if (t.tenant() != null) {
      b.header("X-Scope-OrgID", t.tenant());
    }
    if (t.bearerToken() != null) {
      b.header("Authorization", "Bearer " + t.bearerToken());
    }
    for (Map.Entry<String, String> e : t.headers().entrySet()) {
      b.header(e.getKey(), e.getValue());
    }
  }

  /** Retry-After in ms: delta-seconds or an HTTP date; -1 when absent or unparseable. */
  static long retryAfter(String v) {
    if (v == null || v.isBlank()) {
      return -1;
    }
    try {
      return Math.round(Double.parseDouble(v.trim()) * 1000);
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime d = ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        return Math.max(0, d.toInstant().toEpochMilli() - System.currentTimeMillis());
      } catch (RuntimeException e2) {
        return -1;
      }
    }
  }
}
