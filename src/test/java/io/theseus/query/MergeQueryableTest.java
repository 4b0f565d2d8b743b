package io.theseus.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MergeQueryableTest {
  static final List<Matcher> ALL = List.of(Matcher.of(Matcher.Type.RE, "__name__", ".+"));

  @Test
  void select_overlappingSources_dedupByTimestampFirstWins() {
    MemoryQueryable head = new MemoryQueryable();
    MemoryQueryable store = new MemoryQueryable();
    Labels l = Labels.of("__name__", "m");
    head.append(l, 20, 2.5);
    head.append(l, 30, 3);
    store.append(l, 10, 1);
    store.append(l, 20, 99);
    store.append(Labels.of("__name__", "a"), 5, 5);
    SeriesSet s =
        new MergeQueryable(List.of(head, store)).select(0, 100, ALL, Queryable.Hints.NONE);
    assertThat(s.series())
        .extracting(Series::labels)
        .containsExactly(Labels.of("__name__", "a"), l);
    Series m = s.series().get(1);
    assertThat(m.size()).isEqualTo(3);
    assertThat(java.util.Arrays.copyOf(m.timestamps(), 3)).containsExactly(10, 20, 30);
    assertThat(java.util.Arrays.copyOf(m.values(), 3)).containsExactly(1, 2.5, 3);
  }

  @Test
  void select_keepsWarningsOfAllSources() {
    Queryable warn = (a, b, c, d) -> new SeriesSet(List.of(), List.of("peer x did not answer"));
    SeriesSet s =
        new MergeQueryable(List.of(new MemoryQueryable(), warn, warn))
            .select(0, 1, ALL, Queryable.Hints.NONE);
    assertThat(s.warnings()).containsExactly("peer x did not answer");
  }

  /** The merge is the set union of timestamps, sorted, each series once, values from the first. */
  @Property(tries = 200)
  void merge_isSortedUnion(
      @ForAll @Size(max = 40) Set<@IntRange(min = 0, max = 100) Integer> a,
      @ForAll @Size(max = 40) Set<@IntRange(min = 0, max = 100) Integer> b,
      @ForAll @Size(max = 40) Set<@IntRange(min = 0, max = 100) Integer> c) {
    List<Set<Integer>> sets = List.of(a, b, c);
    TreeMap<Long, Double> want = new TreeMap<>();
    MemoryQueryable[] srcs = new MemoryQueryable[3];
    for (int k = 0; k < 3; k++) {
      srcs[k] = new MemoryQueryable();
      for (int t : sets.get(k)) {
        srcs[k].append(Labels.of("__name__", "m"), t, k * 1000 + t);
        want.putIfAbsent((long) t, (double) (k * 1000 + t));
      }
    }
    SeriesSet s = new MergeQueryable(List.of(srcs)).select(0, 100, ALL, Queryable.Hints.NONE);
    if (want.isEmpty()) {
      assertThat(s.series()).isEmpty();
      return;
    }
    assertThat(s.series()).hasSize(1);
    Series m = s.series().get(0);
    assertThat(m.size()).isEqualTo(want.size());
    int i = 0;
    for (var e : want.entrySet()) {
      assertThat(m.timestamps()[i]).isEqualTo(e.getKey());
      assertThat(m.values()[i]).isEqualTo(e.getValue());
      i++;
    }
  }

  /**
   * Each source waits until every source has started: only a merge that starts them all at once
   * finishes (a sequential one would hit the deadline in the first source's wait).
   */
  @Test
  void select_withExecutor_startsAllSourcesAtOnce_sameMergeAsSequential() throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();
    try {
      java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(3);
      MemoryQueryable[] mem = new MemoryQueryable[3];
      List<Queryable> srcs = new java.util.ArrayList<>();
      for (int k = 0; k < 3; k++) {
        mem[k] = new MemoryQueryable();
        mem[k].append(Labels.of("__name__", "m"), 10, k);
        mem[k].append(Labels.of("__name__", "m"), 20 + k, k);
        mem[k].append(Labels.of("__name__", "s" + k), 1, k);
        MemoryQueryable m = mem[k];
        String warning = "w" + (2 - k);
        srcs.add(
            (a, b, c, d) -> {
              started.countDown();
              try {
                if (!started.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                  throw new IllegalStateException("sources did not run concurrently");
                }
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
              return new SeriesSet(m.select(a, b, c, d).series(), List.of(warning));
            });
      }
      SeriesSet got =
          new MergeQueryable(srcs, pool, System.nanoTime() + 60_000_000_000L)
              .select(0, 100, ALL, Queryable.Hints.NONE);
      SeriesSet want =
          new MergeQueryable(List.of(mem[0], mem[1], mem[2]))
              .select(0, 100, ALL, Queryable.Hints.NONE);
      assertThat(got.series()).hasSameSizeAs(want.series());
      for (int i = 0; i < want.series().size(); i++) {
        Series g = got.series().get(i);
        Series w = want.series().get(i);
        assertThat(g.labels()).isEqualTo(w.labels());
        assertThat(java.util.Arrays.copyOf(g.timestamps(), g.size()))
            .containsExactly(java.util.Arrays.copyOf(w.timestamps(), w.size()));
        assertThat(java.util.Arrays.copyOf(g.values(), g.size()))
            .containsExactly(java.util.Arrays.copyOf(w.values(), w.size()));
      }
      // Warnings in source order, whatever order the sources finished in.
      assertThat(got.warnings()).containsExactly("w2", "w1", "w0");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void select_withExecutor_sourceNeverAnswers_timesOutAtDeadline() {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();
    java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
    try {
      Queryable stuck =
          (a, b, c, d) -> {
            try {
              never.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return SeriesSet.EMPTY;
          };
      MergeQueryable m =
          new MergeQueryable(
              List.of(new MemoryQueryable(), stuck), pool, System.nanoTime() + 50_000_000L);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> m.select(0, 1, ALL, Queryable.Hints.NONE))
          .isInstanceOf(MergeQueryable.QueryTimeoutException.class);
    } finally {
      never.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void select_withExecutor_failingSource_failsTheSelect() {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newCachedThreadPool();
    try {
      Queryable broken =
          (a, b, c, d) -> {
            throw new IllegalStateException("cassandra down");
          };
      MergeQueryable m =
          new MergeQueryable(
              List.of(new MemoryQueryable(), broken), pool, System.nanoTime() + 10_000_000_000L);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> m.select(0, 1, ALL, Queryable.Hints.NONE))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("cassandra down");
    } finally {
      pool.shutdownNow();
    }
  }
}
