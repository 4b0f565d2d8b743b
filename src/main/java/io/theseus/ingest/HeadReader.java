package io.theseus.ingest;

import io.theseus.model.Matcher;
import java.util.List;
import java.util.Map;

/**
 * Read-only view of an {@link Ingester}'s head for the query side: select, metadata and the tenant
 * resolver the write path uses. Thread-safe as the ingester is.
 */
public final class HeadReader {
  private final Ingester ingester;

  public HeadReader(Ingester ingester) {
    this.ingester = ingester;
  }

  /** Series of {@code tenant} matching all matchers with samples in [from, through]. */
  public List<HeadSeries> select(String tenant, List<Matcher> matchers, long from, long through) {
    return ingester.select(tenant, matchers, from, through);
  }

  /** Metadata of {@code tenant} by metric name. */
  public Map<String, MetricMetadata> metadata(String tenant) {
    return ingester.metadata(tenant);
  }

  /** The tenant resolver the write path uses (so reads resolve tenants identically). */
  public Tenants tenants() {
    return ingester.options().tenants();
  }
}
