package io.theseus.query.promql;

import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import io.theseus.query.Series;
import io.theseus.query.SeriesSet;
import io.theseus.query.promql.Ast.AtKind;
import io.theseus.query.promql.Ast.Expr;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * Functions taking a range vector ({@code rate}, {@code *_over_time}, ...), evaluated one series at
 * a time over closed windows {@code [ref-range, ref]} with staleness markers removed, as in
 * Prometheus 2.42. The window buffers are reused across steps and series.
 */
final class RangeFunctions {
  private RangeFunctions() {}

  static List<Ser> eval(Evaluator ev, Ast.Call c, int matrixArg) {
    String name = c.func().name();
    Expr arg = Ast.unparen(c.args().get(matrixArg));
    // Scalar arguments: one value per step.
    double[][] scalars = new double[c.args().size()][];
    for (int i = 0; i < c.args().size(); i++) {
      if (i != matrixArg) {
        List<Ser> m = ev.matrix(c.args().get(i));
        scalars[i] = m.isEmpty() ? new double[ev.steps] : m.get(0).v;
      }
    }
    long range;
    long offset;
    AtKind atKind;
    long at;
    List<long[]> ts = new ArrayList<>();
    List<double[]> vs = new ArrayList<>();
    List<Integer> ns = new ArrayList<>();
    List<Labels> labels = new ArrayList<>();
    List<Matcher> matchers = List.of();
    if (arg instanceof Ast.MatrixSelector ms) {
      Ast.VectorSelector sel = ms.vs();
      range = ms.range();
      offset = sel.offset;
      atKind = sel.atKind;
      at = sel.at;
      matchers = sel.matchers;
      long lo = ev.refTime(ev.start, offset, atKind, at) - range;
      long hi = ev.refTime(ev.end, offset, atKind, at);
      SeriesSet set = ev.select(sel, lo, hi, range, name);
      for (Series s : set.series()) {
        labels.add(s.labels());
        ts.add(s.timestamps());
        vs.add(s.values());
        ns.add(s.size());
      }
    } else if (arg instanceof Ast.Subquery sq) {
      range = sq.range;
      offset = sq.offset;
      atKind = sq.atKind;
      at = sq.at;
      for (Ser s : ev.evalSubquery(sq, sq.atKind != AtKind.NONE && !Evaluator.stepInvariant(c))) {
        labels.add(s.labels);
        ts.add(s.t);
        vs.add(s.v);
        ns.add(s.n);
      }
    } else {
      throw new IllegalStateException("range function argument " + arg);
    }
    boolean dropName = !name.equals("last_over_time");
    // The commonest functions are resolved once here, not by a string switch per step.
    int kind =
        switch (name) {
          case "rate" -> RATE;
          case "increase" -> INCREASE;
          case "delta" -> DELTA;
          default -> OTHER;
        };
    // Prometheus 2.42 rewrites @ into an offset relative to the evaluation start; outside
    // step-invariant evaluation that window then moves with the step.
    boolean moving = atKind != AtKind.NONE && !Evaluator.stepInvariant(c);
    // Storage is read only for the @ window itself, so a moving window is clipped to it.
    long clipHi = Long.MAX_VALUE;
    long clipLo = Long.MIN_VALUE;
    if (moving && arg instanceof Ast.MatrixSelector) {
      clipHi = ev.refTime(ev.start, offset, atKind, at);
      clipLo = clipHi - range;
    }
    long[] wt = new long[16];
    double[] wv = new double[16];
    List<Ser> out = new ArrayList<>();
    double[] sc = new double[c.args().size()];
    for (int si = 0; si < labels.size(); si++) {
      long[] st = ts.get(si);
      double[] sv = vs.get(si);
      int n = ns.get(si);
      // Stale markers never enter a window: drop them once per series (copy only if present).
      for (int i = 0; i < n; i++) {
        if (Series.isStale(sv[i])) {
          long[] ft = new long[n];
          double[] fv = new double[n];
          int fn = 0;
          for (int j = 0; j < n; j++) {
            if (!Series.isStale(sv[j])) {
              ft[fn] = st[j];
              fv[fn++] = sv[j];
            }
          }
          st = ft;
          sv = fv;
          n = fn;
          break;
        }
      }
      Labels l = labels.get(si);
      Ser o = new Ser(dropName ? l.without(Labels.METRIC_NAME) : l, ev.steps == 1 ? 1 : 16);
      // Both window bounds only move forward with the step (the reference time is the step time
      // or a constant @ time, plus the step for moving windows), so the window [lo, hi) slides.
      int lo = 0;
      int hi = 0;
      for (int k = 0; k < ev.steps; k++) {
        long t = ev.ts(k);
        long maxt = ev.refTime(t, offset, atKind, at) + (moving ? t - ev.start : 0);
        long mint = maxt - range;
        long loT = Math.max(mint, clipLo);
        long hiT = Math.min(maxt, clipHi);
        while (lo < n && st[lo] < loT) {
          lo++;
        }
        if (hi < lo) {
          hi = lo;
        }
        while (hi < n && st[hi] <= hiT) {
          hi++;
        }
        int wn = hi - lo;
        if (wn <= 0) {
          continue;
        }
        if (wn > wt.length) {
          wt = new long[Math.max(wn, wt.length * 2)];
          wv = new double[wt.length];
        }
        System.arraycopy(st, lo, wt, 0, wn);
        System.arraycopy(sv, lo, wv, 0, wn);
        for (int i = 0; i < sc.length; i++) {
          if (scalars[i] != null) {
            sc[i] = scalars[i][k];
          }
        }
        double r =
            switch (kind) {
              case RATE -> extrapolatedRate(wt, wv, wn, mint, maxt, range, true, true);
              case INCREASE -> extrapolatedRate(wt, wv, wn, mint, maxt, range, true, false);
              case DELTA -> extrapolatedRate(wt, wv, wn, mint, maxt, range, false, false);
              default -> compute(name, wt, wv, wn, mint, maxt, range, sc, t);
            };
        if (!NONE_MARK(r)) {
          o.add(t, r);
        }
      }
      if (o.n > 0) {
        out.add(o);
      }
    }
    if (name.equals("absent_over_time")) {
      for (Ser s : out) {
        if (s.n == ev.steps) {
          return List.of();
        }
      }
      HashSet<Long> found = new HashSet<>();
      for (Ser s : out) {
        for (int i = 0; i < s.n; i++) {
          found.add(s.t[i]);
        }
      }
      Ser res = new Ser(absentLabels(matchers), ev.steps);
      for (int k = 0; k < ev.steps; k++) {
        if (!found.contains(ev.ts(k))) {
          res.add(ev.ts(k), 1);
        }
      }
      return res.n == 0 ? List.of() : List.of(res);
    }
    Evaluator.checkDistinct(out);
    return out;
  }

