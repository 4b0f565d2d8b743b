package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.schema.IndexQuery;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class IndexCacheTest {
  static List<RowStore.StoredRow> rows(int n, int tag) {
    List<RowStore.StoredRow> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new RowStore.StoredRow(new byte[] {(byte) tag, (byte) i}, new byte[] {1}));
    }
    return out;
  }

  @Test
  void get_equalQuery_hitsEvenWithOtherArrayInstances() {
    IndexCache c = new IndexCache(1 << 20);
    c.put(new IndexQuery("t", "h", new byte[] {1, 2}, null, null), rows(3, 0));
    assertThat(c.get(new IndexQuery("t", "h", new byte[] {1, 2}, null, null))).hasSize(3);
    assertThat(c.get(new IndexQuery("t", "h", new byte[] {1, 3}, null, null))).isNull();
    assertThat(c.hits()).isEqualTo(1);
    assertThat(c.misses()).isEqualTo(1);
  }

  /** Never over capacity; a present query maps to its last rows; accounting is exact. */
  @Property(tries = 200)
  void anyPuts_boundedAndConsistent(
      @ForAll @Size(max = 150) List<@IntRange(min = 0, max = 25) Integer> keys,
      @ForAll @Size(max = 150) List<@IntRange(min = 0, max = 40) Integer> sizes,
      @ForAll @IntRange(min = 0, max = 40_000) int capacity) {
    IndexCache c = new IndexCache(capacity);
    Map<IndexQuery, List<RowStore.StoredRow>> last = new HashMap<>();
    for (int i = 0; i < Math.min(keys.size(), sizes.size()); i++) {
      IndexQuery q = IndexQuery.wholeRow("tbl", "hash" + keys.get(i));
      List<RowStore.StoredRow> v = rows(sizes.get(i), i);
      c.put(q, v);
      last.put(q, v);
      assertThat(c.bytes()).isLessThanOrEqualTo(capacity);
    }
    long sum = 0;
    for (Map.Entry<IndexQuery, List<RowStore.StoredRow>> e : last.entrySet()) {
      List<RowStore.StoredRow> got = c.get(e.getKey());
      if (got != null) {
        assertThat(got).isEqualTo(e.getValue());
        sum += IndexCache.cost(e.getKey(), got);
      }
    }
    assertThat(c.bytes()).isEqualTo(sum);
  }
}
