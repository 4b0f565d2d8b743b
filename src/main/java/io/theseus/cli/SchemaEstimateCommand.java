package io.theseus.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code theseus schema estimate}: disk per day, total disk and the largest partitions from series
 * count, scrape interval, retention, RF and chunk settings, before a cluster exists. A model, not
 * a measurement: every assumption is printed with the result.
 *
 * <p>Model (per replica, before Cassandra compression of index tables): chunk rows = samples ×
 * bytes/sample + 150 B per chunk (key, 0x00 range, row and cell overhead); a chunk closes after
 * {@code --chunk-samples} samples or 12 h (Cortex's max chunk age). Index (v9+): per series per
 * day {@code labels × 2 + 1} label rows of ~120 B, plus one series→chunk row of ~160 B per chunk.
 * The largest index partition is the metric-name row of a day: one ~100 B row per series of the
 * biggest metric, divided by {@code --row-shards} (v10/v11).
 */
@Command(
    name = "estimate",
    mixinStandardHelpOptions = true,
    description =
        "Estimate disk per day, total disk and largest partitions from series count, scrape"
            + " interval, retention, RF and chunk settings (no cluster needed).")
final class SchemaEstimateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--series", required = true, paramLabel = "N", description = "Active series.")
  long series;

  @Option(names = "--scrape-interval", paramLabel = "DURATION", description = "Default 15s.")
  String interval = "15s";

  @Option(names = "--retention", paramLabel = "DURATION", description = "Default 90d.")
  String retention = "90d";

  @Option(names = "--rf", paramLabel = "N", description = "Replication factor (default 3).")
  int rf = 3;

  @Option(
      names = "--bytes-per-sample",
      paramLabel = "B",
      description = "Compressed bytes per sample in chunks (default 1.4, Gorilla-like varbit).")
  double bytesPerSample = 1.4;

  @Option(
      names = "--chunk-samples",
      paramLabel = "N",
      description = "Samples per full chunk (default 700, about 1 KiB at 1.4 B/sample).")
  int chunkSamples = 700;

  @Option(names = "--labels", paramLabel = "N", description = "Labels per series (default 8).")
  int labels = 8;

  @Option(
      names = "--largest-metric-series",
      paramLabel = "N",
      description = "Series of the biggest metric (default: 10% of --series).")
  Long largestMetric;

  @Option(names = "--row-shards", paramLabel = "N", description = "v10/v11 row shards (default 1).")
  int rowShards = 1;

  @Override
  public Integer call() {
    if (series <= 0 || rf <= 0 || chunkSamples <= 0 || labels < 0 || rowShards <= 0
        || bytesPerSample <= 0) {
      throw new IllegalArgumentException(
          "--series, --rf, --chunk-samples, --row-shards and --bytes-per-sample must be > 0");
    }
    Duration step = SchemaTablesCommand.duration(interval, "--scrape-interval");
    Duration keep = SchemaTablesCommand.duration(retention, "--retention");
    if (step.isZero() || keep.isZero()) {
      throw new IllegalArgumentException("--scrape-interval and --retention must be > 0");
    }
    double samplesPerSeriesDay = 86_400.0 / step.toSeconds();
    double chunksPerSeriesDay =
        Math.max(samplesPerSeriesDay / chunkSamples, 2.0); // 12 h max chunk age
    double chunkBytesDay = series * (samplesPerSeriesDay * bytesPerSample + chunksPerSeriesDay * 150);
    double indexBytesDay = series * ((labels * 2 + 1) * 120.0 + chunksPerSeriesDay * 160);
    double perDay = (chunkBytesDay + indexBytesDay) * rf;
    double days = keep.toSeconds() / 86_400.0;
    long biggest = largestMetric != null ? largestMetric : Math.max(1, series / 10);
    double metricRow = biggest * 100.0 / rowShards;
    double seriesChunkRow = chunksPerSeriesDay * 160;
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "samples/day           %,.0f%n", series * samplesPerSeriesDay);
    out.printf(Locale.ROOT, "chunks/day            %,.0f (%.1f per series)%n", series * chunksPerSeriesDay, chunksPerSeriesDay);
    out.printf(Locale.ROOT, "chunk data/day        %s per replica%n", bytes(chunkBytesDay));
    out.printf(Locale.ROOT, "index data/day        %s per replica%n", bytes(indexBytesDay));
    out.printf(Locale.ROOT, "disk/day (RF %d)       %s%n", rf, bytes(perDay));
    out.printf(Locale.ROOT, "disk for %s          %s (+ compaction headroom: plan 2x for LCS/TWCS)%n", retention, bytes(perDay * days));
    out.printf(Locale.ROOT, "bytes/sample on disk  %.2f (all replicas)%n", perDay / (series * samplesPerSeriesDay));
    out.printf(Locale.ROOT, "largest index row     %s (metric-name row of a day, %,d series / %d shards)%n", bytes(metricRow), biggest, rowShards);
    out.printf(Locale.ROOT, "series->chunk row     %s per series per day%n", bytes(seriesChunkRow));
    out.printf(Locale.ROOT, "chunk partition       %s (one chunk each)%n", bytes(chunkSamples * bytesPerSample + 150));
    if (metricRow > 100e6) {
      out.printf(
          Locale.ROOT,
          "WARNING: the metric-name row of a day exceeds 100 MB; use schema v10/v11 with --row-shards %d or more%n",
          (int) Math.ceil(biggest * 100.0 / 100e6));
    }
    out.println("assumptions: " + bytesPerSample + " B/sample, " + chunkSamples + " samples or 12 h per chunk, "
        + labels + " labels/series, ~120 B per label index row, ~160 B per series->chunk row, no TTL");
    out.flush();
    return 0;
  }

  private static String bytes(double b) {
    String[] u = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int i = 0;
    while (b >= 1024 && i < u.length - 1) {
      b /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %s", b, u[i]);
  }
}
