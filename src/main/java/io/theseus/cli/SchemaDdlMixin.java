package io.theseus.cli;

import io.theseus.schema.SchemaConfig;
import io.theseus.store.SchemaDdl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Option;

/**
 * Options shared by the {@code theseus schema} subcommands that compute the expected DDL: the
 * schema config, the date range, and keyspace / replication / table options (a DDL options file,
 * then flags on top). Parses eagerly; errors name the bad value.
 */
final class SchemaDdlMixin {
  @Option(
      names = {"--config", "-c"},
      required = true,
      paramLabel = "FILE",
      description = "Cortex schema config (YAML with configs: [...]).")
  Path config;

  @Option(
      names = "--from",
      paramLabel = "DATE",
      description = "First day (UTC, YYYY-MM-DD) whose tables are wanted (default: today).")
  String from;

  @Option(
      names = "--through",
      paramLabel = "DATE",
      description = "Last day (UTC, YYYY-MM-DD, inclusive) (default: --from + 7 days).")
  String through;

  @Option(
      names = "--options",
      paramLabel = "FILE",
      description = "DDL options YAML: keyspace, replication, index_tables, chunk_tables.")
  Path options;

  @Option(names = "--keyspace", paramLabel = "NAME", description = "Keyspace (default theseus).")
  String keyspace;

  @Option(
      names = "--replication",
      paramLabel = "RF|DC:RF,...",
      description =
          "SimpleStrategy with an RF (e.g. 3), or NetworkTopologyStrategy with an RF per data"
              + " centre (e.g. dc1:3,dc2:3). Default: SimpleStrategy 3.")
  String replication;

  SchemaConfig schemaConfig() {
    return SchemaConfig.load(config);
  }

  Instant fromInstant() {
    return day(from, LocalDate.now(ZoneOffset.UTC), "--from");
  }

  /** The last second of the {@code --through} day. */
  Instant throughInstant() {
    LocalDate f = LocalDate.ofInstant(fromInstant(), ZoneOffset.UTC);
    return day(through, f.plusDays(7), "--through").plusSeconds(86_399);
  }

  private static Instant day(String text, LocalDate dflt, String flag) {
    if (text == null) {
      return dflt.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    try {
      return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(flag + " '" + text + "' is not a date YYYY-MM-DD");
    }
  }

  SchemaDdl.Options ddlOptions() {
    SchemaDdl.Options o = SchemaDdl.Options.defaults();
    if (options != null) {
      try {
        o = SchemaDdl.parseOptions(Files.readString(options), o);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read --options " + options + ": " + e.getMessage());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(options + ": " + e.getMessage());
      }
    }
    if (keyspace != null) {
      o = o.withKeyspace(keyspace);
    }
    if (replication != null) {
      o = parseReplication(replication, o);
    }
    return o;
  }

  static SchemaDdl.Options parseReplication(String text, SchemaDdl.Options o) {
    try {
      if (text.matches("\\d+")) {
        return o.withReplication("SimpleStrategy", Map.of("replication_factor", Integer.parseInt(text)));
      }
      Map<String, Integer> rf = new TreeMap<>();
      for (String part : text.split(",")) {
        String[] kv = part.split(":");
        if (kv.length != 2 || !kv[1].matches("\\d+") || kv[0].isBlank()) {
          throw new IllegalArgumentException("bad data centre entry '" + part + "'");
        }
        rf.put(kv[0].trim(), Integer.parseInt(kv[1]));
      }
      return o.withReplication("NetworkTopologyStrategy", rf);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--replication '" + text + "': " + e.getMessage() + " (use 3 or dc1:3,dc2:3)");
    }
  }

  SchemaDdl.Ddl ddl() {
    return SchemaDdl.build(schemaConfig(), fromInstant(), throughInstant(), ddlOptions());
  }

  String header(String command) {
    return "theseus schema " + command + ": " + config.getFileName() + ", tables for "
        + LocalDate.ofInstant(fromInstant(), ZoneOffset.UTC) + " through "
        + LocalDate.ofInstant(throughInstant(), ZoneOffset.UTC) + " (UTC)";
  }
}
