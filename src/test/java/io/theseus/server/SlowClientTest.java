package io.theseus.server;

import static io.theseus.server.HostileInputTest.label;
import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.proto.Remote;
import io.theseus.proto.Types;
import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Slow-loris bounds ({@link RequestDeadlines}) on a real instance with short limits (headers 1 s,
 * body 1.5 s + 1 ms per byte): a client trickling its headers is disconnected, a client trickling
 * its body gets a 408 and is disconnected with nothing of it ingested, another tenant's pushes go
 * on meanwhile, and a keep-alive connection idle for longer than both bounds still serves (and
 * its next, stalled request is cut off too).
 */
@ExtendWith(CassandraExtension.class)
class SlowClientTest {
  static TheseusServer server;
  static String base;
  static long now;

  @BeforeAll
  static void start(CassandraKeyspace ks) throws Exception {
    Path dir = Files.createTempDirectory("slowclient");
    var c = ks.cassandra().contactPoint();
    TheseusConfig cfg =
        TheseusConfig.defaults()
            .withServer(new TheseusConfig.Server("127.0.0.1:0", dir.toString(), true, null, null,
                null, 1_000L, 1_500L, 1_000L))
            .withCassandra(new TheseusConfig.Cassandra(List.of(c.getHostString() + ":" + c.getPort()),
                null, ks.name(), null, "ONE", null, null, null, null, null, null));
    server = new TheseusServer(cfg, null).start();
    base = "http://127.0.0.1:" + server.port();
    now = (System.currentTimeMillis() / 1000) * 1000 - 60_000;
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static byte[] pushBody(String metric, long t, double v) {
    return ApiTestServer.snappy(Remote.WriteRequest.newBuilder()
        .addTimeseries(Types.TimeSeries.newBuilder().addLabels(label("__name__", metric))
            .addSamples(Types.Sample.newBuilder().setTimestamp(t).setValue(v)))
        .build().toByteArray());
  }

  static byte[] pushHead(String tenant, int contentLength) {
    return ("POST /api/v1/push HTTP/1.1\r\nHost: x\r\nX-Scope-OrgID: " + tenant + "\r\n"
        + "Content-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\nContent-Length: "
        + contentLength + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** Reads one whole response (status line, headers, Content-Length body); its status, -1 on EOF. */
  static int readResponse(InputStream in) throws IOException {
    String status = line(in);
    if (status == null) {
      return -1;
    }
    int len = 0;
    for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
      if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
        len = Integer.parseInt(h.substring(15).trim());
      }
    }
    in.readNBytes(len);
    return Integer.parseInt(status.split(" ")[1]);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    return c == -1 && b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
  }

  /** Reads until the server closes; the status of a response seen first (else -1). */
  static CompletableFuture<Integer> awaitClose(Fuzz.Raw r) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        int status = readResponse(r.in);
        while (r.in.read() != -1) {
          // drain until EOF
        }
        return status;
      } catch (SocketTimeoutException e) {
        throw new AssertionError("not disconnected within the socket timeout", e);
      } catch (IOException e) {
        return -1; // reset by the server: disconnected too
      }
    });
  }

  @Test
  void trickledHeadersAndBody_disconnected_othersServed() throws Exception {
    long headerTimeouts = server.metrics().counter("theseus_http_header_timeouts").getCount();
    long bodyTimeouts = server.metrics().counter("theseus_http_body_timeouts").getCount();
    ScheduledExecutorService trickle = Executors.newScheduledThreadPool(1);
    byte[] slowBody = pushBody("slow_body_metric", now, 7);
    try (Fuzz.Raw keepAlive = new Fuzz.Raw(server.port());
        Fuzz.Raw slowHead = new Fuzz.Raw(server.port());
        Fuzz.Raw slowData = new Fuzz.Raw(server.port())) {
      // A keep-alive connection with one finished request, then idle for the whole test.
      byte[] b0 = pushBody("keepalive_metric", now, 1);
      keepAlive.send(HostileInputTest.concat(pushHead("other", b0.length), b0));
      assertThat(readResponse(keepAlive.in)).isEqualTo(200);

      // Headers: a partial line, then one byte of an endless header every 50 ms.
      slowHead.socket.setSoTimeout(20_000);
      slowHead.send("POST /api/v1/push HTTP/1.1\r\nHost: x\r\nX-Pad: ");
      // Body: complete headers, then one body byte every 50 ms (20 B/s, limit 1000 B/s).
      slowData.socket.setSoTimeout(20_000);
      slowData.send(pushHead("slowbody", slowBody.length));
      slowData.send(new byte[] {slowBody[0]});
      AtomicInteger sent = new AtomicInteger(1);
      trickle.scheduleAtFixedRate(() -> {
        try {
          slowHead.send("a");
        } catch (IOException ignored) {
          // disconnected
        }
        int i = sent.get();
        if (i < slowBody.length - 1) {
          try {
            slowData.send(new byte[] {slowBody[i]});
            sent.incrementAndGet();
          } catch (IOException ignored) {
            // disconnected
          }
        }
      }, 50, 50, TimeUnit.MILLISECONDS);
      CompletableFuture<Integer> headClosed = awaitClose(slowHead);
      CompletableFuture<Integer> dataClosed = awaitClose(slowData);

      // Meanwhile another tenant's pushes succeed, one after another, until both are cut off.
      int pushes = 0;
      while (!(headClosed.isDone() && dataClosed.isDone())) {
        pushes++;
        HttpResponse<String> r = post(pushBody("other_metric", now + pushes, pushes));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        if (pushes > 100_000) {
          break;
        }
      }
      assertThat(headClosed.get(25, TimeUnit.SECONDS)).as("no response to half a header")
          .isEqualTo(-1);
      assertThat(dataClosed.get(25, TimeUnit.SECONDS)).isEqualTo(408);
      assertThat(sent.get()).as("the body never completed").isLessThan(slowBody.length);
      assertThat(pushes).isPositive();
      assertThat(server.metrics().counter("theseus_http_header_timeouts").getCount())
          .isEqualTo(headerTimeouts + 1);
      assertThat(server.metrics().counter("theseus_http_body_timeouts").getCount())
          .isEqualTo(bodyTimeouts + 1);

      // Idle longer than both bounds, the keep-alive connection still serves.
      byte[] b1 = pushBody("keepalive_metric", now + 1000, 2);
      keepAlive.send(HostileInputTest.concat(pushHead("other", b1.length), b1));
      assertThat(readResponse(keepAlive.in)).isEqualTo(200);
      // ...and its next request is clocked too: half a request line, then nothing.
      keepAlive.socket.setSoTimeout(20_000);
      keepAlive.send("POST /api/v1/pu");
      assertThat(awaitClose(keepAlive).get(25, TimeUnit.SECONDS)).isEqualTo(-1);
      assertThat(server.metrics().counter("theseus_http_header_timeouts").getCount())
          .isEqualTo(headerTimeouts + 2);

      HttpResponse<String> q = get("/api/v1/query?query=count_over_time(other_metric[10m])&time="
          + (now + 60_000) / 1000, "other");
      assertThat(q.body()).contains("\"" + pushes + "\"]");
      assertThat(get("/api/v1/query?query=slow_body_metric&time=" + now / 1000, "slowbody")
          .body()).contains("\"result\":[]");
    } finally {
      trickle.shutdownNow();
    }
  }

  static HttpResponse<String> post(byte[] body) throws Exception {
    return HostileInputTest.HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/push"))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("X-Scope-OrgID", "other")
        .header("Content-Type", HostileInputTest.CT_V1).header("Content-Encoding", "snappy")
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String pathAndQuery, String tenant) throws Exception {
    return HostileInputTest.HTTP.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery))
        .timeout(Duration.ofSeconds(30)).header("X-Scope-OrgID", tenant).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
