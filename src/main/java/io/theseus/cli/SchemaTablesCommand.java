package io.theseus.cli;

import com.datastax.oss.driver.api.core.CqlSession;
import io.theseus.schema.PeriodConfig;
import io.theseus.schema.SchemaConfig;
import io.theseus.store.PeriodicTables;
import io.theseus.store.SchemaDdl;
import io.theseus.store.TableManager;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code theseus schema tables}: Cortex's table manager by hand. Creates the periodic tables due
 * now and within {@code --ahead}; with {@code --retention} lists the tables wholly older than the
 * retention and drops them only with {@code --yes}.
 */
@Command(
    name = "tables",
    mixinStandardHelpOptions = true,
    description = {
      "Create the periodic index and chunk tables due now and within --ahead (Cortex's table"
          + " manager grace period).",
      "With --retention D: list the periodic tables wholly older than D; drop them with --yes."
          + " Cassandra snapshots each dropped table when auto_snapshot is on (its default): disk"
          + " space returns only after `nodetool clearsnapshot`."
    })
final class SchemaTablesCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin SchemaDdlMixin ddl;
  @CommandLine.Mixin CassandraClientMixin client;

  @Option(
      names = "--ahead",
      paramLabel = "DURATION",
      description = "Create tables this far ahead of their period (default 10m; e.g. 1d, 168h).")
  String ahead = "10m";

  @Option(
      names = "--retention",
      paramLabel = "DURATION",
      description = "Retention (e.g. 90d, a multiple of the newest index period); 0 = keep all.")
  String retention = "0";

  @Option(names = "--yes", description = "Really drop the tables older than --retention.")
  boolean yes;

  @Option(names = "--now", hidden = true, description = "Pretend the time is this (tests).")
  String now;

  @Override
  public Integer call() {
    SchemaConfig config = ddl.schemaConfig();
    SchemaDdl.Options o = ddl.ddlOptions();
    Duration grace = duration(ahead, "--ahead");
    Duration keep = duration(retention, "--retention");
    List<PeriodConfig> ps = config.periods();
    long newestPeriod = ps.get(ps.size() - 1).index().periodMs();
    if (!keep.isZero() && newestPeriod > 0 && keep.toMillis() % newestPeriod != 0) {
      throw new IllegalArgumentException(
          "--retention " + retention + " must be a multiple of the newest index period ("
              + Duration.ofMillis(newestPeriod).toHours() + "h)");
    }
    Instant t;
    try {
      t = now == null ? Instant.now() : Instant.parse(now);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("--now '" + now + "' is not an ISO-8601 instant");
    }
    List<PeriodicTables.Series> series = SchemaDdl.series(config);
    Map<String, PeriodicTables.Series> expected = PeriodicTables.expected(series, t, grace, keep);
    PrintWriter out = spec.commandLine().getOut();
    try (CqlSession s = client.open()) {
      if (s.getMetadata().getKeyspace(o.keyspace()).isEmpty()
          && s.execute(
                  "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?",
                  o.keyspace())
              .one() == null) {
        throw new IllegalArgumentException(
            "keyspace " + o.keyspace() + " does not exist; create it with `theseus schema apply`");
      }
      TableManager tm =
          new TableManager(
              s,
              o.keyspace(),
              name -> {
                PeriodicTables.Series ser = expected.get(name);
                if (ser == null) {
                  return "";
                }
                return SchemaDdl.optionsCql(
                        ser.kind() == PeriodicTables.Kind.INDEX ? o.index() : o.chunks(), ser)
                    .replace("\n  ", " ");
              });
      TableManager.SyncResult r = tm.sync(series, t, grace, keep, yes);
      for (String c : r.created()) {
        out.println("created " + o.keyspace() + "." + c);
      }
      if (r.created().isEmpty()) {
        out.println("all " + expected.size() + " tables due by " + t.plus(grace) + " exist");
      }
      if (!keep.isZero()) {
        if (r.dropCandidates().isEmpty()) {
          out.println("no table is wholly older than " + retention);
        }
        for (String d : r.dropCandidates()) {
          out.println((yes ? "dropped " : "would drop ") + o.keyspace() + "." + d);
        }
        if (!r.dropCandidates().isEmpty()) {
          out.println(
              yes
                  ? "note: with auto_snapshot on (Cassandra's default) each dropped table was"
                      + " snapshotted; run `nodetool clearsnapshot` on every node to free the disk"
                  : "dry run: add --yes to drop (Cassandra snapshots each dropped table when"
                      + " auto_snapshot is on; free the disk with `nodetool clearsnapshot`)");
        }
      }
      out.flush();
      return 0;
    }
  }

  static Duration duration(String text, String flag) {
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    if (!text.matches("\\d+[smhdw]")) {
      throw new IllegalArgumentException(
          flag + " '" + text + "' is not a duration like 10m, 12h, 30d or 4w");
    }
    long v = Long.parseLong(text.substring(0, text.length() - 1));
    return switch (text.charAt(text.length() - 1)) {
      case 's' -> Duration.ofSeconds(v);
      case 'm' -> Duration.ofMinutes(v);
      case 'h' -> Duration.ofHours(v);
      case 'd' -> Duration.ofDays(v);
      default -> Duration.ofDays(7 * v);
    };
  }
}