  private static final int OTHER = 0;
  private static final int RATE = 1;
  private static final int INCREASE = 2;
  private static final int DELTA = 3;

  /** Marker for "no output at this step": a NaN with a payload no computation produces. */
  private static final long NONE_BITS = 0x7ff8dead0000beefL;

  private static final double NONE = Double.longBitsToDouble(NONE_BITS);

  @SuppressWarnings("checkstyle:MethodName")
  private static boolean NONE_MARK(double v) {
    return Double.doubleToRawLongBits(v) == NONE_BITS;
  }

  static Labels absentLabels(List<Matcher> matchers) {
    java.util.TreeMap<String, String> m = new java.util.TreeMap<>();
    HashSet<String> has = new HashSet<>();
    for (Matcher ma : matchers) {
      if (ma.name().equals(Labels.METRIC_NAME)) {
        continue;
      }
      if (ma.type() == Matcher.Type.EQ && !has.contains(ma.name())) {
        m.put(ma.name(), ma.value());
        has.add(ma.name());
      } else {
        m.remove(ma.name());
      }
    }
    return Labels.of(m);
  }

  private static double compute(
      String name,
      long[] t,
      double[] v,
      int n,
      long mint,
      long maxt,
      long range,
      double[] sc,
      long evalTs) {
    switch (name) {
      case "rate":
        return extrapolatedRate(t, v, n, mint, maxt, range, true, true);
      case "increase":
        return extrapolatedRate(t, v, n, mint, maxt, range, true, false);
      case "delta":
        return extrapolatedRate(t, v, n, mint, maxt, range, false, false);
      case "irate":
      case "idelta":
        {
          if (n < 2) {
            return NONE;
          }
          double last = v[n - 1];
          double prev = v[n - 2];
          double res = last - prev;
          if (name.equals("irate")) {
            if (last < prev) {
              res = last;
            }
            long dt = t[n - 1] - t[n - 2];
            if (dt == 0) {
              return NONE;
            }
            res = res / (dt / 1000.0);
          }
          return res;
        }
      case "avg_over_time":
        {
          double mean = 0;
          double c = 0;
          double count = 0;
          for (int i = 0; i < n; i++) {
            count++;
            if (Double.isInfinite(mean)) {
              if (Double.isInfinite(v[i]) && (mean > 0) == (v[i] > 0)) {
                continue;
              }
              if (!Double.isInfinite(v[i]) && !Double.isNaN(v[i])) {
                continue;
              }
            }
            double inc = v[i] / count - mean / count;
            double t1 = mean + inc;
            c += Math.abs(mean) >= Math.abs(inc) ? (mean - t1) + inc : (inc - t1) + mean;
            mean = t1;
          }
          return Double.isInfinite(mean) ? mean : mean + c;
        }
      case "count_over_time":
        return n;
      case "sum_over_time":
        {
          double sum = 0;
          double c = 0;
          for (int i = 0; i < n; i++) {
            double t1 = sum + v[i];
            c += Math.abs(sum) >= Math.abs(v[i]) ? (sum - t1) + v[i] : (v[i] - t1) + sum;
            sum = t1;
          }
          return Double.isInfinite(sum) ? sum : sum + c;
        }
      case "max_over_time":
        {
          double m = v[0];
          for (int i = 0; i < n; i++) {
            if (v[i] > m || Double.isNaN(m)) {
              m = v[i];
            }
          }
          return m;
        }
      case "min_over_time":
        {
          double m = v[0];
          for (int i = 0; i < n; i++) {
            if (v[i] < m || Double.isNaN(m)) {
              m = v[i];
            }
          }
          return m;
        }
      case "last_over_time":
        return v[n - 1];
      case "present_over_time":
      case "absent_over_time":
        return 1;
      case "quantile_over_time":
        return Aggregation.quantile(sc[0], v, n);
      case "stddev_over_time":
      case "stdvar_over_time":
        {
          double count = 0;
          double mean = 0;
          double cMean = 0;
          double aux = 0;
          double cAux = 0;
          for (int i = 0; i < n; i++) {
            count++;
            double delta = v[i] - (mean + cMean);
            double inc = delta / count;
            double t1 = mean + inc;
            cMean += Math.abs(mean) >= Math.abs(inc) ? (mean - t1) + inc : (inc - t1) + mean;
            mean = t1;
            inc = delta * (v[i] - (mean + cMean));
            double t2 = aux + inc;
            cAux += Math.abs(aux) >= Math.abs(inc) ? (aux - t2) + inc : (inc - t2) + aux;
            aux = t2;
          }
          double var = (aux + cAux) / count;
          return name.equals("stddev_over_time") ? Math.sqrt(var) : var;
        }
      case "changes":
        {
          int changes = 0;
          double prev = v[0];
          for (int i = 1; i < n; i++) {
            double cur = v[i];
            if (cur != prev && !(Double.isNaN(cur) && Double.isNaN(prev))) {
              changes++;
            }
            prev = cur;
          }
          return changes;
        }
      case "resets":
        {
          int resets = 0;
          double prev = v[0];
          for (int i = 1; i < n; i++) {
            double cur = v[i];
            if (cur < prev) {
              resets++;
            }
            prev = cur;
          }
          return resets;
        }
      case "deriv":
        {
          if (n < 2) {
            return NONE;
          }
          return linearRegression(t, v, n, t[0])[0];
        }
      case "predict_linear":
        {
          if (n < 2) {
            return NONE;
          }
          double[] r = linearRegression(t, v, n, evalTs);
          return r[0] * sc[1] + r[1];
        }
      case "holt_winters":
        {
          double sf = sc[1];
          double tf = sc[2];
          if (sf <= 0 || sf >= 1) {
            throw Evaluator.err(
                "invalid smoothing factor. Expected: 0 < sf < 1, got: " + String.format("%f", sf));
          }
          if (tf <= 0 || tf >= 1) {
            throw Evaluator.err(
                "invalid trend factor. Expected: 0 < tf < 1, got: " + String.format("%f", tf));
          }
          if (n < 2) {
            return NONE;
          }
          double s0 = 0;
          double s1 = v[0];
          double b = v[1] - v[0];
          for (int i = 1; i < n; i++) {
            double x = sf * v[i];
            if (i - 1 > 0) {
              b = tf * (s1 - s0) + (1 - tf) * b;
            }
            double y = (1 - sf) * (s1 + b);
            s0 = s1;
            s1 = x + y;
          }
          return s1;
        }
      default:
        throw new IllegalStateException("unknown range function " + name);
    }
  }

