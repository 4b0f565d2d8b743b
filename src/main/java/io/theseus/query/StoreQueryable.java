package io.theseus.query;

import io.theseus.model.Matcher;
import io.theseus.store.ChunkStore;
import io.theseus.store.StoredSeries;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Queryable} over the Cassandra {@link ChunkStore} for one tenant, so the PromQL engine
 * can evaluate over stored chunks. Series come back merged, de-duplicated by timestamp, trimmed to
 * [mint, maxt] and sorted by labels, as the contract requires. Store failures surface as {@link
 * io.theseus.store.ChunkStoreException}. Thread-safe (stateless besides its references).
 */
public final class StoreQueryable implements Queryable {
  private final ChunkStore store;
  private final String tenant;

  public StoreQueryable(ChunkStore store, String tenant) {
    if (store == null || tenant == null || tenant.isEmpty()) {
      throw new IllegalArgumentException("store queryable needs a chunk store and a tenant");
    }
    this.store = store;
    this.tenant = tenant;
  }

  @Override
  public SeriesSet select(long mint, long maxt, List<Matcher> matchers, Hints hints) {
    if (maxt < mint) {
      return SeriesSet.EMPTY;
    }
    List<StoredSeries> got = store.select(tenant, mint, maxt, matchers);
    List<Series> out = new ArrayList<>(got.size());
    for (StoredSeries s : got) {
      out.add(new Series(s.labels(), s.timestamps(), s.values(), s.size()));
    }
    return new SeriesSet(out, List.of());
  }
}
