package io.theseus.server;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.theseus.ingest.MetricMetadata;
import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import io.theseus.query.MergeQueryable;
import io.theseus.query.Queryable;
import io.theseus.query.Series;
import io.theseus.query.SeriesSet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster membership through Cassandra and reads of peers' heads.
 *
 * <p>Each instance upserts its row in {@code <keyspace>.theseus_members} every {@code heartbeatMs}
 * with a TTL of {@code ttlSeconds}; a row that is not refreshed expires, so the live peers are the
 * rows present minus this instance. A query reads every live peer's head through {@code POST
 * /internal/v1/head/select} ({@link HeadWire}) in parallel with a per-peer timeout; a peer that
 * fails or times out adds a warning naming it (never a silent partial answer).
 *
 * <p>{@code /api/v1/metadata} likewise merges every live peer's metadata ({@code GET
 * /internal/v1/metadata}, the tenant in {@code X-Scope-OrgID}), with the same warnings.
 *
 * <p>The internal endpoints are authenticated with a cluster secret created once in {@code
 * <keyspace>.theseus_cluster} (lightweight transaction, first writer wins), so only instances with
 * access to the keyspace can read heads of any tenant.
 *
 * <p>Threading: the heartbeat runs on its own daemon thread; {@link #live} is a volatile snapshot.
 */
final class Peers implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(Peers.class);
  static final String INTERNAL_PATH = "/internal/v1/head/select";
  static final String METADATA_PATH = "/internal/v1/metadata";
  static final String SECRET_HEADER = "X-Theseus-Cluster-Secret";

  /** A live peer. */
  record Peer(String id, String address) {}

  private final CqlSession session;
  private final String keyspace;
  private final String instanceId;
  private final String address;
  private final int ttlSeconds;
  private final long peerTimeoutMs;
  private final String secret;
  private final PreparedStatement upsert;
  private final ScheduledExecutorService timer;
  private final HttpClient http;
  private volatile List<Peer> live = List.of();

  private Peers(
      CqlSession session,
      String keyspace,
      String instanceId,
      String address,
      int ttlSeconds,
      long peerTimeoutMs) {
    this.session = session;
    this.keyspace = keyspace;
    this.instanceId = instanceId;
    this.address = address;
    this.ttlSeconds = ttlSeconds;
    this.peerTimeoutMs = peerTimeoutMs;
    session.execute(
        "CREATE TABLE IF NOT EXISTS "
            + keyspace
            + ".theseus_members (instance_id text PRIMARY KEY,"
            + " address text, started_ms bigint, heartbeat_ms bigint)");
    session.execute(
        "CREATE TABLE IF NOT EXISTS "
            + keyspace
            + ".theseus_cluster (name text PRIMARY KEY, value text)");
    session.checkSchemaAgreement();
    byte[] r = new byte[24];
    new SecureRandom().nextBytes(r);
    session.execute(
        "INSERT INTO "
            + keyspace
            + ".theseus_cluster (name, value) VALUES ('peer_secret', '"
            + HexFormat.of().formatHex(r)
            + "') IF NOT EXISTS");
    Row row =
        session
            .execute(
                "SELECT value FROM " + keyspace + ".theseus_cluster WHERE name = 'peer_secret'")
            .one();
    this.secret = row.getString(0);
    this.upsert =
        session.prepare(
            "INSERT INTO "
                + keyspace
                + ".theseus_members (instance_id, address, started_ms,"
                + " heartbeat_ms) VALUES (?, ?, ?, ?) USING TTL ?");
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(peerTimeoutMs)).build();
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            rn -> {
              Thread t = new Thread(rn, "theseus-peers");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Registers this instance, refreshes the peer list and keeps heartbeating.
   *
   * @param address host:port other instances use to reach this one
   */
  static Peers start(
      CqlSession session,
      String keyspace,
      String instanceId,
      String address,
      long heartbeatMs,
      long peerTimeoutMs) {
    int ttl = (int) Math.max(3, (heartbeatMs * 3 + 999) / 1000);
    Peers p = new Peers(session, keyspace, instanceId, address, ttl, peerTimeoutMs);
    long started = System.currentTimeMillis();
    p.beat(started);
    p.timer.scheduleWithFixedDelay(
        () -> p.beat(started), heartbeatMs, heartbeatMs, TimeUnit.MILLISECONDS);
    logger.info("registered as {} at {} (membership TTL {}s)", instanceId, address, ttl);
    return p;
  }

  private void beat(long started) {
    try {
      session.execute(
          upsert.bind(instanceId, address, started, System.currentTimeMillis(), ttlSeconds));
      refresh();
    } catch (RuntimeException e) {
      logger.warn("membership heartbeat failed: {}", e.toString());
    }
  }

  /** Re-reads the membership table. */
  void refresh() {
    List<Peer> l = new ArrayList<>();
    for (Row r :
        session.execute("SELECT instance_id, address FROM " + keyspace + ".theseus_members")) {
      if (!instanceId.equals(r.getString(0))) {
        l.add(new Peer(r.getString(0), r.getString(1)));
      }
    }
    live = List.copyOf(l);
  }

  List<Peer> live() {
    return live;
  }

  String instanceId() {
    return instanceId;
  }

  /** Whether {@code header} carries the cluster secret. */
  boolean authorized(String header) {
    return header != null
        && java.security.MessageDigest.isEqual(header.getBytes(), secret.getBytes());
  }

  /** The peers' heads of one tenant as a {@link Queryable}. */
  Queryable forTenant(String tenant) {
    return (mint, maxt, matchers, hints) -> select(tenant, mint, maxt, matchers);
  }

  private SeriesSet select(String tenant, long mint, long maxt, List<Matcher> matchers) {
    byte[] body = HeadWire.encodeRequest(mint, maxt, matchers);
    Map<Labels, List<Series>> byLabels = new TreeMap<>();
    List<String> warnings =
        fanOut(
            tenant,
            INTERNAL_PATH,
            b ->
                b.header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)),
            "unflushed samples are",
            bytes -> {
              for (Series s : HeadWire.decodeResponse(bytes)) {
                byLabels.computeIfAbsent(s.labels(), k -> new ArrayList<>(2)).add(s);
              }
            });
    if (byLabels.isEmpty() && warnings.isEmpty()) {
      return SeriesSet.EMPTY;
    }
    List<Series> out = new ArrayList<>(byLabels.size());
    for (List<Series> g : byLabels.values()) {
      out.add(g.size() == 1 ? g.get(0) : MergeQueryable.merge(g));
    }
    return new SeriesSet(out, warnings);
  }

  /** Metric metadata the peers hold for one tenant, in peer order, and warnings for failures. */
  record PeerMetadata(List<Map<String, List<MetricMetadata>>> perPeer, List<String> warnings) {}

  /** Reads every live peer's metadata of {@code tenant} at once ({@link #METADATA_PATH}). */
  PeerMetadata metadata(String tenant) {
    List<Map<String, List<MetricMetadata>>> per = new ArrayList<>();
    List<String> warnings =
        fanOut(
            tenant,
            METADATA_PATH,
            HttpRequest.Builder::GET,
            "metadata is",
            bytes -> per.add(decodeMetadata(bytes)));
    return new PeerMetadata(per, warnings);
  }

  /**
   * The metadata wire format of {@link #METADATA_PATH}: the JSON object Prometheus's {@code
   * /api/v1/metadata} puts in {@code data}, {@code {"<metric>":[{"type":..,"help":..,"unit":..}]}}.
   */
  static String encodeMetadata(Map<String, MetricMetadata> md) {
    io.vertx.core.json.JsonObject o = new io.vertx.core.json.JsonObject();
    md.forEach(
        (k, v) ->
            o.put(
                k,
                new io.vertx.core.json.JsonArray()
                    .add(
                        new io.vertx.core.json.JsonObject()
                            .put("type", v.type())
                            .put("help", v.help())
                            .put("unit", v.unit()))));
    return o.encode();
  }

  static Map<String, List<MetricMetadata>> decodeMetadata(byte[] body) throws java.io.IOException {
    Map<String, List<MetricMetadata>> out = new TreeMap<>();
    try {
      io.vertx.core.json.JsonObject o =
          new io.vertx.core.json.JsonObject(
              io.vertx.core.buffer.Buffer.buffer(body));
      for (String k : o.fieldNames()) {
        List<MetricMetadata> l = new ArrayList<>();
        for (Object e : o.getJsonArray(k)) {
          io.vertx.core.json.JsonObject m = (io.vertx.core.json.JsonObject) e;
          l.add(new MetricMetadata(m.getString("type"), m.getString("help"), m.getString("unit")));
        }
        out.put(k, l);
      }
    } catch (RuntimeException e) {
      throw new java.io.IOException("bad metadata JSON: " + e.getMessage());
    }
    return out;
  }

  /** Consumes one peer's 200 body; may throw IOException for a malformed body. */
  @FunctionalInterface
  private interface BodyConsumer {
    void accept(byte[] body) throws java.io.IOException;
  }

  /**
   * Sends one request to every live peer at once and hands each 200 body to {@code onBody} (on
   * this thread, in peer order). Returns one warning per peer that failed or did not answer
   * within the peer timeout, naming the peer and {@code what} is missing from the result.
   */
  private List<String> fanOut(
      String tenant,
      String path,
      java.util.function.UnaryOperator<HttpRequest.Builder> method,
      String what,
      BodyConsumer onBody) {
    List<Peer> peers = live;
    if (peers.isEmpty()) {
      return List.of();
    }
    List<CompletableFuture<HttpResponse<byte[]>>> fs = new ArrayList<>(peers.size());
    for (Peer p : peers) {
      HttpRequest req =
          method
              .apply(
                  HttpRequest.newBuilder(URI.create("http://" + p.address() + path))
                      .timeout(Duration.ofMillis(peerTimeoutMs))
                      .header("X-Scope-OrgID", tenant)
                      .header(SECRET_HEADER, secret))
              .build();
      fs.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()));
    }
    List<String> warnings = new ArrayList<>();
    for (int i = 0; i < peers.size(); i++) {
      Peer p = peers.get(i);
      String problem;
      try {
        HttpResponse<byte[]> r = fs.get(i).get(peerTimeoutMs + 1000, TimeUnit.MILLISECONDS);
        if (r.statusCode() == 200) {
          onBody.accept(r.body());
          continue;
        }
        problem = "HTTP " + r.statusCode();
      } catch (java.util.concurrent.TimeoutException e) {
        problem = "no answer within " + peerTimeoutMs + "ms";
      } catch (java.util.concurrent.ExecutionException e) {
        Throwable c = e.getCause() == null ? e : e.getCause();
        problem =
            c instanceof java.net.http.HttpTimeoutException
                ? "no answer within " + peerTimeoutMs + "ms"
                : c.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        problem = "interrupted";
      } catch (java.io.IOException e) {
        problem = "bad response: " + e.getMessage();
      }
      warnings.add(
          "peer "
              + p.id()
              + " ("
              + p.address()
              + ") did not answer ("
              + problem
              + "); its "
              + what
              + " missing from this result");
    }
    return warnings;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      session.execute(
          "DELETE FROM " + keyspace + ".theseus_members WHERE instance_id = ?", instanceId);
    } catch (RuntimeException e) {
      logger.warn("cannot deregister {}: {}", instanceId, e.toString());
    }
  }
}