  private static double[] linearRegression(long[] t, double[] v, int n, long interceptTime) {
    double sumX = 0;
    double sumY = 0;
    double sumXY = 0;
    double sumX2 = 0;
    double initY = v[0];
    boolean constY = true;
    for (int i = 0; i < n; i++) {
      if (constY && i > 0 && v[i] != initY) {
        constY = false;
      }
      double x = (t[i] - interceptTime) / 1e3;
      sumX += x;
      sumY += v[i];
      sumXY += x * v[i];
      sumX2 += x * x;
    }
    if (constY) {
      if (Double.isInfinite(initY)) {
        return new double[] {Double.NaN, Double.NaN};
      }
      return new double[] {0, initY};
    }
    double cn = n;
    double covXY = sumXY - sumX * sumY / cn;
    double varX = sumX2 - sumX * sumX / cn;
    double slope = covXY / varX;
    double intercept = sumY / cn - slope * sumX / cn;
    return new double[] {slope, intercept};
  }

  private static double extrapolatedRate(
      long[] t,
      double[] v,
      int n,
      long rangeStart,
      long rangeEnd,
      long range,
      boolean isCounter,
      boolean isRate) {
    if (n < 2) {
      return NONE;
    }
    double result = v[n - 1] - v[0];
    if (isCounter) {
      double last = 0;
      for (int i = 0; i < n; i++) {
        if (v[i] < last) {
          result += last;
        }
        last = v[i];
      }
    }
    double durationToStart = (t[0] - rangeStart) / 1000.0;
    double durationToEnd = (rangeEnd - t[n - 1]) / 1000.0;
    double sampledInterval = (t[n - 1] - t[0]) / 1000.0;
    double avgBetween = sampledInterval / (n - 1);
    if (isCounter && result > 0 && v[0] >= 0) {
      double durationToZero = sampledInterval * (v[0] / result);
      if (durationToZero < durationToStart) {
        durationToStart = durationToZero;
      }
    }
    double threshold = avgBetween * 1.1;
    double extrapolateTo = sampledInterval;
    extrapolateTo += durationToStart < threshold ? durationToStart : avgBetween / 2;
    extrapolateTo += durationToEnd < threshold ? durationToEnd : avgBetween / 2;
    result = result * (extrapolateTo / sampledInterval);
    if (isRate) {
      result = result / (range / 1000.0);
    }
    return result;
  }
}
