package io.theseus.cli;

import io.theseus.chunk.Fingerprint;
import io.theseus.model.Labels;
import io.theseus.schema.IndexEntry;
import io.theseus.schema.IndexSchema;
import io.theseus.schema.Keys;
import io.theseus.schema.MetricNameIndex;
import io.theseus.schema.PeriodConfig;
import io.theseus.schema.PeriodicTableConfig;
import io.theseus.schema.SchemaConfig;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code theseus schema describe-series}: prints every index row (table, hash, range, value, as
 * text and hex) that a chunk of one series over [from, through] writes, and the chunk row key. For
 * DBAs finding data by hand in Cassandra. Pure computation: no Cassandra connection.
 *
 * <p>The chunk ID ends in the CRC-32C of the encoded chunk, which depends on the samples and the
 * compressor, so it is printed as the placeholder {@code <crc>}.
 */
@Command(
    name = "describe-series",
    mixinStandardHelpOptions = true,
    description = {
      "Print the Cortex index rows and the chunk row key of one series' chunk.",
      "Example: theseus schema describe-series --schema v11 --tenant t1 "
          + "--from 2021-06-15T10:30:00Z --through 2021-06-15T16:30:00Z "
          + "'http_requests_total{job=\"api\",method=\"GET\"}'"
    })
