package io.theseus.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.store.CassandraExtension;
import io.theseus.store.CassandraExtension.CassandraKeyspace;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two tracker instances (two Theseus instances) agree through Cassandra's LWTs. */
@ExtendWith(CassandraExtension.class)
class HaTrackerTest {
  @Test
  void check_firstReplicaElected_otherDropped_failoverAfter30s(CassandraKeyspace ks) {
    AtomicLong clock = new AtomicLong(1_000_000);
    HaTracker a = new HaTracker(ks.session(), ks.name(), clock::get);
    HaTracker b = new HaTracker(ks.session(), ks.name(), clock::get);
    assertThat(a.check("t", "c1", "r1").accept()).isTrue();
    assertThat(b.check("t", "c1", "r2")).isEqualTo(new HaTracker.Decision(false, "r1"));
    assertThat(a.check("t", "c1", "r2").accept()).isFalse();
    assertThat(b.check("t", "c1", "r1").accept()).isTrue();
    // Another tenant or cluster is independent.
    assertThat(b.check("t", "c2", "r2").accept()).isTrue();
    assertThat(a.check("u", "c1", "r2").accept()).isTrue();
    // r1 keeps refreshing through instance a: no failover.
    clock.addAndGet(20_000);
    assertThat(a.check("t", "c1", "r1").accept()).isTrue();
    clock.addAndGet(20_000);
    assertThat(b.check("t", "c1", "r2").accept()).isFalse();
    // r1 silent for more than 30 s: r2 takes over on instance b, and a agrees.
    clock.addAndGet(31_000);
    assertThat(b.check("t", "c1", "r2").accept()).isTrue();
    assertThat(a.check("t", "c1", "r1").accept()).isFalse();
    assertThat(a.check("t", "c1", "r2").accept()).isTrue();
  }
}
