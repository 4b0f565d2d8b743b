package io.theseus.query.promql;

import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import io.theseus.query.promql.Ast.Expr;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Functions over instant vectors and scalars at one step, as in Prometheus 2.42. */
final class VectorFunctions {
  private VectorFunctions() {}

  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private static String str(Ast.Call c, int i) {
    return ((Ast.StringLiteral) Ast.unparen(c.args().get(i))).value();
  }

  static void call(Evaluator ev, Ast.Call c, Vec[] a, long ts, Vec out) {
    String name = c.func().name();
    switch (name) {
      case "abs" -> simple(ev, a[0], out, Math::abs);
      case "ceil" -> simple(ev, a[0], out, Math::ceil);
      case "floor" -> simple(ev, a[0], out, Math::floor);
      case "exp" -> simple(ev, a[0], out, Math::exp);
      case "sqrt" -> simple(ev, a[0], out, Math::sqrt);
      case "ln" -> simple(ev, a[0], out, Math::log);
      case "log2" -> simple(ev, a[0], out, x -> Math.log(x) / Math.log(2));
      case "log10" -> simple(ev, a[0], out, Math::log10);
      case "sin" -> simple(ev, a[0], out, Math::sin);
      case "cos" -> simple(ev, a[0], out, Math::cos);
      case "tan" -> simple(ev, a[0], out, Math::tan);
      case "asin" -> simple(ev, a[0], out, Math::asin);
      case "acos" -> simple(ev, a[0], out, Math::acos);
      case "atan" -> simple(ev, a[0], out, Math::atan);
      case "sinh" -> simple(ev, a[0], out, Math::sinh);
      case "cosh" -> simple(ev, a[0], out, Math::cosh);
      case "tanh" -> simple(ev, a[0], out, Math::tanh);
      case "asinh" -> simple(ev, a[0], out, VectorFunctions::asinh);
      case "acosh" -> simple(ev, a[0], out, VectorFunctions::acosh);
      case "atanh" -> simple(ev, a[0], out, VectorFunctions::atanh);
      case "deg" -> simple(ev, a[0], out, x -> x * 180 / Math.PI);
      case "rad" -> simple(ev, a[0], out, x -> x * Math.PI / 180);
      case "sgn" -> simple(ev, a[0], out, x -> x < 0 ? -1 : x > 0 ? 1 : x);
      case "timestamp" -> simple(ev, a[0], out, x -> ts / 1000.0);
      case "histogram_count", "histogram_sum" -> {
        // Native histograms are not supported: float samples yield nothing.
      }
      case "histogram_fraction" -> {}
      case "clamp" -> {
        double min = a[1].v[0];
        double max = a[2].v[0];
        if (max < min) {
          return;
        }
        simple(ev, a[0], out, x -> Math.max(min, Math.min(max, x)));
      }
      case "clamp_max" -> {
        double max = a[1].v[0];
        simple(ev, a[0], out, x -> Math.min(max, x));
      }
      case "clamp_min" -> {
        double min = a[1].v[0];
        simple(ev, a[0], out, x -> Math.max(min, x));
      }
      case "round" -> {
        double toNearest = a.length > 1 ? a[1].v[0] : 1;
        double inv = 1.0 / toNearest;
        simple(ev, a[0], out, x -> Math.floor(x * inv + 0.5) / inv);
      }
      case "pi" -> out.add(Labels.EMPTY, Math.PI);
      case "time" -> out.add(Labels.EMPTY, ts / 1000.0);
      case "vector" -> out.add(Labels.EMPTY, a[0].v[0]);
      case "scalar" -> out.add(Labels.EMPTY, a[0].n == 1 ? a[0].v[0] : Double.NaN);
      case "sort", "sort_desc" -> {
        int[] idx = new int[a[0].n];
        for (int i = 0; i < idx.length; i++) {
          idx[i] = i;
        }
        double[] v = a[0].v;
        // sort: Reverse(vectorByReverseValueHeap); sort_desc: Reverse(vectorByValueHeap).
        if (name.equals("sort")) {
          GoSort.sort(idx, (i, j) -> Double.isNaN(v[j]) || v[j] > v[i]);
        } else {
          GoSort.sort(idx, (i, j) -> Double.isNaN(v[j]) || v[j] < v[i]);
        }
        for (int i : idx) {
          out.add(a[0].l[i], v[i]);
        }
      }
      case "absent" -> {
        if (a[0].n > 0) {
          return;
        }
        Expr arg = Ast.unparen(c.args().get(0));
        List<Matcher> ms = arg instanceof Ast.VectorSelector vs ? vs.matchers : List.of();
        out.add(RangeFunctions.absentLabels(ms), 1);
      }
      case "days_in_month" -> date(ev, a[0], out, d -> d.toLocalDate().lengthOfMonth());
      case "day_of_month" -> date(ev, a[0], out, ZonedDateTime::getDayOfMonth);
      case "day_of_week" -> date(ev, a[0], out, d -> d.getDayOfWeek().getValue() % 7);
      case "day_of_year" -> date(ev, a[0], out, ZonedDateTime::getDayOfYear);
      case "hour" -> date(ev, a[0], out, ZonedDateTime::getHour);
      case "minute" -> date(ev, a[0], out, ZonedDateTime::getMinute);
      case "month" -> date(ev, a[0], out, ZonedDateTime::getMonthValue);
      case "year" -> date(ev, a[0], out, ZonedDateTime::getYear);
      case "label_replace" -> labelReplace(ev, c, a[0], out);
      case "label_join" -> labelJoin(c, a[0], out);
      case "histogram_quantile" -> histogramQuantile(a[0].v.length > 0 ? a[0].v[0] : 0, a[1], out);
      default -> throw new IllegalStateException("unknown function " + name);
    }
  }

