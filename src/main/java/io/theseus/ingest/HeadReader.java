package io.theseus.ingest;

import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Read-only public view of an {@link Ingester}'s head for the query side (the head's own records
 * are package-private). Returns copies; thread-safe as the ingester is.
 */
public final class HeadReader {
  /** One head series with its samples in the asked range, sorted by time, stale markers kept. */
  public record HeadSeries(Labels labels, long[] timestamps, double[] values) {}

  /** Metric metadata as {@code /api/v1/metadata} shows it. */
  public record MetricMetadata(String type, String help, String unit) {}

  private final Ingester ingester;

  public HeadReader(Ingester ingester) {
    this.ingester = ingester;
  }

  /** Series of {@code tenant} matching all matchers with samples in [from, through]. */
  public List<HeadSeries> select(String tenant, List<Matcher> matchers, long from, long through) {
    List<io.theseus.ingest.HeadSeries> in = ingester.select(tenant, matchers, from, through);
    List<HeadSeries> out = new ArrayList<>(in.size());
    for (io.theseus.ingest.HeadSeries s : in) {
      out.add(new HeadSeries(s.labels(), s.timestamps(), s.values()));
    }
    return out;
  }

  /** Metadata of {@code tenant} by metric name. */
  public Map<String, MetricMetadata> metadata(String tenant) {
    Map<String, MetricMetadata> out = new LinkedHashMap<>();
    ingester
        .metadata(tenant)
        .forEach((k, v) -> out.put(k, new MetricMetadata(v.type(), v.help(), v.unit())));
    return out;
  }

  /** The tenant resolver the write path uses (so reads resolve tenants identically). */
  public Tenants tenants() {
    return ingester.options().tenants();
  }
}
