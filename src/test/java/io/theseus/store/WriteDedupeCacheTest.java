package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WriteDedupeCacheTest {
  @Test
  void add_overCapacity_evictsLeastRecentlyUsed() {
    WriteDedupeCache c = new WriteDedupeCache(2);
    c.add("a");
    c.add("b");
    assertThat(c.contains("a")).isTrue(); // a is now more recent than b
    c.add("c");
    assertThat(c.contains("a")).isTrue();
    assertThat(c.contains("b")).isFalse();
    assertThat(c.contains("c")).isTrue();
    assertThat(c.size()).isEqualTo(2);
  }

  @Test
  void zeroCapacity_remembersNothing() {
    WriteDedupeCache c = new WriteDedupeCache(0);
    c.add("a");
    assertThat(c.contains("a")).isFalse();
  }
}
