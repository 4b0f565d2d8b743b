package io.theseus.store;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.servererrors.QueryConsistencyException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.AllNodesFailedException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes the one table shape Cortex uses for both index and chunk tables:
 *
 * <pre>
 *   CREATE TABLE t (hash text, range blob, value blob, PRIMARY KEY (hash, range))
 * </pre>
 *
 * <p>Writes are single-row INSERTs (no batches, as Cortex), prepared once per table, executed
 * asynchronously with at most {@code maxInFlight} requests outstanding (more are queued by an
 * {@link AsyncLimiter}, never blocking a thread), and retried with exponential backoff plus jitter on timeouts and
 * unavailability. Reads use the six query shapes of Cortex's Cassandra client: whole row, range
 * prefix ({@code range >= p AND range < p||0xFF}), range start, each optionally with
 * {@code value = ? ALLOW FILTERING}; pages of 5000 rows are followed asynchronously.
 *
 * <p>Thread-safe. Prepared statements are cached per (table, shape).
 */
public final class RowStore {
  private static final Logger logger = LoggerFactory.getLogger(RowStore.class);

  /** One row: range and value bytes ({@code value} may be null). */
  public record Row2(byte[] range, byte[] value) {}

  private final CqlSession session;
  private final String keyspace;
  private final AsyncLimiter limiter;
  private final int maxRetries;
  private final ConcurrentHashMap<String, CompletionStage<PreparedStatement>> prepared =
      new ConcurrentHashMap<>();
  private final ScheduledExecutorService retryTimer;

