package io.theseus.cli.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Scale;
import org.junit.jupiter.api.Test;

class RateProfileTest {
  /** Counts batches whose intended start (as TargetRun computes it) is within [0, t) of a fake clock. */
  private static long batchesStartedBy(RateProfile p, int batch, double t) {
    long g = 0;
    while (p.timeFor((double) g * batch) < t) {
      g++;
    }
    return g;
  }

  @Test
  void constant_scheduleMatchesTargetRate() {
    RateProfile p = RateProfile.constant(300_000);
    for (double t : new double[] {0.5, 1, 7.25, 30}) {
      long expected = (long) Math.ceil(300_000 * t / 2000);
      assertThat(batchesStartedBy(p, 2000, t)).isBetween(expected - 1, expected + 1);
    }
  }

  @Test
  void ramp_perSecondRateFollowsTheRamp() {
    RateProfile p = RateProfile.ramp(1000, 11_000, 10);
    for (int s = 0; s < 12; s++) {
      long inSecond = batchesStartedBy(p, 100, s + 1) - batchesStartedBy(p, 100, s);
      double want = (Math.min(1000 + 1000 * (s + 0.5), 11_000)) / 100;
      assertThat((double) inSecond).isCloseTo(want, org.assertj.core.data.Offset.offset(1.01));
    }
  }

  @Test
  void stepAndSpike_ratesPerSegment() {
    RateProfile step = new RateProfile(List.of(
        new RateProfile.Segment(1000, 1000, 2), new RateProfile.Segment(5000, 5000, 2)));
    assertThat(batchesStartedBy(step, 100, 2) - batchesStartedBy(step, 100, 1)).isBetween(9L, 11L);
    assertThat(batchesStartedBy(step, 100, 4) - batchesStartedBy(step, 100, 3)).isBetween(49L, 51L);
    assertThat(batchesStartedBy(step, 100, 10) - batchesStartedBy(step, 100, 9)).isBetween(49L, 51L);
    RateProfile spike = RateProfile.spike(1000, 4, 5, 2);
    assertThat(spike.rateAt(4.9)).isEqualTo(1000);
    assertThat(spike.rateAt(5.5)).isEqualTo(4000);
    assertThat(spike.rateAt(8)).isEqualTo(1000);
    assertThat(spike.samplesDue(10)).isCloseTo(1000 * 8 + 4000 * 2, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void zeroFinalRate_neverReachesBeyond() {
    RateProfile p = new RateProfile(List.of(new RateProfile.Segment(100, 0, 2)));
    assertThat(p.timeFor(100)).isEqualTo(2.0);
    assertThat(p.timeFor(101)).isInfinite();
    assertThatThrownBy(() -> new RateProfile(List.of(new RateProfile.Segment(-1, 1, 1))))
        .hasMessageContaining("bad segment");
  }

  @Property(tries = 300)
  void timeFor_invertsSamplesDue(
      @ForAll @DoubleRange(min = 0, max = 1e6) double from,
      @ForAll @DoubleRange(min = 1, max = 1e6) double to,
      @ForAll @DoubleRange(min = 0.001, max = 50) @Scale(4) double t) {
    RateProfile p = RateProfile.ramp(from, to, 10);
    double n = p.samplesDue(t);
    if (n > 1e-3) {
      assertThat(p.timeFor(n)).isCloseTo(t, org.assertj.core.data.Offset.offset(1e-6 * Math.max(1, t)));
    }
  }
}
