package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ChunkCacheTest {
  @Test
  void put_overCapacity_evictsLeastRecentlyUsed() {
    ChunkCache c = new ChunkCache(8 * ChunkCache.cost("k0", new byte[100]));
    for (int i = 0; i < 8; i++) {
      c.put("k" + i, new byte[100]);
    }
    assertThat(c.size()).isEqualTo(8);
    assertThat(c.get("k0")).isNotNull(); // k0 becomes most recent
    c.put("k8", new byte[100]);
    assertThat(c.get("k1")).isNull();
    assertThat(c.get("k0")).isNotNull();
    assertThat(c.evictions()).isEqualTo(1);
    assertThat(c.hits()).isEqualTo(2);
    assertThat(c.misses()).isEqualTo(1);
  }

  @Test
  void put_hugeValue_isNotCached() {
    ChunkCache c = new ChunkCache(8000);
    c.put("big", new byte[1001]);
    assertThat(c.get("big")).isNull();
    assertThat(c.bytes()).isZero();
  }

  /** Never over capacity; a present key always maps to its last value; accounting is exact. */
  @Property(tries = 300)
  void anyPuts_boundedAndConsistent(
      @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 30) Integer> keys,
      @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 400) Integer> sizes,
      @ForAll @IntRange(min = 0, max = 20_000) int capacity) {
    ChunkCache c = new ChunkCache(capacity);
    Map<String, byte[]> last = new HashMap<>();
    for (int i = 0; i < Math.min(keys.size(), sizes.size()); i++) {
      String k = "key" + keys.get(i);
      byte[] v = new byte[sizes.get(i)];
      if (v.length > 0) {
        v[0] = (byte) i;
      }
      c.put(k, v);
      last.put(k, v);
      assertThat(c.bytes()).isLessThanOrEqualTo(capacity);
    }
    long sum = 0;
    for (Map.Entry<String, byte[]> e : last.entrySet()) {
      byte[] got = c.get(e.getKey());
      if (got != null) {
        assertThat(got).isSameAs(e.getValue());
        sum += ChunkCache.cost(e.getKey(), got);
      }
    }
    assertThat(c.bytes()).isEqualTo(sum);
  }
}
