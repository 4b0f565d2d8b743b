package io.theseus.server;

import com.codahale.metrics.MetricRegistry;
import com.datastax.oss.driver.api.core.CqlSession;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.theseus.store.CassandraConnection;
import io.theseus.store.CassandraNode;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Theseus instance: the Vert.x HTTP server, the Cassandra connection (embedded child node
 * when no contact points are configured) and the components mounted on them.
 *
 * <p>Start-up order: HTTP first (so {@code /-/healthy} and {@code /ready} answer at once, the
 * latter 503 with the reason), then Cassandra, keyspace and tables on a background thread, then
 * ready. Shutdown runs in reverse and is idempotent; a JVM shutdown hook calls it on SIGTERM and
 * Ctrl-C. Threading: lifecycle methods are called from one thread; {@link #readiness} is
 * volatile and read by event-loop threads.
 */
public final class TheseusServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(TheseusServer.class);

  private final TheseusConfig config;
  private final Path cassandraClasspath;
  private final MetricRegistry metrics = new MetricRegistry();
  private final PrometheusRegistry prometheus = new PrometheusRegistry();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private volatile String readiness = "starting";
  private Vertx vertx;
  private HttpServer http;
  private CassandraNode node;
  private CqlSession session;
  private Thread shutdownHook;
  private io.theseus.ingest.IngestService ingest;
  private QueryApi queryApi;
  private volatile io.theseus.store.ChunkCache chunkCache;
  private volatile io.theseus.store.IndexCache indexCache;

  public TheseusServer(TheseusConfig config, Path cassandraClasspath) {
    this.config = config;
    this.cassandraClasspath = cassandraClasspath;
    registerChunkCacheGauges();
    DropwizardExports.builder().dropwizardRegistry(metrics).register(prometheus);
    JvmMetrics.builder().register(prometheus);
  }

  public TheseusConfig config() {
    return config;
  }

  /**
   * Counters of the query side's chunk cache on /metrics (0 until the chunk store is attached or
   * when the cache is disabled). Exported as gauges: Dropwizard counters cannot be read from an
   * external source, and these only ever grow (hits, misses, evictions) or are sizes.
   */
  private void registerChunkCacheGauges() {
    metrics.register(
        "theseus_chunk_cache_hits",
        (com.codahale.metrics.Gauge<Long>) () -> chunkCacheStat(io.theseus.store.ChunkCache::hits));
    metrics.register(
        "theseus_chunk_cache_misses",
        (com.codahale.metrics.Gauge<Long>)
            () -> chunkCacheStat(io.theseus.store.ChunkCache::misses));
    metrics.register(
        "theseus_chunk_cache_evictions",
        (com.codahale.metrics.Gauge<Long>)
            () -> chunkCacheStat(io.theseus.store.ChunkCache::evictions));
    metrics.register(
        "theseus_chunk_cache_bytes",
        (com.codahale.metrics.Gauge<Long>)
            () -> chunkCacheStat(io.theseus.store.ChunkCache::bytes));
    metrics.register(
        "theseus_chunk_cache_entries",
        (com.codahale.metrics.Gauge<Long>) () -> chunkCacheStat(c -> (long) c.size()));
    metrics.register(
        "theseus_index_cache_hits",
        (com.codahale.metrics.Gauge<Long>)
            () -> indexCache == null ? 0L : indexCache.hits());
    metrics.register(
        "theseus_index_cache_misses",
        (com.codahale.metrics.Gauge<Long>)
            () -> indexCache == null ? 0L : indexCache.misses());
    metrics.register(
        "theseus_index_cache_bytes",
        (com.codahale.metrics.Gauge<Long>)
            () -> indexCache == null ? 0L : indexCache.bytes());
  }

  /** The index-result cache (null when disabled or before start). */
  public io.theseus.store.IndexCache indexCache() {
    return indexCache;
  }

  private long chunkCacheStat(java.util.function.ToLongFunction<io.theseus.store.ChunkCache> f) {
    io.theseus.store.ChunkCache c = chunkCache;
    return c == null ? 0 : f.applyAsLong(c);
  }

  public MetricRegistry metrics() {
    return metrics;
  }

  /** The actual HTTP port (useful when the config asked for port 0). */
  public int port() {
    return http.actualPort();
  }

  /** Null when ready, else why not. */
  public String notReadyReason() {
    return readiness;
  }

  public CassandraNode embeddedNode() {
    return node;
  }

  public CqlSession session() {
    return session;
  }

  /**
   * Starts HTTP and then connects to Cassandra, blocking until ready.
   *
   * @throws IllegalStateException if any step fails (the instance is closed again)
   */
  public TheseusServer start() {
    shutdownHook = new Thread(this::close, "theseus-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      startHttp();
      connectCassandra();
      attachChunkStore();
      queryApi.joinCluster(session, config.cassandra().keyspace(), instanceId(),
          listenHost() + ":" + port(), 5_000, config.querier().peerTimeoutMs());
      readiness = null;
      logger.info("Theseus ready on http://{}:{}", listenHost(), port());
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The configured instance ID, else host:port of this instance. */
  String instanceId() {
    String id = config.server().instanceId();
    return id != null && !id.isBlank() ? id : listenHost() + ":" + port();
  }

  /** The query API (null before start). */
  public QueryApi queryApi() {
    return queryApi;
  }

  private String listenHost() {
    return TheseusConfig.HostPort.parse(config.server().listen(), "server.listen").host();
  }

  private void startHttp() {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    Router router = Router.router(vertx);
    router.get("/-/healthy").handler(ctx -> ctx.response().end("Theseus is Healthy.\n"));
    router.get("/ready").handler(this::ready);
    router.get("/-/ready").handler(this::ready);
    router.get("/metrics").handler(this::metricsPage);
    router.post("/flush").handler(this::flush);
    for (String prefix : List.of("", "/prometheus")) {
      router.get(prefix + "/api/v1/status/buildinfo").handler(this::buildInfo);
    }
    ingest = mountIngest(router);
    queryApi =
        QueryApi.mount(
            router,
            new io.theseus.ingest.HeadReader(ingest.ingester()),
            QueryLimits.of(config.querier()));
    closeables.add(queryApi);
    TheseusConfig.HostPort hp = TheseusConfig.HostPort.parse(config.server().listen(), "server.listen");
    // Slow-loris bounds: the idle timeout below is reset by every trickled byte.
    RequestDeadlines deadlines =
        new RequestDeadlines(
            config.server().headerTimeoutMs(),
            config.server().bodyTimeoutMs(),
            config.server().bodyMinBytesPerSec(),
            metrics.counter("theseus_http_header_timeouts"),
            metrics.counter("theseus_http_body_timeouts"));
    HttpServerOptions opts =
        new HttpServerOptions()
            .setHost(hp.host())
            .setPort(hp.port())
            .setCompressionSupported(true)
            // Grafana POSTs long PromQL as a form field; Vert.x's 8 KiB default refused them with
            // a bare 400 (Prometheus allows 10 MB forms). The form BodyHandler caps bodies.
            .setMaxFormAttributeSize(QueryApi.MAX_FORM_BYTES)
            .setMaxFormBufferedBytes(QueryApi.MAX_FORM_BYTES)
            // Go's net/http (Prometheus) takes request lines up to 1 MB; Vert.x defaults to 4 KiB.
            .setMaxInitialLineLength(1 << 20)
            // HTTP/1.1 only: with h2c on, Vert.x sets a connection up (and calls the connection
            // handler that installs the request deadlines) only after its first request's headers.
            .setHttp2ClearTextEnabled(false)
            .setIdleTimeout(300)
            .setIdleTimeoutUnit(TimeUnit.SECONDS);
    try {
      http =
          vertx
              .createHttpServer(opts)
              .connectionHandler(deadlines::install)
              .requestHandler(router)
              .listen()
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot listen on " + config.server().listen() + ": " + rootMessage(e), e);
    }
    logger.info("HTTP listening on {}:{}", hp.host(), http.actualPort());
  }

  /** Remote-write routes and the ingester (WAL under {@code <data-dir>/wal}); see io.theseus.ingest. */
  private io.theseus.ingest.IngestService mountIngest(Router router) {
    TheseusConfig.Server s = config.server();
    TheseusConfig.Ingester i = config.ingester();
    io.theseus.ingest.Tenants tenants =
        new io.theseus.ingest.Tenants(
            s.authEnabled(),
            s.tenantsFile() == null ? null : io.theseus.ingest.Tenants.loadTokens(Paths.get(s.tenantsFile())));
    io.theseus.ingest.IngestOptions o =
        new io.theseus.ingest.IngestOptions(
            Paths.get(s.dataDir(), "wal"), s.maxRequestBytes(),
            io.theseus.ingest.Limits.parse(config.limits()), tenants, i.maxChunkAgeMs(),
            i.maxChunkIdleMs(), i.maxStaleChunkIdleMs(), i.flushPeriodMs(), i.retainPeriodMs(),
            i.concurrentFlushes(), i.walSyncIntervalMs(), i.maxHeadBytes(), i.maxFlushBacklog(),
            i.walMaxBytes(), 64L << 20, 30 * 60_000L);
    try {
      io.theseus.ingest.IngestService svc =
          io.theseus.ingest.IngestService.mount(
              vertx, router, o, io.theseus.ingest.ChunkFlusher.UNAVAILABLE, prometheus);
      closeables.add(svc);
      return svc;
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the WAL in " + o.walDir() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Once Cassandra is up: enables HA-pair dedupe (table ha_replicas) and points the ingester's
   * flushes at the chunk store (the built-in v11 schema config when none is configured).
   */
  private void attachChunkStore() {
    ingest.useHaTracker(
        new io.theseus.ingest.HaTracker(session, config.cassandra().keyspace(), System::currentTimeMillis));
    TheseusConfig.Schema sc = config.schema();
    io.theseus.schema.SchemaConfig schema;
    if (sc.file() != null) {
      schema = io.theseus.schema.SchemaConfig.load(Paths.get(sc.file()));
    } else if (sc.configs() != null && !sc.configs().isEmpty()) {
      try {
        schema =
            io.theseus.schema.SchemaConfig.parse(
                TheseusConfig.MAPPER.writeValueAsString(java.util.Map.of("configs", sc.configs())));
      } catch (IOException e) {
        throw new IllegalStateException("schema.configs: " + e.getMessage(), e);
      }
    } else {
      logger.info("no schema config given: using the built-in v11 config (weekly index_/chunk_ tables)");
      schema = io.theseus.schema.SchemaConfig.builtIn();
    }
    TheseusConfig.Querier q = config.querier();
    io.theseus.ingest.StoreFlusher flusher =
        io.theseus.ingest.StoreFlusher.create(
            session,
            config.cassandra().keyspace(),
            schema,
            config.cassandra().maxInFlight(),
            b -> {
              b.chunkCacheBytes(q.chunkCacheMaxSizeBytes())
                  .indexCacheBytes(q.indexCacheEnabled() ? q.indexCacheMaxSizeBytes() : 0)
                  // Buckets freeze once no chunk can still be flushed into them: max chunk age
                  // plus an hour for flush retries.
                  .indexFrozenAfterMs(config.ingester().maxChunkAgeMs() + 3_600_000L);
              if (q.maxFetchedChunksPerQuery() > 0) {
                b.chunkLimit(q.maxFetchedChunksPerQuery());
              }
              return b;
            });
    ingest.useFlusher(flusher);
    chunkCache = flusher.store().chunkCache();
    indexCache = flusher.store().indexCache();
    queryApi.setStore(t -> new io.theseus.query.StoreQueryable(flusher.store(), t));
  }

  /** The remote-write ingester (null before start). */
  public io.theseus.ingest.IngestService ingest() {
    return ingest;
  }

  private void connectCassandra() {
    TheseusConfig.Cassandra c = config.cassandra();
    List<InetSocketAddress> points = new ArrayList<>();
    if (c.embedded()) {
      readiness = "starting the embedded Cassandra node";
      Path dir = Paths.get(config.server().dataDir(), "cassandra");
      int port = c.embeddedPort() == 0 ? 0 : portOrFree(c.embeddedPort());
      node =
          CassandraNode.start(
              CassandraNode.Options.single(dir, port).withHeap(c.embeddedHeap()),
              cassandraClasspath,
              120_000);
      points.add(node.contactPoint());
    } else {
      for (String cp : c.contactPoints()) {
        TheseusConfig.HostPort hp = TheseusConfig.HostPort.parse(cp, "cassandra.contact_points");
        points.add(new InetSocketAddress(hp.host(), hp.port()));
      }
    }
    readiness = "connecting to Cassandra at " + points;
    CassandraConnection.Settings settings =
        new CassandraConnection.Settings(
            points,
            c.localDatacenter(),
            c.consistency(),
            c.username(),
            c.password(),
            Duration.ofMillis(c.requestTimeoutMs()));
    session = CassandraConnection.open(settings, null);
    readiness = "creating keyspace " + c.keyspace();
    session.execute(CassandraConnection.createKeyspaceCql(c.keyspace(), c.replication()));
    session.checkSchemaAgreement();
  }

  private static int portOrFree(int preferred) {
    try (java.net.ServerSocket s = new java.net.ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", preferred));
      return preferred;
    } catch (IOException e) {
      int free = CassandraNode.freePort();
      logger.warn("port {} is taken; the embedded Cassandra uses port {}", preferred, free);
      return free;
    }
  }

  private void ready(RoutingContext ctx) {
    String reason = readiness;
    if (reason == null) {
      ctx.response().end("ready\n");
    } else {
      ctx.response().setStatusCode(503).end("not ready: " + reason + "\n");
    }
  }

  /**
   * {@code POST /flush} (as Cortex's ingester): closes every head chunk and flushes all of them to
   * Cassandra, answering 204 when done, 503 when Cassandra is not attached or the flush did not
   * finish within 5 minutes. Flushed chunks stay readable from the head for the retain period.
   */
  private void flush(RoutingContext ctx) {
    if (readiness != null) {
      ctx.response().setStatusCode(503).end("not ready: " + readiness + "\n");
      return;
    }
    ctx.vertx()
        .executeBlocking(
            () -> {
              // flushAll gives up after a few rounds in which a chunk stayed unflushed (a failed
              // or still running flush): retry until everything is flushed or 5 minutes pass.
              long deadline = System.currentTimeMillis() + 300_000;
              while (true) {
                long left = deadline - System.currentTimeMillis();
                if (ingest.ingester().flushAll(Math.max(1, left))) {
                  return true;
                }
                if (left <= 0) {
                  return false;
                }
                Thread.sleep(200);
              }
            },
            false)
        .onComplete(
            ar -> {
              if (ar.succeeded() && ar.result()) {
                ctx.response().setStatusCode(204).end();
              } else {
                ctx.response()
                    .setStatusCode(503)
                    .end(
                        "flush incomplete: "
                            + (ar.failed() ? ar.cause().toString() : "timed out")
                            + "\n");
              }
            });
  }

  private void metricsPage(RoutingContext ctx) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    try {
      PrometheusTextFormatWriter.create().write(out, prometheus.scrape());
    } catch (IOException e) {
      ctx.fail(e);
      return;
    }
    ctx.response()
        .putHeader("Content-Type", PrometheusTextFormatWriter.CONTENT_TYPE)
        .end(Buffer.buffer(out.toByteArray()));
  }

  private void buildInfo(RoutingContext ctx) {
    BuildInfo b = BuildInfo.current();
    JsonObject data =
        new JsonObject()
            .put("version", BuildInfo.PROMETHEUS_API_VERSION)
            .put("revision", b.revision())
            .put("branch", b.branch())
            .put("buildUser", "theseus")
            .put("buildDate", b.buildDate())
            .put("goVersion", "theseus-" + b.version() + " (java " + Runtime.version() + ")");
    ctx.response()
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("status", "success").put("data", data).encode());
  }

  /** Blocks until {@link #close} has run. */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  /** Stops everything in reverse order. Idempotent and safe from a shutdown hook. */
  @Override
  public synchronized void close() {
    if (stopped.getCount() == 0) {
      return;
    }
    readiness = "shutting down";
    logger.info("Theseus shutting down");
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        logger.warn("error while closing {}: {}", closeables.get(i), e.toString());
      }
    }
    if (http != null) {
      try {
        http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        logger.warn("HTTP server close: {}", e.toString());
      }
    }
    if (session != null) {
      session.close();
    }
    if (vertx != null) {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        logger.warn("Vert.x close: {}", e.toString());
      }
    }
    if (node != null) {
      node.close();
    }
    stopped.countDown();
    if (shutdownHook != null && !Thread.currentThread().equals(shutdownHook)) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException ignored) {
        // The JVM is already shutting down.
      }
    }
    logger.info("Theseus stopped");
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
