package io.theseus.server;

import com.datastax.oss.driver.api.core.CqlSession;
import io.theseus.ingest.HeadReader;
import io.theseus.ingest.Tenants;
import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import io.theseus.query.MergeQueryable;
import io.theseus.query.Queryable;
import io.theseus.query.Series;
import io.theseus.query.SeriesSet;
import io.theseus.query.promql.Ast;
import io.theseus.query.promql.Engine;
import io.theseus.query.promql.EvalException;
import io.theseus.query.promql.ParseException;
import io.theseus.query.promql.Parser;
import io.theseus.query.promql.QueryResult;
import io.theseus.query.promql.ValueType;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus HTTP query API (2.42 shapes and error texts), remote read and the internal peer
 * endpoint, mounted on the instance's router with {@link #mount}. Every path also answers under
 * {@code /prometheus} (Cortex's prefix).
 *
 * <p>Per request on the event loop: tenant (resolved exactly as the write path does, via {@link
 * Tenants}: auth disabled means {@code fake}), then the work on a worker thread against the
 * tenant's merged view: this instance's head, Cassandra (when a store source is set) and every live
 * peer's head. Queries have a deadline: a timer answers {@code 503 timeout} when it passes and
 * flags the query, whose storage accesses then stop.
 *
 * <p>Errors use Prometheus's envelope: {@code bad_data} 400, {@code execution} 422, {@code timeout}
 * 503, {@code internal} 500. Threading: handlers are stateless apart from the volatile sources.
 */
public final class QueryApi implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(QueryApi.class);
  static final List<String> PREFIXES = List.of("", "/prometheus");
  private static final String JSON = "application/json";
  /** Largest form body (and form field) of a POSTed API call. */
  static final int MAX_FORM_BYTES = 16 << 20;

  /** Store reads never reach further back than this (5 years) nor later than now + 1h. */
  static final long STORE_MAX_LOOKBACK_MS = 5L * 366 * 24 * 3600 * 1000;

  static final long STORE_FUTURE_MS = 3600_000L;

  private final HeadReader head;
  private final Tenants tenants;
  private final QueryLimits limits;
  private volatile Function<String, Queryable> store;
  private volatile Peers peers;

  /**
   * Runs the store and peer selects of a query concurrently with its head select. Unbounded
   * (cached) because each task blocks on I/O that has its own bounds: the Cassandra driver's
   * in-flight limit and the peer timeout; idle threads die after a minute.
   */
  private final java.util.concurrent.ExecutorService sourcePool =
      java.util.concurrent.Executors.newCachedThreadPool(
          new java.util.concurrent.ThreadFactory() {
            private final java.util.concurrent.atomic.AtomicInteger n =
                new java.util.concurrent.atomic.AtomicInteger();

            @Override
            public Thread newThread(Runnable r) {
              Thread t = new Thread(r, "theseus-query-source-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            }
          });

  private QueryApi(HeadReader head, QueryLimits limits) {
    this.head = head;
    this.tenants = head.tenants();
    this.limits = limits;
  }

  /** Registers all query routes on {@code router}; reads this instance's head via {@code head}. */
  public static QueryApi mount(Router router, HeadReader head) {
    return mount(router, head, QueryLimits.DEFAULTS);
  }

  /** As above with the limits of a {@code querier} config section. */
  static QueryApi mount(Router router, HeadReader head, QueryLimits limits) {
    QueryApi api = new QueryApi(head, limits);
    BodyHandler form =
        BodyHandler.create().setBodyLimit(MAX_FORM_BYTES).setHandleFileUploads(false);
    for (String p : PREFIXES) {
      api.route(router, form, p + "/api/v1/query", true, api::query);
      api.route(router, form, p + "/api/v1/query_range", true, api::queryRange);
      api.route(router, form, p + "/api/v1/series", true, api::series);
      api.route(router, form, p + "/api/v1/labels", true, api::labels);
      api.route(router, form, p + "/api/v1/label/:name/values", false, api::labelValues);
      api.route(router, form, p + "/api/v1/metadata", false, api::metadata);
      api.route(router, form, p + "/api/v1/query_exemplars", true, api::exemplars);
      api.route(router, form, p + "/api/v1/rules", false, (t, c, g) -> "{\"groups\":[]}");
      api.route(router, form, p + "/api/v1/alerts", false, (t, c, g) -> "{\"alerts\":[]}");
      router
          .post(p + "/api/v1/read")
          .handler(
              BodyHandler.create()
                  .setBodyLimit(RemoteRead.MAX_REQUEST_BYTES)
                  .setHandleFileUploads(false))
          .handler(api::remoteRead);
    }
    router
        .post(Peers.INTERNAL_PATH)
        .handler(BodyHandler.create().setBodyLimit(1 << 20).setHandleFileUploads(false))
        .handler(api::internalSelect);
    router.get(Peers.METADATA_PATH).handler(api::internalMetadata);
    return api;
  }

  /** Sets the long-term store source (a tenant's Cassandra view), or null for none. */
  public void setStore(Function<String, Queryable> store) {
    this.store = store;
  }

  /**
   * Joins the cluster: registers this instance in Cassandra and starts reading peers' heads.
   *
   * @param address host:port at which peers reach this instance
   */
  public void joinCluster(
      CqlSession session,
      String keyspace,
      String instanceId,
      String address,
      long heartbeatMs,
      long peerTimeoutMs) {
    this.peers = Peers.start(session, keyspace, instanceId, address, heartbeatMs, peerTimeoutMs);
  }

  /** Cluster membership (null before {@link #joinCluster}). */
  Peers peers() {
    return peers;
  }

  /**
   * The merged view of one tenant: head first (wins on equal timestamps), store, peers; the three
   * are read concurrently and waited for until {@code deadlineNanos}.
   */
  Queryable sources(String tenant, long deadlineNanos) {
    List<Queryable> l = new ArrayList<>(3);
    l.add(new HeadQueryable(head, tenant));
    Function<String, Queryable> s = store;
    if (s != null) {
      Queryable st = s.apply(tenant);
      // Clamp to what the store can hold: open-ended series/labels calls default to Prometheus's
      // min/max time, which would make the index reader walk millions of buckets.
      l.add(
          (mint, maxt, ms, h) -> {
            long now = System.currentTimeMillis();
            long hi = Math.min(maxt, now + STORE_FUTURE_MS);
            long lo = Math.max(mint, now - STORE_MAX_LOOKBACK_MS);
            return hi < lo ? SeriesSet.EMPTY : st.select(lo, hi, ms, h);
          });
    }
    Peers p = peers;
    if (p != null) {
      l.add(p.forTenant(tenant));
    }
    return new MergeQueryable(l, sourcePool, deadlineNanos);
  }

  @Override
  public void close() {
    sourcePool.shutdownNow();
    Peers p = peers;
    peers = null;
    if (p != null) {
      p.close();
    }
  }

  // ------------------------------------------------------------------ plumbing

  /** A JSON API endpoint: returns the {@code data} JSON; warnings go to the guard's list. */
  @FunctionalInterface
  interface Endpoint {
    String run(String tenant, Call call, QueryGuard guard) throws ApiError;
  }

  /** One request's parameters, warnings and path. */
  record Call(MultiMap params, String pathName, List<String> warnings, long nowMs) {
    String get(String name) {
      String v = params.get(name);
      return v == null ? "" : v;
    }
  }

  /** An API error with its Prometheus type. */
  static final class ApiError extends Exception {
    final String type;

    ApiError(String type, String msg) {
      super(msg, null, false, false);
      this.type = type;
    }

    static ApiError badParam(String name, String msg) {
      return new ApiError("bad_data", "invalid parameter \"" + name + "\": " + msg);
    }
  }

  static int status(String errorType) {
    return switch (errorType) {
      case "bad_data" -> 400;
      case "execution" -> 422;
      case "canceled" -> 499;
      case "timeout", "unavailable" -> 503;
      case "not_found" -> 404;
      case "not_acceptable" -> 406;
      default -> 500;
    };
  }

  private void route(Router router, BodyHandler form, String path, boolean post, Endpoint e) {
    router.get(path).handler(ctx -> handle(ctx, e));
    if (post) {
      router.post(path).handler(form).handler(ctx -> handle(ctx, e));
    }
  }

  /** The tenant, or null after answering the tenant error (as the write path words it). */
  private String tenant(RoutingContext ctx) {
    Tenants.Result t =
        tenants.resolve(
            ctx.request().getHeader("X-Scope-OrgID"), ctx.request().getHeader("Authorization"));
    if (t.tenant() == null) {
      ctx.response()
          .setStatusCode(t.status())
          .putHeader("Content-Type", "text/plain; charset=utf-8")
          .end(t.error() + "\n");
      return null;
    }
    return t.tenant();
  }

  private void handle(RoutingContext ctx, Endpoint e) {
    String tenant = tenant(ctx);
    if (tenant == null) {
      return;
    }
    long now = System.currentTimeMillis();
    Call call = new Call(ctx.request().params(), ctx.pathParam("name"), new ArrayList<>(), now);
    long timeoutMs = limits.defaultTimeoutMs();
    String to = call.get("timeout");
    if (!to.isEmpty()) {
      try {
        long ns = ApiParams.parseDurationNanos(to);
        if (ns <= 0) {
          send(ctx, 503, PromJson.error("timeout", QueryGuard.TIMEOUT_MESSAGE, null));
          return;
        }
        timeoutMs = Math.min(timeoutMs, Math.max(1, ns / 1_000_000));
      } catch (ApiParams.BadParam b) {
        send(
            ctx,
            400,
            PromJson.error("bad_data", "invalid parameter \"timeout\": " + b.getMessage(), null));
        return;
      }
    }
    AtomicBoolean cancelled = new AtomicBoolean();
    AtomicBoolean answered = new AtomicBoolean();
    QueryGuard guard =
        new QueryGuard(
            sources(tenant, System.nanoTime() + timeoutMs * 1_000_000),
            limits,
            System.nanoTime() + timeoutMs * 1_000_000,
            cancelled);
    long timer =
        ctx.vertx()
            .setTimer(
                timeoutMs,
                id -> {
                  cancelled.set(true);
                  if (answered.compareAndSet(false, true)) {
                    send(ctx, 503, PromJson.error("timeout", QueryGuard.TIMEOUT_MESSAGE, null));
                  }
                });
    ctx.vertx()
        .executeBlocking(() -> run(e, tenant, call, guard), false)
        .onComplete(
            ar -> {
              ctx.vertx().cancelTimer(timer);
              if (!answered.compareAndSet(false, true)) {
                return;
              }
              if (ar.failed()) {
                logger.error("query API failure on {}", ctx.request().path(), ar.cause());
                send(ctx, 500, PromJson.error("internal", String.valueOf(ar.cause()), null));
                return;
              }
              send(ctx, ar.result().status, ar.result().body);
            });
  }

  private record Answer(int status, String body) {}

  private static Answer run(Endpoint e, String tenant, Call call, QueryGuard guard) {
    try {
      String data = e.run(tenant, call, guard);
      return new Answer(200, PromJson.success(data, call.warnings()));
    } catch (ApiError err) {
      return new Answer(
          status(err.type), PromJson.error(err.type, err.getMessage(), call.warnings()));
    } catch (QueryGuard.Abort a) {
      return new Answer(
          status(a.errorType), PromJson.error(a.errorType, a.getMessage(), call.warnings()));
    } catch (EvalException ex) {
      return new Answer(422, PromJson.error("execution", ex.getMessage(), call.warnings()));
    } catch (StackOverflowError ex) {
      // A parsed but absurdly deep expression (e.g. 1 + 1 + ... 50k times) in the evaluator.
      return new Answer(422, PromJson.error("execution", "query too complex: " + TOO_DEEP,
          call.warnings()));
    } catch (RuntimeException ex) {
      logger.error("query failed", ex);
      return new Answer(
          500, PromJson.error("internal", String.valueOf(ex.getMessage()), call.warnings()));
    }
  }

  private static void send(RoutingContext ctx, int status, String body) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(body);
  }

  // ------------------------------------------------------------------ endpoints

  private String query(String tenant, Call c, QueryGuard g) throws ApiError {
    long t;
    try {
      t = ApiParams.timeParam(c.get("time"), "time", c.nowMs());
    } catch (ApiParams.BadParam b) {
      throw ApiError.badParam("time", b.getMessage());
    }
    Ast.Expr expr = parseQuery(c.get("query"));
    QueryResult r = engine(g).instant(expr, t);
    g.check();
    c.warnings().addAll(r.warnings());
    return render(r);
  }

  private String queryRange(String tenant, Call c, QueryGuard g) throws ApiError {
    long start;
    long end;
    try {
      start = ApiParams.parseTime(c.get("start"));
    } catch (ApiParams.BadParam b) {
      throw ApiError.badParam("start", b.getMessage());
    }
    try {
      end = ApiParams.parseTime(c.get("end"));
    } catch (ApiParams.BadParam b) {
      throw ApiError.badParam("end", b.getMessage());
    }
    if (end < start) {
      throw ApiError.badParam("end", "end timestamp must not be before start time");
    }
    long stepNs;
    try {
      stepNs = ApiParams.parseDurationNanos(c.get("step"));
    } catch (ApiParams.BadParam b) {
      throw ApiError.badParam("step", b.getMessage());
    }
    if (stepNs <= 0) {
      throw ApiError.badParam(
          "step",
          "zero or negative query resolution step widths are not accepted. Try a positive integer");
    }
    if (Math.multiplyHigh(end - start, 1_000_000L) == 0
            && (end - start) * 1_000_000L / stepNs > 11_000
        || Math.multiplyHigh(end - start, 1_000_000L) != 0) {
      throw new ApiError(
          "bad_data",
          "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query"
              + " resolution (?step=XX)");
    }
    if (limits.maxQueryLengthMs() > 0 && end - start > limits.maxQueryLengthMs()) {
      throw new ApiError(
          "bad_data",
          "the query time range exceeds the limit (query length: "
              + (end - start)
              + "ms, limit: "
              + limits.maxQueryLengthMs()
              + "ms)");
    }
    Ast.Expr expr = parseQuery(c.get("query"));
    if (expr.type() != ValueType.SCALAR && expr.type() != ValueType.VECTOR) {
      throw new ApiError(
          "bad_data",
          "invalid expression type \""
              + expr.type().text()
              + "\" for range query, must be Scalar or instant Vector");
    }
    long stepMs = Math.max(1, stepNs / 1_000_000);
    QueryResult r = engine(g).range(expr, start, end, stepMs);
    g.check();
    c.warnings().addAll(r.warnings());
    return render(r);
  }

  private Engine engine(QueryGuard g) {
    return new Engine(g, limits.lookbackDeltaMs(), 60_000);
  }

  private static Ast.Expr parseQuery(String q) throws ApiError {
    try {
      return parse(q);
    } catch (ParseException e) {
      throw ApiError.badParam("query", e.getMessage());
    }
  }

  static final String TOO_DEEP = "expression nesting too deep";

  /** {@link Parser#parse}, with nesting deeper than the thread stack as a parse error. */
  static Ast.Expr parse(String q) throws ParseException, ApiError {
    try {
      return Parser.parse(q);
    } catch (StackOverflowError e) {
      throw new ApiError("bad_data", TOO_DEEP);
    }
  }

  /** Parses each {@code match[]} into matchers. */
  private static List<List<Matcher>> matchers(List<String> match) throws ApiError {
    List<List<Matcher>> out = new ArrayList<>(match.size());
    for (String s : match) {
      Ast.Expr e;
      try {
        e = parse(s);
      } catch (ParseException ex) {
        throw ApiError.badParam("match[]", ex.getMessage());
      }
      if (!(e instanceof Ast.VectorSelector vs)) {
        throw ApiError.badParam(
            "match[]", "1:1: parse error: expected a series selector, got " + e.type().text());
      }
      if (vs.offset != 0 || vs.atKind != Ast.AtKind.NONE) {
        throw ApiError.badParam(
            "match[]", "1:1: parse error: unexpected modifier in series selector");
      }
      out.add(vs.matchers);
    }
    return out;
  }

  private record Range(long start, long end) {}

  private static Range range(Call c) throws ApiError {
    try {
      long s = ApiParams.timeParam(c.get("start"), "start", ApiParams.MIN_TIME_MS);
      try {
        long e = ApiParams.timeParam(c.get("end"), "end", ApiParams.MAX_TIME_MS);
        return new Range(s, e);
      } catch (ApiParams.BadParam b) {
        throw ApiError.badParam("end", b.getMessage());
      }
    } catch (ApiParams.BadParam b) {
      throw ApiError.badParam("start", b.getMessage());
    }
  }

  private static int limitParam(Call c) throws ApiError {
    try {
      return ApiParams.limit(c.params().get("limit"));
    } catch (ApiParams.BadParam b) {
      throw ApiError.badParam("limit", b.getMessage());
    }
  }

  private static final Queryable.Hints SERIES_HINTS = new Queryable.Hints(0, 0, 0, 0, "series");
  private static final List<Matcher> ALL = List.of(Matcher.of(Matcher.Type.RE, "__name__", ".+"));

  private String series(String tenant, Call c, QueryGuard g) throws ApiError {
    List<String> match = c.params().getAll("match[]");
    if (match.isEmpty()) {
      throw new ApiError("bad_data", "no match[] parameter provided");
    }
    Range r = range(c);
    List<List<Matcher>> sets = matchers(match);
    int limit = limitParam(c);
    TreeSet<Labels> all = new TreeSet<>();
    for (List<Matcher> ms : sets) {
      SeriesSet s = g.select(r.start(), r.end(), ms, SERIES_HINTS);
      c.warnings().addAll(s.warnings());
      for (Series x : s.series()) {
        all.add(x.labels());
      }
    }
    StringBuilder sb = new StringBuilder(all.size() * 64 + 2).append('[');
    int n = 0;
    for (Labels l : all) {
      if (limit > 0 && n == limit) {
        c.warnings().add("results truncated due to limit");
        break;
      }
      if (n++ > 0) {
        sb.append(',');
      }
      labels(sb, l);
    }
    return sb.append(']').toString();
  }

  private String labels(String tenant, Call c, QueryGuard g) throws ApiError {
    Range r = range(c);
    List<List<Matcher>> sets = matchers(c.params().getAll("match[]"));
    int limit = limitParam(c);
    if (sets.isEmpty()) {
      sets = List.of(ALL);
    }
    TreeSet<String> names = new TreeSet<>(Labels::compareUtf8);
    for (List<Matcher> ms : sets) {
      SeriesSet s = g.select(r.start(), r.end(), ms, SERIES_HINTS);
      c.warnings().addAll(s.warnings());
      for (Series x : s.series()) {
        for (int i = 0; i < x.labels().size(); i++) {
          names.add(x.labels().name(i));
        }
      }
    }
    return stringArray(names, limit, c);
  }

  private String labelValues(String tenant, Call c, QueryGuard g) throws ApiError {
    String name = c.pathName();
    if (!ApiParams.validLabelName(name)) {
      throw new ApiError("bad_data", "invalid label name: \"" + name + "\"");
    }
    Range r = range(c);
    List<List<Matcher>> sets = matchers(c.params().getAll("match[]"));
    int limit = limitParam(c);
    if (sets.isEmpty()) {
      sets =
          List.of(name.equals("__name__") ? ALL : List.of(Matcher.of(Matcher.Type.NEQ, name, "")));
    }
    TreeSet<String> values = new TreeSet<>(Labels::compareUtf8);
    for (List<Matcher> ms : sets) {
      SeriesSet s = g.select(r.start(), r.end(), ms, SERIES_HINTS);
      c.warnings().addAll(s.warnings());
      for (Series x : s.series()) {
        String v = x.labels().get(name);
        if (v != null && !v.isEmpty()) {
          values.add(v);
        }
      }
    }
    return stringArray(values, limit, c);
  }

  private static String stringArray(TreeSet<String> items, int limit, Call c) {
    StringBuilder sb = new StringBuilder(items.size() * 16 + 2).append('[');
    int n = 0;
    for (String s : items) {
      if (limit > 0 && n == limit) {
        c.warnings().add("results truncated due to limit");
        break;
      }
      if (n++ > 0) {
        sb.append(',');
      }
      PromJson.string(sb, s);
    }
    return sb.append(']').toString();
  }

  private String metadata(String tenant, Call c, QueryGuard g) throws ApiError {
    int limit;
    try {
      limit = c.get("limit").isEmpty() ? -1 : Integer.parseInt(c.get("limit").trim());
    } catch (NumberFormatException e) {
      throw new ApiError("bad_data", "limit must be a number");
    }
    String metric = c.get("metric");
    // This instance's metadata first, then each live peer's; per metric the distinct entries in
    // that order (Prometheus lists each distinct type/help/unit of a metric once).
    java.util.TreeMap<String, java.util.LinkedHashSet<io.theseus.ingest.MetricMetadata>> md =
        new java.util.TreeMap<>();
    head.metadata(tenant)
        .forEach((k, v) -> md.computeIfAbsent(k, x -> new java.util.LinkedHashSet<>()).add(v));
    Peers p = peers;
    if (p != null) {
      Peers.PeerMetadata pm = p.metadata(tenant);
      for (Map<String, List<io.theseus.ingest.MetricMetadata>> m : pm.perPeer()) {
        m.forEach((k, v) -> md.computeIfAbsent(k, x -> new java.util.LinkedHashSet<>()).addAll(v));
      }
      c.warnings().addAll(pm.warnings());
    }
    StringBuilder sb = new StringBuilder().append('{');
    int n = 0;
    for (Map.Entry<String, java.util.LinkedHashSet<io.theseus.ingest.MetricMetadata>> e :
        md.entrySet()) {
      if (!metric.isEmpty() && !metric.equals(e.getKey())) {
        continue;
      }
      if (limit >= 0 && n >= limit) {
        break;
      }
      if (n++ > 0) {
        sb.append(',');
      }
      PromJson.string(sb, e.getKey());
      sb.append(":[");
      int k = 0;
      for (io.theseus.ingest.MetricMetadata m : e.getValue()) {
        if (k++ > 0) {
          sb.append(',');
        }
        sb.append("{\"type\":");
        PromJson.string(sb, m.type());
        sb.append(",\"help\":");
        PromJson.string(sb, m.help());
        sb.append(",\"unit\":");
        PromJson.string(sb, m.unit());
        sb.append('}');
      }
      sb.append(']');
    }
    return sb.append('}').toString();
  }

  private String exemplars(String tenant, Call c, QueryGuard g) throws ApiError {
    try {
      ApiParams.timeParam(c.get("start"), "start", ApiParams.MIN_TIME_MS);
    } catch (ApiParams.BadParam b) {
      throw ApiError.badParam("start", b.getMessage());
    }
    try {
      ApiParams.timeParam(c.get("end"), "end", ApiParams.MAX_TIME_MS);
    } catch (ApiParams.BadParam b) {
      throw ApiError.badParam("end", b.getMessage());
    }
    try {
      parse(c.get("query"));
    } catch (ParseException e) {
      throw new ApiError("bad_data", e.getMessage());
    }
    return "[]";
  }

  // ------------------------------------------------------------------ rendering

  static String render(QueryResult r) {
    StringBuilder sb = new StringBuilder(256);
    sb.append("{\"resultType\":\"").append(r.type().apiName()).append("\",\"result\":");
    switch (r.type()) {
      case STRING -> {
        sb.append('[');
        PromJson.scalarTime(sb, r.time());
        sb.append(',');
        PromJson.string(sb, r.string());
        sb.append(']');
      }
      case SCALAR -> {
        Series s = r.series().get(0);
        sb.append('[');
        PromJson.scalarTime(sb, s.timestamps()[0]);
        sb.append(",\"");
        PromJson.formatF(sb, s.values()[0]);
        sb.append("\"]");
      }
      case VECTOR -> {
        sb.append('[');
        for (int i = 0; i < r.series().size(); i++) {
          Series s = r.series().get(i);
          if (i > 0) {
            sb.append(',');
          }
          sb.append("{\"metric\":");
          labels(sb, s.labels());
          sb.append(",\"value\":");
          point(sb, s.timestamps()[0], s.values()[0]);
          sb.append('}');
        }
        sb.append(']');
      }
      case MATRIX -> {
        sb.append('[');
        for (int i = 0; i < r.series().size(); i++) {
          Series s = r.series().get(i);
          if (i > 0) {
            sb.append(',');
          }
          sb.append("{\"metric\":");
          labels(sb, s.labels());
          sb.append(",\"values\":[");
          for (int k = 0; k < s.size(); k++) {
            if (k > 0) {
              sb.append(',');
            }
            point(sb, s.timestamps()[k], s.values()[k]);
          }
          sb.append("]}");
        }
        sb.append(']');
      }
      default -> throw new IllegalStateException("unknown result type " + r.type());
    }
    return sb.append('}').toString();
  }

  private static void point(StringBuilder sb, long t, double v) {
    sb.append('[');
    PromJson.pointTime(sb, t);
    sb.append(",\"");
    PromJson.pointValue(sb, v);
    sb.append("\"]");
  }

  static void labels(StringBuilder sb, Labels l) {
    sb.append('{');
    for (int i = 0; i < l.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      PromJson.string(sb, l.name(i));
      sb.append(':');
      PromJson.string(sb, l.value(i));
    }
    sb.append('}');
  }

  // ------------------------------------------------------------------ remote read, internal

  private void remoteRead(RoutingContext ctx) {
    String tenant = tenant(ctx);
    if (tenant == null) {
      return;
    }
    Buffer body = ctx.body().buffer();
    byte[] in = body == null ? new byte[0] : body.getBytes();
    ctx.vertx()
        .executeBlocking(
            () -> RemoteRead.handle(
                    in,
                    sources(tenant, System.nanoTime() + limits.defaultTimeoutMs() * 1_000_000),
                    limits.remoteReadMaxSamples()), false)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                logger.error("remote read failed", ar.cause());
                ctx.response()
                    .setStatusCode(500)
                    .end("internal error: " + ar.cause().getMessage() + "\n");
                return;
              }
              RemoteRead.Reply r = ar.result();
              var resp =
                  ctx.response()
                      .setStatusCode(r.status())
                      .putHeader("Content-Type", r.contentType());
              if (r.contentEncoding() != null) {
                resp.putHeader("Content-Encoding", r.contentEncoding());
              }
              resp.end(Buffer.buffer(r.body()));
            });
  }

  /**
   * The tenant of an internal (peer) request, or null after answering 503 (not in a cluster), 403
   * (bad cluster secret) or 400 (bad or missing {@code X-Scope-OrgID}).
   */
  private String internalTenant(RoutingContext ctx) {
    Peers p = peers;
    if (p == null) {
      ctx.response().setStatusCode(503).end("not in a cluster yet\n");
      return null;
    }
    if (!p.authorized(ctx.request().getHeader(Peers.SECRET_HEADER))) {
      ctx.response().setStatusCode(403).end("bad cluster secret\n");
      return null;
    }
    String tenant = ctx.request().getHeader("X-Scope-OrgID");
    if (tenant == null || Tenants.invalidReason(tenant) != null) {
      ctx.response().setStatusCode(400).end("bad or missing X-Scope-OrgID\n");
      return null;
    }
    return tenant;
  }

  private void internalSelect(RoutingContext ctx) {
    String tenant = internalTenant(ctx);
    if (tenant == null) {
      return;
    }
    byte[] in = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    ctx.vertx()
        .executeBlocking(
            () -> {
              HeadWire.Request req = HeadWire.decodeRequest(in);
              SeriesSet s =
                  new HeadQueryable(head, tenant)
                      .select(req.mint(), req.maxt(), req.matchers(), Queryable.Hints.NONE);
              return HeadWire.encodeResponse(s.series());
            },
            false)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.response()
                    .setStatusCode(400)
                    .end("bad request: " + ar.cause().getMessage() + "\n");
                return;
              }
              ctx.response()
                  .putHeader("Content-Type", "application/octet-stream")
                  .end(Buffer.buffer(ar.result()));
            });
  }

  /** {@code GET /internal/v1/metadata}: this instance's metadata of one tenant, for peers. */
  private void internalMetadata(RoutingContext ctx) {
    String tenant = internalTenant(ctx);
    if (tenant == null) {
      return;
    }
    ctx.response()
        .putHeader("Content-Type", JSON)
        .end(Peers.encodeMetadata(head.metadata(tenant)));
  }

  static boolean isPost(RoutingContext ctx) {
    return ctx.request().method() == HttpMethod.POST;
  }
}
