package io.theseus.server;

import io.theseus.ingest.HeadReader;
import io.theseus.model.Matcher;
import io.theseus.query.Queryable;
import io.theseus.query.Series;
import io.theseus.query.SeriesSet;
import java.util.ArrayList;
import java.util.List;

/**
 * One tenant's view of this instance's ingester head (unflushed and retained samples) as a {@link
 * Queryable}. Immutable; thread-safe as the ingester is.
 */
final class HeadQueryable implements Queryable {
  private final HeadReader head;
  private final String tenant;

  HeadQueryable(HeadReader head, String tenant) {
    this.head = head;
    this.tenant = tenant;
  }

  @Override
  public SeriesSet select(long mint, long maxt, List<Matcher> matchers, Hints hints) {
    List<io.theseus.ingest.HeadSeries> in = head.select(tenant, matchers, mint, maxt);
    List<Series> out = new ArrayList<>(in.size());
    for (io.theseus.ingest.HeadSeries s : in) {
      out.add(new Series(s.labels(), s.timestamps(), s.values(), s.timestamps().length));
    }
    return new SeriesSet(out, List.of());
  }
}
