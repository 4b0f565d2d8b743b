package io.theseus.cli.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeriesModelTest {
  private static Workload workload(long seed, double churn, long jitterMs) {
    Workload.Builder b = new Workload.Builder();
    b.seed = seed;
    b.series = 400;
    b.labels = 7;
    b.valuesPerLabel = 5;
    b.familySize = 20;
    b.counterResetProbability = 0.05;
    b.churnPercent = churn;
    b.jitterMs = jitterMs;
    b.intervalMs = 10_000;
    b.gaugePrecision = 2;
    b.targets.add(new Target("t", "discard", null, null, null, null, 0));
    return b.build();
  }

  @Test
  void cursor_sameSeedSameSamples_otherSeedDiffers() {
    SeriesModel a = new SeriesModel(workload(5, 2, 900), 1_000_000);
    SeriesModel b = new SeriesModel(workload(5, 2, 900), 1_000_000);
    SeriesModel c = new SeriesModel(workload(6, 2, 900), 1_000_000);
    SeriesModel.Cursor ca = a.new Cursor();
    SeriesModel.Cursor cb = b.new Cursor();
    SeriesModel.Cursor cc = c.new Cursor();
    int differ = 0;
    for (long k = 0; k < 50; k++) {
      for (int s = 0; s < 400; s++) {
        double va = ca.next(s, k, a.gen(s, k));
        double vb = cb.next(s, k, b.gen(s, k));
        double vc = cc.next(s, k, c.gen(s, k));
        assertThat(Double.doubleToRawLongBits(va)).isEqualTo(Double.doubleToRawLongBits(vb));
        assertThat(a.ts(s, k)).isEqualTo(b.ts(s, k));
        if (va != vc) {
          differ++;
        }
      }
    }
    assertThat(differ).isGreaterThan(5000);
  }

  @Test
  void shapes_countersGaugesConstantsHistograms() {
    SeriesModel m = new SeriesModel(workload(9, 0, 0), 0);
    SeriesModel.Cursor cur = m.new Cursor();
    int n = 400;
    double[] prev = new double[n];
    int[] resets = new int[4];
    Set<Integer> typesSeen = new HashSet<>();
    for (long k = 0; k < 200; k++) {
      double[] now = new double[n];
      for (int s = 0; s < n; s++) {
        now[s] = cur.next(s, k, 0);
        int t = m.type(s);
        typesSeen.add(t);
        if (k > 0) {
          switch (t) {
            case SeriesModel.COUNTER -> {
              // strictly increasing, except right after a reset (restart from 0 + increment)
              if (now[s] <= prev[s]) {
                resets[0]++;
                assertThat(now[s]).isBetween(1.0, 100.0);
              }
            }
            case SeriesModel.GAUGE -> {
              assertThat(Math.abs(now[s] - prev[s])).isLessThanOrEqualTo(1.0 + 1e-9);
              assertThat(BigDecimal.valueOf(now[s]).stripTrailingZeros().scale()).isLessThanOrEqualTo(2);
            }
            case SeriesModel.CONSTANT -> assertThat(now[s]).isEqualTo(prev[s]);
            default -> assertThat(now[s]).isGreaterThan(prev[s]);
          }
        }
      }
      // histogram buckets of one instance are cumulative over le at every tick
      for (int s = 0; s + 1 < n; s++) {
        if (m.type(s) == SeriesModel.HISTOGRAM && m.family(s) == m.family(s + 1)) {
          int b = (s % 20) % 10;
          if (b < 9) {
            assertThat(now[s + 1]).isGreaterThanOrEqualTo(now[s]);
          }
        }
      }
      prev = now;
    }
    assertThat(typesSeen).containsExactlyInAnyOrder(0, 1, 2, 3);
    assertThat(resets[0]).isGreaterThan(0);
  }

  @Test
  void labels_sortedUniqueAndCounted() {
    SeriesModel m = new SeriesModel(workload(1, 0, 0), 0);
    Set<String> seen = new HashSet<>();
    for (int s = 0; s < 400; s++) {
      String[] l = m.labels(s, 0, -1);
      assertThat(l.length / 2).isEqualTo(7);
      for (int i = 2; i < l.length; i += 2) {
        assertThat(l[i].compareTo(l[i - 2])).isPositive();
      }
      assertThat(seen.add(String.join(",", l))).isTrue();
      if (m.type(s) == SeriesModel.HISTOGRAM) {
        assertThat(l).contains("le");
      }
    }
  }

  @Test
  void churn_replacesThePercentagePerTick_andTimestampsIncrease() {
    SeriesModel m = new SeriesModel(workload(1, 2, 9_999), 0);
    for (long k = 1; k < 100; k++) {
      int changed = 0;
      for (int s = 0; s < 400; s++) {
        if (m.gen(s, k) != m.gen(s, k - 1)) {
          changed++;
        }
        assertThat(m.ts(s, k)).isGreaterThan(m.ts(s, k - 1));
      }
      assertThat(changed).isEqualTo(8);
    }
  }
}