  public RowStore(CqlSession session, String keyspace, int maxInFlight, int maxRetries) {
    this.session = session;
    this.keyspace = keyspace;
    this.limiter = new AsyncLimiter(maxInFlight);
    this.maxRetries = maxRetries;
    this.retryTimer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "cassandra-retry");
              t.setDaemon(true);
              return t;
            });
  }

  public String keyspace() {
    return keyspace;
  }

  public CqlSession session() {
    return session;
  }

  /** Inserts one row; completes when Cassandra acknowledged it at the session's consistency. */
  public CompletionStage<Void> insert(String table, String hash, byte[] range, byte[] value) {
    return withPermit(
        () ->
            prepare(table, "insert", "INSERT INTO %s.%s (hash, range, value) VALUES (?, ?, ?)")
                .thenCompose(
                    ps ->
                        executeWithRetry(
                            ps.bind(hash, ByteBuffer.wrap(range), value == null ? null : ByteBuffer.wrap(value))
                                .setIdempotent(true),
                            0))
                .thenApply(rs -> null));
  }

  /** Reads the whole row {@code hash}. */
  public CompletionStage<List<Row2>> readRow(String table, String hash) {
    return query(table, "row", "SELECT range, value FROM %s.%s WHERE hash = ?", ps -> ps.bind(hash));
  }

  /** Reads the rows of {@code hash} whose range starts with {@code prefix}. */
  public CompletionStage<List<Row2>> readPrefix(String table, String hash, byte[] prefix, byte[] valueEqual) {
    byte[] upper = new byte[prefix.length + 1];
    System.arraycopy(prefix, 0, upper, 0, prefix.length);
    upper[prefix.length] = (byte) 0xFF;
    if (valueEqual == null) {
      return query(
          table,
          "prefix",
          "SELECT range, value FROM %s.%s WHERE hash = ? AND range >= ? AND range < ?",
          ps -> ps.bind(hash, ByteBuffer.wrap(prefix), ByteBuffer.wrap(upper)));
    }
    return query(
        table,
        "prefix-value",
        "SELECT range, value FROM %s.%s WHERE hash = ? AND range >= ? AND range < ? AND value = ? ALLOW FILTERING",
        ps -> ps.bind(hash, ByteBuffer.wrap(prefix), ByteBuffer.wrap(upper), ByteBuffer.wrap(valueEqual)));
  }

  /** Reads the rows of {@code hash} whose range is at least {@code start}. */
  public CompletionStage<List<Row2>> readFrom(String table, String hash, byte[] start, byte[] valueEqual) {
    if (valueEqual == null) {
      return query(
          table,
          "start",
          "SELECT range, value FROM %s.%s WHERE hash = ? AND range >= ?",
          ps -> ps.bind(hash, ByteBuffer.wrap(start)));
    }
    return query(
        table,
        "start-value",
        "SELECT range, value FROM %s.%s WHERE hash = ? AND range >= ? AND value = ? ALLOW FILTERING",
        ps -> ps.bind(hash, ByteBuffer.wrap(start), ByteBuffer.wrap(valueEqual)));
  }

  /** Reads the rows of {@code hash} whose value equals {@code valueEqual}. */
  public CompletionStage<List<Row2>> readRowValue(String table, String hash, byte[] valueEqual) {
    return query(
        table,
        "row-value",
        "SELECT range, value FROM %s.%s WHERE hash = ? AND value = ? ALLOW FILTERING",
        ps -> ps.bind(hash, ByteBuffer.wrap(valueEqual)));
  }

  /** Reads a chunk row's value ({@code SELECT value FROM t WHERE hash = ?}), or null. */
  public CompletionStage<byte[]> readValue(String table, String hash) {
    return readRow(table, hash).thenApply(rows -> rows.isEmpty() ? null : rows.get(0).value());
  }

  private CompletionStage<List<Row2>> query(
      String table, String shape, String cql, java.util.function.Function<PreparedStatement, BoundStatement> bind) {
    return withPermit(
        () ->
            prepare(table, shape, cql)
                .thenCompose(ps -> executeWithRetry(bind.apply(ps).setIdempotent(true), 0))
                .thenCompose(rs -> collect(rs, new ArrayList<>())));
  }

  private static CompletionStage<List<Row2>> collect(AsyncResultSet rs, List<Row2> out) {
    for (Row r : rs.currentPage()) {
      out.add(new Row2(bytes(r.getByteBuffer(0)), bytes(r.getByteBuffer(1))));
    }
    if (rs.hasMorePages()) {
      return rs.fetchNextPage().thenCompose(next -> collect(next, out));
    }
    return CompletableFuture.completedFuture(out);
  }

  static byte[] bytes(ByteBuffer b) {
    if (b == null) {
      return null;
    }
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  private CompletionStage<PreparedStatement> prepare(String table, String shape, String cql) {
    String key = table + "/" + shape;
    CompletionStage<PreparedStatement> ps =
        prepared.computeIfAbsent(
            key,
            k ->
                session.prepareAsync(
                    String.format(cql, CqlIdentifier.fromInternal(keyspace).asCql(true), CqlIdentifier.fromInternal(table).asCql(true))));
    return ps.exceptionallyCompose(
        e -> {
          // Do not cache failures (e.g. the table did not exist yet).
          prepared.remove(key, ps);
          return CompletableFuture.failedFuture(e);
        });
  }

  /** Forgets prepared statements of a dropped table. */
  public void forgetTable(String table) {
    prepared.keySet().removeIf(k -> k.startsWith(table + "/"));
  }

  private CompletionStage<AsyncResultSet> executeWithRetry(BoundStatement st, int attempt) {
    return session
        .executeAsync(st)
        .exceptionallyCompose(
            e -> {
              Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
              if (attempt < maxRetries && retryable(cause)) {
                long backoff = Math.min(10_000, 100L << Math.min(attempt, 7));
                long delay = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
                logger.debug("retrying after {} ms (attempt {}): {}", delay, attempt + 1, cause.toString());
                CompletableFuture<AsyncResultSet> f = new CompletableFuture<>();
                retryTimer.schedule(
                    () ->
                        executeWithRetry(st, attempt + 1)
                            .whenComplete(
                                (r, x) -> {
                                  if (x != null) {
                                    f.completeExceptionally(x);
                                  } else {
                                    f.complete(r);
                                  }
                                }),
                    delay,
                    TimeUnit.MILLISECONDS);
                return f;
              }
              return CompletableFuture.failedFuture(cause);
            });
  }

  static boolean retryable(Throwable e) {
    return e instanceof DriverTimeoutException
        || e instanceof QueryConsistencyException
        || e instanceof UnavailableException
        || e instanceof AllNodesFailedException;
  }

  static boolean isMissingTable(Throwable e) {
    Throwable t = e;
    while (t != null) {
      if (t instanceof InvalidQueryException && t.getMessage() != null
          && (t.getMessage().contains("unconfigured table") || t.getMessage().contains("does not exist"))) {
        return true;
      }
      t = t.getCause();
    }
    return false;
  }

  private <T> CompletionStage<T> withPermit(Supplier<CompletionStage<T>> op) {
    return limiter.submit(op);
  }

  /** Requests in flight now (for metrics). */
  public int inFlight() {
    return limiter.running();
  }

  /** Requests waiting for a slot (for metrics and backpressure). */
  public int queued() {
    return limiter.queued();
  }
}