final class DescribeSeriesCommand implements Runnable {
  static final String CRC_PLACEHOLDER = "<crc>";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--schema",
      description = "Schema version v1..v11 (one period from 1970 with the prefixes below).")
  String schema;

  @Option(
      names = "--schema-config",
      description = "Cortex schema config YAML instead of --schema (periods, prefixes, shards).")
  Path schemaConfig;

  @Option(names = "--tenant", required = true, description = "Tenant (X-Scope-OrgID).")
  String tenant;

  @Option(
      names = "--from",
      required = true,
      description = "First sample time of the chunk: RFC 3339 or Unix seconds.")
  String from;

  @Option(
      names = "--through",
      required = true,
      description = "Last sample time of the chunk: RFC 3339 or Unix seconds.")
  String through;

  @Option(
      names = "--index-prefix",
      defaultValue = "index_",
      description = "Default: ${DEFAULT-VALUE}")
  String indexPrefix;

  @Option(
      names = "--chunks-prefix",
      defaultValue = "chunk_",
      description = "Default: ${DEFAULT-VALUE}")
  String chunksPrefix;

  @Option(
      names = "--period",
      defaultValue = "168h",
      description = "Table period. Default: ${DEFAULT-VALUE}")
  String period;

  @Option(names = "--row-shards", description = "Row shards for v10/v11 (default 16).")
  Integer rowShards;

  @Option(
      names = "--no-extension",
      description = "Omit the Theseus metric-names row (a Theseus extension Cortex ignores).")
  boolean noExtension;

  @Parameters(index = "0", paramLabel = "SELECTOR", description = "metric{label=\"value\",...}")
  String selector;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    Labels metric = SeriesSelectorParser.parse(selector);
    long fromMs = CliTimes.parseMillis("--from", from);
    long throughMs = CliTimes.parseMillis("--through", through);
    if (throughMs < fromMs) {
      throw new IllegalArgumentException("--through " + through + " is before --from " + from);
    }
    if (tenant.isEmpty() || tenant.contains("/") || tenant.contains("\\")) {
      throw new IllegalArgumentException("--tenant '" + tenant + "' is empty or contains / or \\");
    }
    SchemaConfig config = config();
    if (config.periodFor(fromMs) == null) {
      throw new IllegalArgumentException(
          "--from "
              + from
              + " is before the first schema period (from "
              + config.periods().get(0).from()
              + "): no table holds this chunk");
    }
    long fp = Fingerprint.fast(metric);
    String chunkId =
        tenant
            + "/"
            + Long.toHexString(fp)
            + ":"
            + Long.toHexString(fromMs)
            + ":"
            + Long.toHexString(throughMs)
            + ":"
            + CRC_PLACEHOLDER;

    out.println("series       " + Keys.seriesString(metric));
    out.println("tenant       " + tenant);
    out.println(
        "chunk        "
            + Instant.ofEpochMilli(fromMs)
            + " .. "
            + Instant.ofEpochMilli(throughMs)
            + " ("
            + fromMs
            + " .. "
            + throughMs
            + " ms)");
    out.println(
        "fingerprint  "
            + String.format("%016x", fp)
            + " (Cortex FastFingerprint; an ingester remaps it on a collision)");
    out.println("seriesID     " + Keys.seriesId(metric) + " (v8+)");
    out.println("chunk ID     " + chunkId);
    out.println(
        "             "
            + CRC_PLACEHOLDER
            + " = CRC-32C of the encoded chunk (lowercase hex): unknown until the chunk is"
            + " encoded");

    int n = 0;
    for (SchemaConfig.PeriodRange pr : config.split(fromMs, throughMs)) {
      IndexSchema s = pr.period().indexSchema();
      out.println();
      out.println(
          "== period "
              + pr.period()
              + ", index schema "
              + s.version()
              + (s.rowShards() > 0 ? ", row_shards " + s.rowShards() : "")
              + ", part "
              + Instant.ofEpochMilli(pr.from())
              + " .. "
              + Instant.ofEpochMilli(pr.through()));
      if (s.indexesSeries()) {
        for (IndexSchema.BucketEntries b :
            s.labelEntries(tenant, pr.from(), pr.through(), metric)) {
          out.println(
              "-- label entries, written once per series per bucket; dedupe key " + b.cacheKey());
          for (IndexEntry e : b.entries()) {
            print(out, ++n, e);
          }
        }
        out.println("-- series->chunk entries, written for every chunk");
        for (IndexEntry e :
            s.seriesChunkEntries(tenant, pr.from(), pr.through(), metric, chunkId)) {
          print(out, ++n, e);
        }
      } else {
        out.println("-- chunk entries, written for every chunk");
        for (IndexEntry e : s.chunkEntries(tenant, pr.from(), pr.through(), metric, chunkId)) {
          print(out, ++n, e);
        }
      }
      if (!noExtension) {
        out.println(
            "-- Theseus extension (metric names per tenant per bucket; Cortex never reads it)");
        for (IndexSchema.BucketEntries b :
            MetricNameIndex.entries(s, tenant, pr.from(), pr.through(), metric.metricName())) {
          for (IndexEntry e : b.entries()) {
            print(out, ++n, e);
          }
        }
      }
    }
    out.println();
    out.println("== chunk row");
    out.println("table        " + config.chunkTableFor(fromMs));
    out.println("hash         " + chunkId);
    out.println("range        \\0");
    out.println("range_hex    00");
    out.println(
        "value        <encoded chunk blob: length-prefixed snappy-framed JSON metadata + data>");
    out.flush();
  }

  private SchemaConfig config() {
    if ((schema == null) == (schemaConfig == null)) {
      throw new IllegalArgumentException(
          "give exactly one of --schema vN and --schema-config FILE");
    }
    if (schemaConfig != null) {
      return SchemaConfig.load(schemaConfig);
    }
    if (!PeriodConfig.VERSIONS.contains(schema)) {
      throw new IllegalArgumentException("--schema '" + schema + "' is not one of v1..v11");
    }
    long periodMs;
    try {
      periodMs = SchemaConfig.parseDurationMillis(period);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--period '" + period + "': " + e.getMessage());
    }
    int shards =
        rowShards != null ? rowShards : (schema.equals("v10") || schema.equals("v11") ? 16 : 0);
    return SchemaConfig.of(
        List.of(
            new PeriodConfig(
                LocalDate.EPOCH,
                "cassandra",
                "cassandra",
                schema,
                new PeriodicTableConfig(indexPrefix, periodMs),
                new PeriodicTableConfig(chunksPrefix, periodMs),
                shards)));
  }

  private static void print(PrintWriter out, int n, IndexEntry e) {
    HexFormat hex = HexFormat.of();
    out.println("[" + n + "]");
    out.println("table        " + e.table());
    out.println("hash         " + e.hash());
    out.println("range        " + readable(e.range()));
    out.println("range_hex    " + hex.formatHex(e.range()));
    out.println("value        " + (e.value() == null ? "null" : readable(e.value())));
    out.println("value_hex    " + (e.value() == null ? "null" : hex.formatHex(e.value())));
  }

  /**
   * Bytes as text: valid UTF-8 is printed as is except NUL as {@code \0}, other control characters
   * as {@code \xNN} and backslash as {@code \\}; invalid UTF-8 byte by byte.
   */
  static String readable(byte[] bytes) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      StringBuilder b = new StringBuilder();
      for (byte x : bytes) {
        int c = x & 0xFF;
        appendChar(b, c >= 0x80 ? -c : c);
      }
      return b.toString();
    }
    StringBuilder b = new StringBuilder();
    text.codePoints().forEach(c -> appendChar(b, c));
    return b.toString();
  }

  /** Appends one code point; a negative value is a raw non-UTF-8 byte. */
  private static void appendChar(StringBuilder b, int c) {
    if (c < 0) {
      b.append(String.format("\\x%02x", -c));
    } else if (c == 0) {
      b.append("\\0");
    } else if (c == '\\') {
      b.append("\\\\");
    } else if (c < 0x20 || c == 0x7f) {
      b.append(String.format("\\x%02x", c));
    } else {
      b.appendCodePoint(c);
    }
  }
}
