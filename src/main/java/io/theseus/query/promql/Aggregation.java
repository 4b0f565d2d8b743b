package io.theseus.query.promql;

import io.theseus.model.Labels;
import io.theseus.query.promql.Ast.Op;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Aggregation operators at one step, following Prometheus 2.42's {@code aggregation()}: groups in
 * first-seen order, incremental mean for avg, Welford for stddev/stdvar, Go-heap semantics for
 * topk/bottomk, and the {@code quantile} interpolation of {@code quantile()}.
 */
final class Aggregation {
  private Aggregation() {}

  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private static final class Group {
    Labels labels;
    double value;
    double mean;
    long count;
    // topk/bottomk heap or quantile values
    Labels[] hl;
    double[] hv;
    int hn;

    void push(Labels l, double v) {
      if (hl == null) {
        hl = new Labels[4];
        hv = new double[4];
      }
      if (hn == hl.length) {
        hl = Arrays.copyOf(hl, hn * 2);
        hv = Arrays.copyOf(hv, hn * 2);
      }
      hl[hn] = l;
      hv[hn++] = v;
    }
  }

  static void aggregate(
      Ast.Aggregate a,
      double param,
      String sparam,
      Vec vec,
      Vec out,
      HashMap<Labels, Labels> keyCache) {
    Op op = a.op();
    long k = 0;
    if (op == Op.TOPK || op == Op.BOTTOMK) {
      if (!(param > -9.223372036854776E18 && param < 9.223372036854776E18)) {
        throw Evaluator.err("Scalar value " + Format.goG(param) + " overflows int64");
      }
      k = (long) param;
      if (k < 1) {
        return;
      }
    }
    List<String> grouping = new ArrayList<>(a.grouping());
    String valueLabel = null;
    if (op == Op.COUNT_VALUES) {
      valueLabel = sparam;
      if (!LABEL_NAME.matcher(valueLabel).matches()) {
        throw Evaluator.err("invalid label name \"" + valueLabel + "\"");
      }
      if (!a.without()) {
        grouping.add(valueLabel);
      }
    }
    HashMap<Labels, Group> groups = new HashMap<>();
    List<Group> ordered = new ArrayList<>();
    for (int i = 0; i < vec.n; i++) {
      Labels metric = vec.l[i];
      double v = vec.v[i];
      if (op == Op.COUNT_VALUES) {
        metric = metric.with(valueLabel, Format.goFloat(v));
      }
      Labels key = op == Op.COUNT_VALUES ? null : keyCache.get(metric);
      if (key == null) {
        key =
            a.without()
                ? Evaluator.dropWithName(metric, grouping)
                : Evaluator.keepOnly(metric, grouping);
        if (op != Op.COUNT_VALUES) {
          keyCache.put(metric, key);
        }
      }
      Group g = groups.get(key);
      if (g == null) {
        g = new Group();
        g.labels = key;
        g.value = v;
        g.mean = v;
        g.count = 1;
        groups.put(key, g);
        ordered.add(g);
        switch (op) {
          case STDVAR, STDDEV -> g.value = 0;
          case TOPK, BOTTOMK, QUANTILE -> g.push(metric, v);
          case GROUP -> g.value = 1;
          default -> {}
        }
        continue;
      }
      switch (op) {
        case SUM -> g.value += v;
        case AVG -> {
          g.count++;
          if (Double.isInfinite(g.mean)) {
            if (Double.isInfinite(v) && (g.mean > 0) == (v > 0)) {
              break;
            }
            if (!Double.isInfinite(v) && !Double.isNaN(v)) {
              break;
            }
          }
          g.mean += v / g.count - g.mean / g.count;
        }
        case GROUP -> {}
        case MAX -> {
          if (g.value < v || Double.isNaN(g.value)) {
            g.value = v;
          }
        }
        case MIN -> {
          if (g.value > v || Double.isNaN(g.value)) {
            g.value = v;
          }
        }
        case COUNT, COUNT_VALUES -> g.count++;
        case STDVAR, STDDEV -> {
          g.count++;
          double delta = v - g.mean;
          g.mean += delta / g.count;
          g.value += delta * (v - g.mean);
        }
        case TOPK -> {
          if (g.hn < k || less(g.hv[0], v, false) || Double.isNaN(g.hv[0])) {
            if (g.hn == k) {
              if (k == 1) {
                g.hl[0] = metric;
                g.hv[0] = v;
                break;
              }
              heapPop(g, false);
            }
            heapPush(g, metric, v, false);
          }
        }
        case BOTTOMK -> {
          if (g.hn < k || less(g.hv[0], v, true) || Double.isNaN(g.hv[0])) {
            if (g.hn == k) {
              if (k == 1) {
                g.hl[0] = metric;
                g.hv[0] = v;
                break;
              }
              heapPop(g, true);
            }
            heapPush(g, metric, v, true);
          }
        }
        case QUANTILE -> g.push(metric, v);
        default -> throw new IllegalStateException(op.name());
      }
    }
    for (Group g : ordered) {
      switch (op) {
        case AVG -> out.add(g.labels, g.mean);
        case COUNT, COUNT_VALUES -> out.add(g.labels, g.count);
        case STDVAR -> out.add(g.labels, g.value / g.count);
        case STDDEV -> out.add(g.labels, Math.sqrt(g.value / g.count));
        case TOPK, BOTTOMK -> {
          boolean reverse = op == Op.BOTTOMK;
          int[] idx = new int[g.hn];
          for (int i = 0; i < g.hn; i++) {
            idx[i] = i;
          }
          // sort.Sort(sort.Reverse(heap)): Less'(i, j) = heap.Less(j, i).
          GoSort.sort(idx, (i, j) -> less(g.hv[j], g.hv[i], reverse));
          for (int i : idx) {
            out.add(g.hl[i], g.hv[i]);
          }
        }
        case QUANTILE -> out.add(g.labels, quantile(param, g.hv, g.hn));
        default -> out.add(g.labels, g.value);
      }
    }
  }

