package io.theseus.ingest;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote-write HTTP front door: {@code POST /api/v1/push}, {@code /api/prom/push} (Cortex,
 * answer 200) and {@code /api/v1/write} (Prometheus, answer 204).
 *
 * <p>Per request, on the event loop: method (405), Content-Type / Content-Encoding negotiation
 * (415), tenant (400/401/403), body limit (413). On a worker thread with thread-local buffers:
 * snappy block decompression (400 corrupt or too large), protobuf decoding (400), {@link
 * Ingester#push}. The answer is sent only after the WAL fsync covering the request. RW 2.0
 * answers always carry the {@code X-Prometheus-Remote-Write-*-Written} headers.
 */
public final class IngestService implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(IngestService.class);
  static final List<String> CORTEX_PATHS = List.of("/api/v1/push", "/api/prom/push");
  static final String PROMETHEUS_PATH = "/api/v1/write";
  static final String V1 = "prometheus.WriteRequest";
  static final String V2 = "io.prometheus.write.v2.Request";

  private final Ingester ingester;
  private final IngestMetrics metrics;
  private final IngestOptions opts;
  private final ThreadLocal<Ingester.Scratch> scratch = ThreadLocal.withInitial(Ingester.Scratch::new);
  private final ThreadLocal<byte[][]> input = ThreadLocal.withInitial(() -> new byte[][] {new byte[64 * 1024]});

  private final DelegatingFlusher flusher;

  /** Lets the store be attached after start (chunks wait in head + WAL until then). */
  private static final class DelegatingFlusher implements ChunkFlusher {
    volatile ChunkFlusher target;

    DelegatingFlusher(ChunkFlusher target) {
      this.target = target;
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> flush(
        String tenant, long fp, io.theseus.model.Labels labels, long from, long through,
        byte[] data) {
      return target.flush(tenant, fp, labels, from, through, data);
    }

    @Override
    public boolean available() {
      return target.available();
    }
  }

  private IngestService(
      Ingester ingester, IngestMetrics metrics, IngestOptions opts, DelegatingFlusher flusher) {
    this.flusher = flusher;
    this.ingester = ingester;
    this.metrics = metrics;
    this.opts = opts;
  }

  /**
   * Opens the ingester (replaying its WAL) and registers the write routes on {@code router}.
   *
   * @throws IOException if the WAL cannot be opened
   */
  public static IngestService mount(
      Vertx vertx, Router router, IngestOptions opts, ChunkFlusher flusher, PrometheusRegistry registry)
      throws IOException {
    IngestMetrics metrics = new IngestMetrics(registry);
    DelegatingFlusher f = new DelegatingFlusher(flusher);
    IngestService svc = new IngestService(Ingester.open(opts, f, metrics), metrics, opts, f);
    for (String path : List.of(CORTEX_PATHS.get(0), CORTEX_PATHS.get(1), PROMETHEUS_PATH)) {
      router.route(path).handler(svc::checkHeaders);
    }
    return svc;
  }

  /** Sets where chunks are flushed from now on (e.g. the store once Cassandra is up). */
  public void useFlusher(ChunkFlusher f) {
    flusher.target = f;
  }

  public Ingester ingester() {
    return ingester;
  }

  /** Parsed negotiation state, kept on the routing context. */
  private record Request(String tenant, boolean v2, long startNanos) {}

  private void checkHeaders(RoutingContext ctx) {
    long t0 = System.nanoTime();
    if (ctx.request().method() != HttpMethod.POST) {
      ctx.response().putHeader("Allow", "POST");
      reply(ctx, t0, 405, "method not allowed: use POST\n", false, null);
      return;
    }
    String ct = ctx.request().getHeader("Content-Type");
    Boolean v2 = protoVersion(ct);
    if (v2 == null) {
      reply(ctx, t0, 415, "unsupported Content-Type '" + ct + "': expected application/x-protobuf"
          + " with proto=" + V1 + " or proto=" + V2 + "\n", false, null);
      return;
    }
    String ce = ctx.request().getHeader("Content-Encoding");
    if (ce != null && !ce.isBlank() && !ce.trim().equalsIgnoreCase("snappy")) {
      reply(ctx, t0, 415, "unsupported Content-Encoding '" + ce + "': expected snappy\n", v2, null);
      return;
    }
    Tenants.Result t =
        opts.tenants().resolve(ctx.request().getHeader("X-Scope-OrgID"),
            ctx.request().getHeader("Authorization"));
    if (!t.ok()) {
      reply(ctx, t0, t.status(), t.error() + "\n", v2, null);
      return;
    }
    String len = ctx.request().getHeader("Content-Length");
    if (len != null) {
      try {
        if (Long.parseLong(len.trim()) > opts.maxRequestBytes()) {
          ctx.response().putHeader("Connection", "close");
          reply(ctx, t0, 413, "request body of " + len.trim() + " bytes exceeds the limit of "
              + opts.maxRequestBytes() + " bytes\n", v2, null);
          return;
        }
      } catch (NumberFormatException e) {
        reply(ctx, t0, 400, "bad Content-Length '" + len + "'\n", v2, null);
        return;
      }
    }
    readBody(ctx, new Request(t.tenant(), v2, t0));
  }

  /** Reads the body with the size limit (413 as soon as it is exceeded, connection closed). */
  private void readBody(RoutingContext ctx, Request r) {
    var req = ctx.request();
    Buffer acc = Buffer.buffer(4096);
    boolean[] tooBig = {false};
    req.handler(
        chunk -> {
          if (tooBig[0]) {
            return;
          }
          if ((long) acc.length() + chunk.length() > opts.maxRequestBytes()) {
            tooBig[0] = true;
            ctx.response().putHeader("Connection", "close");
            reply(ctx, r.startNanos, 413, "request body exceeds the limit of "
                + opts.maxRequestBytes() + " bytes\n", r.v2, null);
            return;
          }
          acc.appendBuffer(chunk);
        });
    req.exceptionHandler(e -> logger.debug("remote write body: {}", e.toString()));
    req.endHandler(
        v -> {
          if (!tooBig[0]) {
            handle(ctx, r, acc);
          }
        });
    req.resume();
  }

  /** TRUE for RW 2.0, FALSE for 1.0, null for unsupported. */
  static Boolean protoVersion(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return Boolean.FALSE;
    }
    String[] parts = contentType.split(";");
    if (!parts[0].trim().equalsIgnoreCase("application/x-protobuf")) {
      return null;
    }
    Boolean v = Boolean.FALSE;
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      int eq = p.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String name = p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String value = p.substring(eq + 1).trim();
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
        value = value.substring(1, value.length() - 1);
      }
      if (name.equals("proto")) {
        if (value.equals(V1)) {
          v = Boolean.FALSE;
        } else if (value.equals(V2)) {
          v = Boolean.TRUE;
        } else {
          return null;
        }
      }
    }
    return v;
  }

  private void handle(RoutingContext ctx, Request r, Buffer body) {
    Future<Ingester.PushResult> f =
        ctx.vertx().executeBlocking(() -> process(r, body), false);
    f.compose(
            res ->
                res.walPos() > 0
                    ? Future.fromCompletionStage(ingester.durable(res.walPos()), ctx.vertx().getOrCreateContext())
                        .map(res)
                    : Future.succeededFuture(res))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                logger.error("remote write failed", ar.cause());
                reply(ctx, r.startNanos, 500, "internal error: " + ar.cause().getMessage() + "\n", r.v2,
                    null);
                return;
              }
              Ingester.PushResult res = ar.result();
              int status = res.status();
              if (status == 200 && ctx.request().path().equals(PROMETHEUS_PATH)) {
                status = 204;
              }
              if (status == 503 || status == 429) {
                ctx.response().putHeader("Retry-After", status == 503 ? "5" : "1");
              }
              String msg = res.message() == null ? "" : res.message() + "\n";
              reply(ctx, r.startNanos, status, msg, r.v2, res);
            });
  }

  /** Thread-local buffers grown past this by one big request are dropped after it. */
  static final int RETAIN_BUFFER_BYTES = 8 << 20;

  private Ingester.PushResult process(Request r, Buffer body) {
    try {
      return decodeAndPush(r, body);
    } finally {
      Ingester.Scratch w = scratch.get();
      if (input.get()[0].length > RETAIN_BUFFER_BYTES
          || w.snappy.buffer().length > RETAIN_BUFFER_BYTES) {
        // A worker pool of buffers each grown to the 100 MiB limit would exhaust the heap.
        input.remove();
        scratch.remove();
      }
    }
  }

  private Ingester.PushResult decodeAndPush(Request r, Buffer body) {
    Ingester.Scratch w = scratch.get();
    byte[][] in = input.get();
    int len = body == null ? 0 : body.length();
    if (in[0].length < len) {
      in[0] = new byte[Math.max(len, in[0].length * 2)];
    }
    if (len > 0) {
      body.getBytes(0, len, in[0], 0);
    }
    int s = w.snappy.decompress(in[0], len, opts.maxRequestBytes());
    if (s != SnappyBlock.OK) {
      return new Ingester.PushResult(400, w.snappy.error(), 0, 0, 0, 0);
    }
    if (w.decoder.decode(w.snappy.buffer(), w.snappy.length(), r.v2, w.batch)
        != RemoteWriteDecoder.OK) {
      return new Ingester.PushResult(400, w.decoder.error(), 0, 0, 0, 0);
    }
    HaTracker tracker = ha;
    if (tracker != null && w.batch.series > 0
        && opts.limits().forTenant(r.tenant).acceptHaSamples()) {
      WriteBatch b = w.batch;
      int c = b.labelIndex(0, CLUSTER);
      int rep = b.labelIndex(0, REPLICA);
      if (c >= 0 && rep >= 0) {
        String replica = b.value(rep);
        HaTracker.Decision d = tracker.check(r.tenant, b.value(c), replica);
        if (!d.accept()) {
          metrics.rejected.labelValues("ha_deduped", r.tenant).inc(b.samples);
          return new Ingester.PushResult(202, "replicas did not mach, rejecting sample: replica="
              + replica + ", elected=" + d.elected(), 0, 0, 0, 0);
        }
        b.dropLabel(REPLICA);
      }
    }
    return ingester.push(r.tenant, w);
  }

  static final byte[] CLUSTER = "cluster".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  static final byte[] REPLICA = "__replica__".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private volatile HaTracker ha;

  /** Enables HA-pair dedupe (for tenants with {@code accept_ha_samples}) once Cassandra is up. */
  public void useHaTracker(HaTracker tracker) {
    ha = tracker;
  }

  private void reply(RoutingContext ctx, long t0, int status, String msg, boolean v2,
      Ingester.PushResult res) {
    HttpServerResponse resp = ctx.response().setStatusCode(status);
    if (v2) {
      resp.putHeader("X-Prometheus-Remote-Write-Samples-Written",
          Long.toString(res == null ? 0 : res.samplesWritten()));
      resp.putHeader("X-Prometheus-Remote-Write-Histograms-Written",
          Long.toString(res == null ? 0 : res.histogramsWritten()));
      resp.putHeader("X-Prometheus-Remote-Write-Exemplars-Written",
          Long.toString(res == null ? 0 : res.exemplarsWritten()));
    }
    if (status == 204 || msg.isEmpty()) {
      resp.end();
    } else {
      resp.putHeader("Content-Type", "text/plain; charset=utf-8").end(msg);
    }
    metrics.requestLatency.labelValues(ctx.currentRoute() == null ? ctx.request().path()
            : String.valueOf(ctx.currentRoute().getPath()), Integer.toString(status))
        .observe((System.nanoTime() - t0) / 1e9);
  }

  @Override
  public void close() {
    ingester.close();
  }
}