  private static double asinh(double x) {
    if (Double.isInfinite(x) || x == 0) {
      return x;
    }
    double ax = Math.abs(x);
    double r = Math.log(ax + Math.sqrt(ax * ax + 1));
    return x < 0 ? -r : r;
  }

  private static double acosh(double x) {
    if (x < 1) {
      return Double.NaN;
    }
    return Math.log(x + Math.sqrt(x * x - 1));
  }

  private static double atanh(double x) {
    if (x < -1 || x > 1) {
      return Double.NaN;
    }
    if (x == 1) {
      return Double.POSITIVE_INFINITY;
    }
    if (x == -1) {
      return Double.NEGATIVE_INFINITY;
    }
    return 0.5 * Math.log((1 + x) / (1 - x));
  }

  private static void simple(
      Evaluator ev, Vec in, Vec out, java.util.function.DoubleUnaryOperator f) {
    for (int i = 0; i < in.n; i++) {
      out.add(ev.dropName(in.l[i]), f.applyAsDouble(in.v[i]));
    }
  }

  private static void date(
      Evaluator ev, Vec in, Vec out, java.util.function.ToIntFunction<ZonedDateTime> f) {
    for (int i = 0; i < in.n; i++) {
      double v = in.v[i];
      double r;
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        r = Double.NaN;
      } else {
        ZonedDateTime d = Instant.ofEpochSecond((long) v).atZone(ZoneOffset.UTC);
        r = f.applyAsInt(d);
      }
      out.add(ev.dropName(in.l[i]), r);
    }
  }

  private static void labelReplace(Evaluator ev, Ast.Call c, Vec in, Vec out) {
    String dst = str(c, 1);
    String repl = str(c, 2);
    String src = str(c, 3);
    String regex = str(c, 4);
    Pattern p;
    try {
      p = Pattern.compile("(?:" + Matcher.translate(regex) + ")", Pattern.UNIX_LINES);
    } catch (RuntimeException e) {
      throw Evaluator.err("invalid regular expression in label_replace(): " + regex);
    }
    if (!LABEL_NAME.matcher(dst).matches()) {
      throw Evaluator.err("invalid destination label name in label_replace(): " + dst);
    }
    for (int i = 0; i < in.n; i++) {
      Labels l = in.l[i];
      java.util.regex.Matcher m = p.matcher(l.get(src));
      Labels o = l;
      if (m.matches()) {
        String res = expand(repl, m);
        o = l.with(dst, res);
      }
      out.add(o, in.v[i]);
    }
  }

  /** Go's Regexp.ExpandString template semantics ($1, ${1}, $name, ${name}, $$). */
  static String expand(String tpl, java.util.regex.Matcher m) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (i < tpl.length()) {
      char ch = tpl.charAt(i);
      if (ch != '$') {
        sb.append(ch);
        i++;
        continue;
      }
      i++;
      if (i < tpl.length() && tpl.charAt(i) == '$') {
        sb.append('$');
        i++;
        continue;
      }
      String name = null;
      if (i < tpl.length() && tpl.charAt(i) == '{') {
        int close = tpl.indexOf('}', i + 1);
        if (close > i + 1) {
          String nm = tpl.substring(i + 1, close);
          if (nm.chars().allMatch(x -> x == '_' || Character.isLetterOrDigit(x))) {
            name = nm;
            i = close + 1;
          }
        }
      } else {
        int j = i;
        while (j < tpl.length()
            && (tpl.charAt(j) == '_' || Character.isLetterOrDigit(tpl.charAt(j)))) {
          j++;
        }
        if (j > i) {
          name = tpl.substring(i, j);
          i = j;
        }
      }
      if (name == null) {
        sb.append('$');
        continue;
      }
      if (name.chars().allMatch(Character::isDigit)) {
        try {
          int g = Integer.parseInt(name);
          if (g <= m.groupCount() && m.group(g) != null) {
            sb.append(m.group(g));
          }
        } catch (NumberFormatException e) {
          // too large: empty
        }
      } else {
        try {
          String gv = m.group(name);
          if (gv != null) {
            sb.append(gv);
          }
        } catch (IllegalArgumentException e) {
          // no such group: empty
        }
      }
    }
    return sb.toString();
  }

  private static void labelJoin(Ast.Call c, Vec in, Vec out) {
    String dst = str(c, 1);
    String sep = str(c, 2);
    List<String> srcs = new ArrayList<>();
    for (int i = 3; i < c.args().size(); i++) {
      String s = str(c, i);
      if (!LABEL_NAME.matcher(s).matches()) {
        throw Evaluator.err("invalid source label name in label_join(): " + s);
      }
      srcs.add(s);
    }
    if (!LABEL_NAME.matcher(dst).matches()) {
      throw Evaluator.err("invalid destination label name in label_join(): " + dst);
    }
    for (int i = 0; i < in.n; i++) {
      Labels l = in.l[i];
      StringBuilder sb = new StringBuilder();
      for (int k = 0; k < srcs.size(); k++) {
        if (k > 0) {
          sb.append(sep);
        }
        sb.append(l.get(srcs.get(k)));
      }
      out.add(l.with(dst, sb.toString()), in.v[i]);
    }
  }

  /** Go's strconv.ParseFloat for the forms bucket bounds use; NaN result on failure -> null. */
  static Double parseGoFloat(String s) {
    if (s.isEmpty()) {
      return null;
    }
    String x = s;
    boolean neg = false;
    if (x.charAt(0) == '+' || x.charAt(0) == '-') {
      neg = x.charAt(0) == '-';
      x = x.substring(1);
    }
    String lx = x.toLowerCase(java.util.Locale.ROOT);
    if (lx.equals("inf") || lx.equals("infinity")) {
      return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (lx.equals("nan")) {
      return Double.NaN;
    }
    for (int i = 0; i < x.length(); i++) {
      char ch = x.charAt(i);
      if (!(Character.isDigit(ch)
          || ch == '.'
          || ch == 'e'
          || ch == 'E'
          || ch == '+'
          || ch == '-'
          || ch == '_'
          || ch == 'x'
          || ch == 'X'
          || ch == 'p'
          || ch == 'P'
          || (ch >= 'a' && ch <= 'f')
          || (ch >= 'A' && ch <= 'F'))) {
        return null;
      }
    }
    try {
      double d = Double.parseDouble(x.replace("_", ""));
      return neg ? -d : d;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static void histogramQuantile(double q, Vec in, Vec out) {
    Map<Labels, List<double[]>> groups = new LinkedHashMap<>();
    Map<Labels, Labels> outLabels = new HashMap<>();
    for (int i = 0; i < in.n; i++) {
      Labels l = in.l[i];
      Double ub = parseGoFloat(l.get("le"));
      if (ub == null) {
        continue;
      }
      Labels sig = l.without("le");
      List<double[]> b = groups.get(sig);
      if (b == null) {
        b = new ArrayList<>();
        groups.put(sig, b);
        outLabels.put(sig, l.without("le", Labels.METRIC_NAME));
      }
      b.add(new double[] {ub, in.v[i]});
    }
    for (Map.Entry<Labels, List<double[]>> e : groups.entrySet()) {
      out.add(outLabels.get(e.getKey()), bucketQuantile(q, e.getValue()));
    }
  }

  static double bucketQuantile(double q, List<double[]> buckets) {
    if (Double.isNaN(q)) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    buckets.sort((x, y) -> Double.compare(x[0], y[0]));
    if (!(buckets.get(buckets.size() - 1)[0] == Double.POSITIVE_INFINITY)) {
      return Double.NaN;
    }
    // coalesce
    List<double[]> bs = new ArrayList<>();
    double[] last = buckets.get(0).clone();
    for (int i = 1; i < buckets.size(); i++) {
      double[] b = buckets.get(i);
      if (b[0] == last[0]) {
        last[1] += b[1];
      } else {
        bs.add(last);
        last = b.clone();
      }
    }
    bs.add(last);
    double max = Double.NEGATIVE_INFINITY;
    for (double[] b : bs) {
      if (b[1] > max) {
        max = b[1];
      } else if (b[1] < max) {
        b[1] = max;
      }
    }
    if (bs.size() < 2) {
      return Double.NaN;
    }
    double observations = bs.get(bs.size() - 1)[1];
    if (observations == 0) {
      return Double.NaN;
    }
    double rank = q * observations;
    int n = bs.size() - 1;
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (!(bs.get(mid)[1] >= rank)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    int b = lo;
    if (b == bs.size() - 1) {
      return bs.get(bs.size() - 2)[0];
    }
    if (b == 0 && bs.get(0)[0] <= 0) {
      return bs.get(0)[0];
    }
    double bucketStart = 0;
    double bucketEnd = bs.get(b)[0];
    double count = bs.get(b)[1];
    if (b > 0) {
      bucketStart = bs.get(b - 1)[0];
      count -= bs.get(b - 1)[1];
      rank -= bs.get(b - 1)[1];
    }
    return bucketStart + (bucketEnd - bucketStart) * (rank / count);
  }
}