  /** Go heap Less: vectorByValueHeap (NaN smallest) or the reverse-value heap for bottomk. */
  private static boolean less(double a, double b, boolean reverse) {
    if (Double.isNaN(a)) {
      return true;
    }
    return reverse ? a > b : a < b;
  }

  private static void swap(Group g, int i, int j) {
    Labels l = g.hl[i];
    g.hl[i] = g.hl[j];
    g.hl[j] = l;
    double v = g.hv[i];
    g.hv[i] = g.hv[j];
    g.hv[j] = v;
  }

  private static void heapPush(Group g, Labels l, double v, boolean reverse) {
    g.push(l, v);
    int j = g.hn - 1;
    while (true) {
      int i = (j - 1) / 2;
      if (i == j || j <= 0 || !less(g.hv[j], g.hv[i], reverse)) {
        break;
      }
      swap(g, i, j);
      j = i;
    }
  }

  private static void heapPop(Group g, boolean reverse) {
    int n = g.hn - 1;
    swap(g, 0, n);
    int i = 0;
    while (true) {
      int j1 = 2 * i + 1;
      if (j1 >= n || j1 < 0) {
        break;
      }
      int j = j1;
      int j2 = j1 + 1;
      if (j2 < n && less(g.hv[j2], g.hv[j1], reverse)) {
        j = j2;
      }
      if (!less(g.hv[j], g.hv[i], reverse)) {
        break;
      }
      swap(g, i, j);
      i = j;
    }
    g.hl[n] = null;
    g.hn = n;
  }

  /** Prometheus's quantile(): linear interpolation between closest ranks; NaN sorts first. */
  static double quantile(double q, double[] values, int n) {
    if (n == 0) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    if (Double.isNaN(q)) {
      return Double.NaN;
    }
    double[] v = Arrays.copyOf(values, n);
    sortNaNFirst(v);
    double rank = q * (n - 1);
    double lower = Math.max(0, Math.floor(rank));
    double upper = Math.min(n - 1, lower + 1);
    double weight = rank - Math.floor(rank);
    return v[(int) lower] * (1 - weight) + v[(int) upper] * weight;
  }

  static void sortNaNFirst(double[] v) {
    Arrays.sort(v);
    // Arrays.sort puts NaN last; Go's Less makes NaN the smallest.
    int nan = 0;
    for (int i = v.length - 1; i >= 0 && Double.isNaN(v[i]); i--) {
      nan++;
    }
    if (nan > 0 && nan < v.length) {
      System.arraycopy(v, 0, v, nan, v.length - nan);
      Arrays.fill(v, 0, nan, Double.NaN);
    }
  }

  /** Formatting helpers matching Go's strconv. */
  static final class Format {
    private Format() {}

    /** Go's %v for a float64: strconv.FormatFloat(v, 'g', -1, 64). */
    static String goG(double v) {
      if (Double.isNaN(v) || Double.isInfinite(v) || v == 0) {
        return goFloat(v);
      }
      BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
      String digits = d.unscaledValue().abs().toString();
      int exp = digits.length() - 1 - d.scale();
      String sign = v < 0 ? "-" : "";
      if (exp < -4 || exp >= 21) {
        String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String es = (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        return sign + mant + "e" + es;
      }
      return goFloat(v);
    }

    /** Go's strconv.FormatFloat(v, 'f', -1, 64). */
    static String goFloat(double v) {
      if (Double.isNaN(v)) {
        return "NaN";
      }
      if (Double.isInfinite(v)) {
        return v > 0 ? "+Inf" : "-Inf";
      }
      if (v == 0) {
        return (Double.doubleToRawLongBits(v) < 0) ? "-0" : "0";
      }
      return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }
  }
}
