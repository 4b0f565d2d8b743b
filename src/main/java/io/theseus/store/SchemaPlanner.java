package io.theseus.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares the expected DDL ({@link SchemaDdl}) with a live cluster's {@code system_schema} and
 * applies the difference: {@code theseus schema plan} and {@code apply}.
 *
 * <p>Plan: a missing keyspace or table becomes its CREATE; a table whose options differ becomes an
 * {@code ALTER TABLE ... WITH} (safe); a table whose columns or key differ from {@code (hash text,
 * range blob, value blob, PRIMARY KEY (hash, range))} needs DROP + CREATE (unsafe: loses its
 * data); different keyspace replication becomes {@code ALTER KEYSPACE} (unsafe: needs a repair);
 * managed-prefix tables outside the range are listed as extra, never dropped here.
 *
 * <p>Apply: creates the keyspace and bookkeeping tables, takes a lightweight-transaction lock
 * (row {@code apply} of {@value SchemaDdl#LOCK_TABLE}, TTL 10 min), runs each statement and waits
 * for schema agreement after each, records a row in {@value SchemaDdl#MIGRATIONS_TABLE} (next
 * version, SHA-256 of the expected script, time, user@host) when anything changed, and releases
 * the lock. Unsafe changes run only when allowed. Idempotent: a second run finds nothing to do.
 * Not thread-safe; the LWT lock serializes DBAs and instances.
 */
public final class SchemaPlanner {
  private static final Logger logger = LoggerFactory.getLogger(SchemaPlanner.class);
  private static final Duration AGREEMENT_TIMEOUT = Duration.ofSeconds(60);

  /** What kind of difference. */
  public enum Kind {
    MISSING,
    DIFFERENT,
    KEY_CONFLICT,
    EXTRA
  }

  /** One difference with the CQL that fixes it (none for EXTRA). */
  public record Change(Kind kind, String name, String detail, List<String> fix, boolean unsafe) {
    public String describe() {
      return String.format("%-12s %-32s %s%s", kind, name, detail, unsafe ? " [needs --yes]" : "");
    }
  }

  private final CqlSession session;

  public SchemaPlanner(CqlSession session) {
    this.session = session;
  }

  /** The differences between {@code ddl} (built with {@code o}) and the live schema. */
  public List<Change> plan(SchemaDdl.Ddl ddl, SchemaDdl.Options o, Set<String> managedPrefixes) {
    List<Change> out = new ArrayList<>();
    String ks = o.keyspace();
    Row ksRow =
        session
            .execute(
                SimpleStatement.newInstance(
                    "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?", ks))
            .one();
    Map<String, Row> tables = new HashMap<>();
    Map<String, Map<String, String>> columns = new HashMap<>();
    if (ksRow == null) {
      out.add(
          new Change(Kind.MISSING, ks, "keyspace", List.of(SchemaDdl.keyspaceCql(o)), false));
    } else {
      Map<String, String> live = ksRow.getMap(0, String.class, String.class);
      Map<String, String> want = new HashMap<>();
      want.put("class", "org.apache.cassandra.locator." + o.replicationClass());
      o.replication().forEach((k, v) -> want.put(k, Integer.toString(v)));
      if (!live.equals(want)) {
        out.add(
            new Change(
                Kind.DIFFERENT,
                ks,
                "replication " + live + " → " + want + " (run a full repair afterwards)",
                List.of(
                    SchemaDdl.keyspaceCql(o)
                        .replace("CREATE KEYSPACE IF NOT EXISTS", "ALTER KEYSPACE")),
                true));
      }
      for (Row r :
          session.execute(
              SimpleStatement.newInstance(
                  "SELECT table_name, compaction, compression, gc_grace_seconds,"
                      + " default_time_to_live FROM system_schema.tables WHERE keyspace_name = ?",
                  ks))) {
        tables.put(r.getString("table_name"), r);
      }
      for (Row r :
          session.execute(
              SimpleStatement.newInstance(
                  "SELECT table_name, column_name, kind, type FROM system_schema.columns"
                      + " WHERE keyspace_name = ?",
                  ks))) {
        columns
            .computeIfAbsent(r.getString("table_name"), t -> new java.util.TreeMap<>())
            .put(r.getString("column_name"), r.getString("kind") + " " + r.getString("type"));
      }
    }
    Set<String> expectedNames = new TreeSet<>();
    for (SchemaDdl.Statement st : ddl.statements()) {
      if (st.kind().equals("keyspace")) {
        continue;
      }
      expectedNames.add(st.name());
      Row live = tables.get(st.name());
      if (live == null) {
        out.add(new Change(Kind.MISSING, st.name(), st.kind(), List.of(st.cql()), false));
        continue;
      }
      if (!st.kind().endsWith("tables")) {
        continue; // Bookkeeping tables: existence is enough.
      }
      Map<String, String> cols = columns.getOrDefault(st.name(), Map.of());
      Map<String, String> wantCols =
          Map.of(
              "hash", "partition_key text",
              "range", "clustering blob",
              "value", "regular blob");
      if (!cols.equals(wantCols)) {
        out.add(
            new Change(
                Kind.KEY_CONFLICT,
                st.name(),
                "columns " + cols + " are not (hash text, range blob, value blob, PRIMARY KEY"
                    + " (hash, range)); rebuilding DROPS ITS DATA",
                List.of("DROP TABLE IF EXISTS " + ks + "." + st.name(), st.cql()),
                true));
        continue;
      }
      String diff = optionDiff(st.cql(), live);
      if (!diff.isEmpty()) {
        String with = st.cql().substring(st.cql().indexOf("\n  WITH ") + "\n  WITH ".length());
        out.add(
            new Change(
                Kind.DIFFERENT,
                st.name(),
                diff,
                List.of("ALTER TABLE " + ks + "." + st.name() + " WITH " + with),
                false));
      }
    }
    for (String t : new TreeSet<>(tables.keySet())) {
      if (expectedNames.contains(t)) {
        continue;
      }
      for (String p : managedPrefixes) {
        if (t.startsWith(p)) {
          out.add(
              new Change(
                  Kind.EXTRA, t, "outside the range (drop by retention: schema tables)",
                  List.of(), false));
          break;
        }
      }
    }
    return out;
  }

  /** Differences of compaction, compression, gc_grace and TTL between a CREATE and a live row. */
  static String optionDiff(String createCql, Row live) {
    List<String> diffs = new ArrayList<>();
    Map<String, String> wantCompaction = optionMap(createCql, "compaction = ");
    Map<String, String> liveCompaction = live.getMap("compaction", String.class, String.class);
    compareMap("compaction", wantCompaction, liveCompaction, diffs);
    Map<String, String> wantCompression = optionMap(createCql, "compression = ");
    Map<String, String> liveCompression = live.getMap("compression", String.class, String.class);
    compareMap("compression", wantCompression, liveCompression, diffs);
    int gc = intOption(createCql, "gc_grace_seconds = ");
    if (gc >= 0 && gc != live.getInt("gc_grace_seconds")) {
      diffs.add("gc_grace_seconds " + live.getInt("gc_grace_seconds") + " → " + gc);
    }
    int ttl = intOption(createCql, "default_time_to_live = ");
    if (ttl >= 0 && ttl != live.getInt("default_time_to_live")) {
      diffs.add("default_time_to_live " + live.getInt("default_time_to_live") + " → " + ttl);
    }
    return String.join("; ", diffs);
  }

  private static void compareMap(
      String what, Map<String, String> want, Map<String, String> live, List<String> diffs) {
    for (Map.Entry<String, String> e : want.entrySet()) {
      String l = live.get(e.getKey());
      String w = e.getValue();
      if (e.getKey().equals("class") && l != null) {
        l = l.substring(l.lastIndexOf('.') + 1);
      }
      if (!w.equals(l)) {
        diffs.add(what + "." + e.getKey() + " " + l + " → " + w);
      }
    }
  }

  /** Parses {@code {'k': 'v', ...}} after {@code key} in a CQL statement. */
  static Map<String, String> optionMap(String cql, String key) {
    int i = cql.indexOf(key);
    if (i < 0) {
      return Map.of();
    }
    int start = cql.indexOf('{', i);
    int end = cql.indexOf('}', start);
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (String part : cql.substring(start + 1, end).split(",")) {
      String[] kv = part.split(":", 2);
      if (kv.length == 2) {
        m.put(unquote(kv[0]), unquote(kv[1]));
      }
    }
    return m;
  }

  private static String unquote(String s) {
    s = s.trim();
    return s.startsWith("'") && s.endsWith("'") ? s.substring(1, s.length() - 1) : s;
  }

  private static int intOption(String cql, String key) {
    int i = cql.indexOf(key);
    if (i < 0) {
      return -1;
    }
    int j = i + key.length();
    int k = j;
    while (k < cql.length() && Character.isDigit(cql.charAt(k))) {
      k++;
    }
    return Integer.parseInt(cql.substring(j, k));
  }

  /** What {@link #apply} did. */
  public record ApplyResult(List<String> executed, int version, String checksum) {}

  /**
   * Applies {@code changes} (from {@link #plan}) under the LWT lock.
   *
   * @throws IllegalStateException when the lock is held by someone else, or the schema does not
   *     agree within 60 s after a statement
   * @throws IllegalArgumentException when an unsafe change is present and not {@code allowUnsafe}
   */
  public ApplyResult apply(
      List<Change> changes,
      SchemaDdl.Ddl ddl,
      SchemaDdl.Options o,
      String description,
      boolean allowUnsafe) {
    List<Change> unsafe = changes.stream().filter(Change::unsafe).toList();
    if (!unsafe.isEmpty() && !allowUnsafe) {
      StringBuilder b = new StringBuilder("refusing unsafe changes without --yes:");
      unsafe.forEach(c -> b.append("\n  ").append(c.describe()));
      throw new IllegalArgumentException(b.toString());
    }
    String ks = o.keyspace();
    List<String> executed = new ArrayList<>();
    // The keyspace and bookkeeping tables first: the lock lives there.
    for (SchemaDdl.Statement st : ddl.statements()) {
      if (st.kind().equals("keyspace") || st.kind().equals("bookkeeping")) {
        boolean missing =
            changes.stream().anyMatch(c -> c.kind() == Kind.MISSING && c.name().equals(st.name()));
        if (missing) {
          execute(st.cql());
          executed.add(st.cql());
        }
      }
    }
    String owner = whoAmI();
    Row lock =
        session
            .execute(
                SimpleStatement.newInstance(
                    "INSERT INTO " + ks + "." + SchemaDdl.LOCK_TABLE
                        + " (name, owner, acquired_at) VALUES ('apply', ?, ?) IF NOT EXISTS"
                        + " USING TTL 600",
                    owner,
                    Instant.now()))
            .one();
    if (lock == null || !lock.getBoolean("[applied]")) {
      throw new IllegalStateException(
          "schema lock of " + ks + " is held by " + (lock == null ? "?" : lock.getString("owner"))
              + " since " + (lock == null ? "?" : lock.getInstant("acquired_at"))
              + "; wait for it, or delete the row 'apply' of " + ks + "." + SchemaDdl.LOCK_TABLE
              + " if its owner died (it expires after 10 minutes)");
    }
    try {
      for (Change c : changes) {
        if (c.kind() == Kind.EXTRA || executed.containsAll(c.fix())) {
          continue;
        }
        for (String cql : c.fix()) {
          execute(cql);
          executed.add(cql);
        }
      }
      int version = 0;
      String checksum = checksum(ddl);
      if (!executed.isEmpty()) {
        Row max =
            session.execute("SELECT max(version) FROM " + ks + "." + SchemaDdl.MIGRATIONS_TABLE).one();
        version = (max == null || max.isNull(0) ? 0 : max.getInt(0)) + 1;
        ResultSet rs =
            session.execute(
                SimpleStatement.newInstance(
                    "INSERT INTO " + ks + "." + SchemaDdl.MIGRATIONS_TABLE
                        + " (version, checksum, description, applied_at, applied_by) VALUES (?, ?,"
                        + " ?, ?, ?) IF NOT EXISTS",
                    version,
                    checksum,
                    description,
                    Instant.now(),
                    owner));
        if (!rs.wasApplied()) {
          throw new IllegalStateException("migration version " + version + " was recorded meanwhile");
        }
      }
      return new ApplyResult(executed, version, checksum);
    } finally {
      session.execute(
          SimpleStatement.newInstance(
              "DELETE FROM " + ks + "." + SchemaDdl.LOCK_TABLE + " WHERE name = 'apply' IF owner = ?",
              owner));
    }
  }

  private void execute(String cql) {
    logger.info("schema: {}", cql.replace('\n', ' '));
    ResultSet rs = session.execute(SimpleStatement.newInstance(cql).setTimeout(Duration.ofSeconds(60)));
    if (rs.getExecutionInfo().isSchemaInAgreement()) {
      return;
    }
    long deadline = System.nanoTime() + AGREEMENT_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (session.checkSchemaAgreement()) {
        return;
      }
    }
    throw new IllegalStateException(
        "no schema agreement within " + AGREEMENT_TIMEOUT.toSeconds() + " s after: " + cql);
  }

  /** SHA-256 (hex) of the expected script's statements. */
  public static String checksum(SchemaDdl.Ddl ddl) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (SchemaDdl.Statement s : ddl.statements()) {
        md.update(s.cql().getBytes(StandardCharsets.UTF_8));
        md.update((byte) ';');
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code user@host/pid}: who applies or migrates, as recorded in the schema tables. */
  static String whoAmI() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "unknown-host";
    }
    return System.getProperty("user.name", "unknown") + "@" + host + "/" + ProcessHandle.current().pid();
  }
}
