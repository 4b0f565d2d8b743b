package io.theseus.ingest;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cortex's HA-pair deduplication ({@code pkg/distributor/ha_tracker.go}) with the elected replica
 * per tenant and cluster kept in Cassandra, changed only by lightweight transactions so that every
 * Theseus instance agrees.
 *
 * <p>Table (in the instance's keyspace):
 *
 * <pre>
 * CREATE TABLE ha_replicas (tenant text, cluster text, replica text, received_at bigint,
 *                           PRIMARY KEY ((tenant, cluster)))
 * </pre>
 *
 * <p>Rules: the first replica seen for a cluster is elected ({@code INSERT ... IF NOT EXISTS}).
 * The elected replica refreshes {@code received_at} at most every update timeout (15 s) with
 * {@code UPDATE ... IF replica = ?}. Another replica takes over only when the elected one has
 * been silent for the failover timeout (30 s), with {@code UPDATE ... IF received_at = ?} on the
 * value it read; otherwise its samples are dropped and the push answers 202. If Cassandra cannot
 * be reached, the decision falls back to the last known state (accepting when there is none).
 *
 * <p>Thread-safe; calls block on Cassandra (they run on worker threads).
 */
public final class HaTracker {
  private static final Logger logger = LoggerFactory.getLogger(HaTracker.class);
  static final long UPDATE_TIMEOUT_MS = 15_000;
  static final long FAILOVER_TIMEOUT_MS = 30_000;

  private final CqlSession session;
  private final LongSupplier clock;
  private final PreparedStatement insert;
  private final PreparedStatement select;
  private final PreparedStatement refresh;
  private final PreparedStatement takeover;
  private final ConcurrentHashMap<String, Elected> cache = new ConcurrentHashMap<>();

  record Elected(String replica, long receivedAt) {}

  /** The decision for one request. */
  public record Decision(boolean accept, String elected) {}

  public HaTracker(CqlSession session, String keyspace, LongSupplier clock) {
    this.session = session;
    this.clock = clock;
    String t = CqlIdentifier.fromInternal(keyspace).asCql(true) + ".ha_replicas";
    session.execute(
        "CREATE TABLE IF NOT EXISTS " + t + " (tenant text, cluster text, replica text,"
            + " received_at bigint, PRIMARY KEY ((tenant, cluster)))");
    session.checkSchemaAgreement();
    insert = session.prepare("INSERT INTO " + t
        + " (tenant, cluster, replica, received_at) VALUES (?, ?, ?, ?) IF NOT EXISTS");
    select = session.prepare("SELECT replica, received_at FROM " + t + " WHERE tenant = ? AND cluster = ?");
    refresh = session.prepare("UPDATE " + t
        + " SET received_at = ? WHERE tenant = ? AND cluster = ? IF replica = ?");
    takeover = session.prepare("UPDATE " + t
        + " SET replica = ?, received_at = ? WHERE tenant = ? AND cluster = ? IF received_at = ?");
  }

  /** Whether samples of {@code replica} of {@code cluster} from {@code tenant} are accepted. */
  public Decision check(String tenant, String cluster, String replica) {
    String key = tenant + '\u0000' + cluster;
    long now = clock.getAsLong();
    Elected cached = cache.get(key);
    try {
      if (cached != null && cached.replica.equals(replica)) {
        if (now - cached.receivedAt >= UPDATE_TIMEOUT_MS) {
          ResultSet rs = session.execute(refresh.bind(now, tenant, cluster, replica));
          if (!rs.wasApplied()) {
            return decideFrom(key, tenant, cluster, replica, now, read(tenant, cluster));
          }
          cache.put(key, new Elected(replica, now));
        }
        return new Decision(true, replica);
      }
      Elected current = cached;
      if (current == null || now - current.receivedAt > FAILOVER_TIMEOUT_MS) {
        current = read(tenant, cluster);
      }
      if (current == null) {
        ResultSet rs = session.execute(insert.bind(tenant, cluster, replica, now));
        if (rs.wasApplied()) {
          cache.put(key, new Elected(replica, now));
          return new Decision(true, replica);
        }
        Row r = rs.one();
        current = new Elected(r.getString("replica"), r.getLong("received_at"));
      }
      return decideFrom(key, tenant, cluster, replica, now, current);
    } catch (RuntimeException e) {
      logger.warn("HA tracker: Cassandra unavailable ({}); using the last known election", e.toString());
      boolean ok = cached == null || cached.replica.equals(replica);
      return new Decision(ok, cached == null ? replica : cached.replica);
    }
  }

  private Decision decideFrom(String key, String tenant, String cluster, String replica, long now,
      Elected current) {
    if (current == null) {
      return check(tenant, cluster, replica);
    }
    if (current.replica.equals(replica)) {
      cache.put(key, current);
      return new Decision(true, replica);
    }
    if (now - current.receivedAt > FAILOVER_TIMEOUT_MS) {
      ResultSet rs =
          session.execute(takeover.bind(replica, now, tenant, cluster, current.receivedAt));
      if (rs.wasApplied()) {
        logger.info("HA tracker: tenant {} cluster {} fails over from {} to {}", tenant, cluster,
            current.replica, replica);
        cache.put(key, new Elected(replica, now));
        return new Decision(true, replica);
      }
      current = read(tenant, cluster);
      if (current != null && current.replica.equals(replica)) {
        cache.put(key, current);
        return new Decision(true, replica);
      }
    }
    if (current != null) {
      cache.put(key, current);
    }
    return new Decision(false, current == null ? "" : current.replica);
  }

  private Elected read(String tenant, String cluster) {
    Row r = session.execute(select.bind(tenant, cluster)).one();
    return r == null ? null : new Elected(r.getString(0), r.getLong(1));
  }
}
