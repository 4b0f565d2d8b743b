package io.theseus.query.promql;

import io.theseus.model.Labels;
import io.theseus.query.Queryable;
import io.theseus.query.Series;
import io.theseus.query.SeriesSet;
import io.theseus.query.promql.Ast.AtKind;
import io.theseus.query.promql.Ast.Card;
import io.theseus.query.promql.Ast.Expr;
import io.theseus.query.promql.Ast.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates an expression over the steps {@code start, start+interval, ..., end} with Prometheus
 * 2.42 semantics: every instant-vector or scalar expression yields a list of {@link Ser} with at
 * most one point per step; range functions see closed windows {@code [ref-range, ref]} where {@code
 * ref} is the step time minus offset (or the {@code @} time minus offset); instant selectors look
 * back 5 minutes (inclusive) and stop at staleness markers.
 *
 * <p>One instance per (sub)query evaluation; not thread-safe.
 */
final class Evaluator {
  final Queryable queryable;
  final long start;
  final long end;
  final long interval;
  final long lookback;
  final long queryStart;
  final long queryEnd;
  final long noStepInterval;
  final List<String> warnings;
  final int steps;

  Evaluator(
      Queryable queryable,
      long start,
      long end,
      long interval,
      long lookback,
      long queryStart,
      long queryEnd,
      long noStepInterval,
      List<String> warnings) {
    this.queryable = queryable;
    this.start = start;
    this.end = end;
    this.interval = interval <= 0 ? 1 : interval;
    this.lookback = lookback;
    this.queryStart = queryStart;
    this.queryEnd = queryEnd;
    this.noStepInterval = noStepInterval;
    this.warnings = warnings;
    this.steps = (int) ((end - start) / this.interval) + 1;
  }

  private final HashMap<Labels, Labels> dropNameCache = new HashMap<>();

  /** The labels without {@code __name__}, cached so per-step loops do not allocate. */
  Labels dropName(Labels l) {
    if (l.get(Labels.METRIC_NAME).isEmpty()) {
      return l;
    }
    Labels d = dropNameCache.get(l);
    if (d == null) {
      d = l.without(Labels.METRIC_NAME);
      dropNameCache.put(l, d);
    }
    return d;
  }

  static EvalException err(String msg) {
    return new EvalException(msg);
  }

  long ts(int k) {
    return start + k * interval;
  }

  long refTime(long ts, long offset, AtKind at, long atTs) {
    return switch (at) {
      case NONE -> ts - offset;
      case TIMESTAMP -> atTs - offset;
      case START -> queryStart - offset;
      case END -> queryEnd - offset;
    };
  }

  // ---------------------------------------------------------------- dispatch

  /** Evaluates to a List&lt;Ser&gt; (vector/scalar/matrix) or a String. */
  Object eval(Expr e) {
    if (e instanceof Ast.NumberLiteral n) {
      Ser s = new Ser(Labels.EMPTY, steps);
      for (int k = 0; k < steps; k++) {
        s.add(ts(k), n.value());
      }
      return List.of(s);
    }
    if (e instanceof Ast.StringLiteral s) {
      return s.value();
    }
    if (e instanceof Ast.Paren p) {
      return eval(p.expr());
    }
    if (e instanceof Ast.Unary u) {
      List<Ser> m = matrix(u.expr());
      if (!u.negate()) {
        return m;
      }
      List<Ser> out = new ArrayList<>(m.size());
      for (Ser s : m) {
        Ser o = new Ser(s.labels.without(Labels.METRIC_NAME), s.n);
        for (int i = 0; i < s.n; i++) {
          o.add(s.t[i], -s.v[i]);
        }
        out.add(o);
      }
      checkDistinct(out);
      return out;
    }
    if (e instanceof Ast.VectorSelector vs) {
      return evalVectorSelector(vs, false);
    }
    if (e instanceof Ast.MatrixSelector ms) {
      return evalMatrixSelector(ms);
    }
    if (e instanceof Ast.Subquery sq) {
      return evalSubquery(sq);
    }
    if (e instanceof Ast.Binary b) {
      return evalBinary(b);
    }
    if (e instanceof Ast.Aggregate a) {
      return evalAggregate(a);
    }
    if (e instanceof Ast.Call c) {
      return evalCall(c);
    }
    throw new IllegalStateException("unknown node " + e);
  }

  @SuppressWarnings("unchecked")
  List<Ser> matrix(Expr e) {
    return (List<Ser>) eval(e);
  }

  static void checkDistinct(List<Ser> m) {
    if (m.size() < 2) {
      return;
    }
    HashSet<Labels> seen = new HashSet<>();
    for (Ser s : m) {
      if (!seen.add(s.labels)) {
        throw err("vector cannot contain metrics with the same labelset");
      }
    }
  }

  // ---------------------------------------------------------------- generic step evaluation

  interface StepFn {
    /** Computes the output vector at step {@code ts} from the argument vectors. */
    void apply(Vec[] args, long ts, Vec out);
  }

  /**
   * Evaluates {@code args} (null entries are skipped, e.g. string arguments), then calls {@code fn}
   * once per step with the argument vectors at that step, collecting the outputs into series.
   */
  List<Ser> rangeEval(StepFn fn, Expr... args) {
    List<List<Ser>> mats = new ArrayList<>(args.length);
    for (Expr a : args) {
      mats.add(a == null || a.type() == ValueType.STRING ? null : matrix(a));
    }
    return rangeEvalMats(fn, mats);
  }

  List<Ser> rangeEvalMats(StepFn fn, List<List<Ser>> mats) {
    int na = mats.size();
    Vec[] vecs = new Vec[na];
    int[][] cursors = new int[na][];
    for (int a = 0; a < na; a++) {
      vecs[a] = new Vec();
      if (mats.get(a) != null) {
        cursors[a] = new int[mats.get(a).size()];
      }
    }
    Vec out = new Vec();
    if (steps == 1) {
      gather(mats, vecs, cursors, ts(0));
      fn.apply(vecs, ts(0), out);
      if (out.hasDuplicateLabels()) {
        throw err("vector cannot contain metrics with the same labelset");
      }
      List<Ser> res = new ArrayList<>(out.n);
      for (int i = 0; i < out.n; i++) {
        Ser s = new Ser(out.l[i], 1);
        s.add(ts(0), out.v[i]);
        res.add(s);
      }
      return res;
    }
    LinkedHashMap<Labels, Ser> series = new LinkedHashMap<>();
    for (int k = 0; k < steps; k++) {
      long ts = ts(k);
      gather(mats, vecs, cursors, ts);
      out.clear();
      fn.apply(vecs, ts, out);
      for (int i = 0; i < out.n; i++) {
        Ser s = series.get(out.l[i]);
        if (s == null) {
          s = new Ser(out.l[i], 4);
          series.put(out.l[i], s);
        } else if (s.t[s.n - 1] == ts) {
          // Two samples with one label set at one step.
          throw err("vector cannot contain metrics with the same labelset");
        }
        s.add(ts, out.v[i]);
      }
    }
    return new ArrayList<>(series.values());
  }

  private static void gather(List<List<Ser>> mats, Vec[] vecs, int[][] cursors, long ts) {
    for (int a = 0; a < vecs.length; a++) {
      vecs[a].clear();
      List<Ser> m = mats.get(a);
      if (m == null) {
        continue;
      }
      int[] c = cursors[a];
      for (int s = 0; s < m.size(); s++) {
        Ser ser = m.get(s);
        while (c[s] < ser.n && ser.t[c[s]] < ts) {
          c[s]++;
        }
        if (c[s] < ser.n && ser.t[c[s]] == ts) {
          vecs[a].add(ser.labels, ser.v[c[s]]);
          c[s]++;
        }
      }
    }
  }

  // ---------------------------------------------------------------- selectors

  private long minRef(long offset, AtKind at, long atTs) {
    return at == AtKind.NONE ? start - offset : refTime(start, offset, at, atTs);
  }

  private long maxRef(long offset, AtKind at, long atTs) {
    return at == AtKind.NONE ? end - offset : refTime(end, offset, at, atTs);
  }

  SeriesSet select(Ast.VectorSelector vs, long mint, long maxt, long range, String func) {
    SeriesSet set =
        queryable.select(
            mint, maxt, vs.matchers, new Queryable.Hints(start, end, interval, range, func));
    warnings.addAll(set.warnings());
    return set;
  }

  /** Instant vector selector; with {@code timestamps} the values are the sample times in s. */
  List<Ser> evalVectorSelector(Ast.VectorSelector vs, boolean timestamps) {
    long lo = minRef(vs.offset, vs.atKind, vs.at);
    long hi = maxRef(vs.offset, vs.atKind, vs.at);
    SeriesSet set = select(vs, lo - lookback, hi, 0, "");
    List<Ser> out = new ArrayList<>(set.series().size());
    for (Series s : set.series()) {
      Ser o = new Ser(s.labels(), steps == 1 ? 1 : 16);
      long[] st = s.timestamps();
      double[] sv = s.values();
      int n = s.size();
      int idx = 0;
      for (int k = 0; k < steps; k++) {
        long ts = ts(k);
        long ref = refTime(ts, vs.offset, vs.atKind, vs.at);
        int j;
        if (vs.atKind == AtKind.NONE) {
          while (idx < n && st[idx] <= ref) {
            idx++;
          }
          j = idx - 1;
        } else {
          j = upperBound(st, n, ref) - 1;
        }
        if (j < 0 || st[j] < ref - lookback || Series.isStale(sv[j])) {
          continue;
        }
        o.add(ts, timestamps ? st[j] / 1000.0 : sv[j]);
      }
      if (o.n > 0) {
        out.add(o);
      }
    }
    return out;
  }

  static int upperBound(long[] a, int n, long key) {
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] <= key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  static int lowerBound(long[] a, int n, long key) {
    int lo = 0;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** A top-level range selector (instant queries only): the raw samples of the window. */
  List<Ser> evalMatrixSelector(Ast.MatrixSelector ms) {
    Ast.VectorSelector vs = ms.vs();
    long maxt = refTime(start, vs.offset, vs.atKind, vs.at);
    long mint = maxt - ms.range();
    SeriesSet set = select(vs, mint, maxt, ms.range(), "");
    List<Ser> out = new ArrayList<>();
    for (Series s : set.series()) {
      Ser o = new Ser(s.labels(), 16);
      for (int i = lowerBound(s.timestamps(), s.size(), mint); i < s.size(); i++) {
        long t = s.timestamps()[i];
        if (t > maxt) {
          break;
        }
        if (!Series.isStale(s.values()[i])) {
          o.add(t, s.values()[i]);
        }
      }
      if (o.n > 0) {
        out.add(o);
      }
    }
    return out;
  }

  List<Ser> evalSubquery(Ast.Subquery sq) {
    return evalSubquery(sq, false);
  }

  /**
   * Evaluates a subquery. With {@code moving}, an {@code @} time behaves as Prometheus 2.42's
   * offset rewrite does outside step-invariant evaluation: it shifts with the step.
   */
  List<Ser> evalSubquery(Ast.Subquery sq, boolean moving) {
    long s0 = refTime(start, sq.offset, sq.atKind, sq.at);
    long e0 = refTime(end, sq.offset, sq.atKind, sq.at) + (moving ? end - start : 0);
    long iv = sq.step != 0 ? sq.step : noStepInterval;
    long lo = s0 - sq.range;
    long newStart = -Math.floorDiv(-lo, iv) * iv;
    if (newStart > e0) {
      if (stepInvariant(sq.expr)) {
        // Prometheus still evaluates a step-invariant body once at the start (errors surface).
        new Evaluator(
                queryable,
                newStart,
                newStart,
                iv,
                lookback,
                queryStart,
                queryEnd,
                noStepInterval,
                warnings)
            .eval(sq.expr);
      }
      return List.of();
    }
    Evaluator sub =
        new Evaluator(
            queryable, newStart, e0, iv, lookback, queryStart, queryEnd, noStepInterval, warnings);
    return sub.matrix(sq.expr);
  }

  /**
   * Whether Prometheus 2.42 treats {@code e} as step invariant (evaluated once at the start and
   * repeated): every selector in it has {@code @} and it calls none of the time-dependent
   * functions. Mirrors its preprocessing rules.
   */
  static boolean stepInvariant(Expr e) {
    if (e instanceof Ast.VectorSelector vs) {
      return vs.atKind != AtKind.NONE;
    }
    if (e instanceof Ast.MatrixSelector ms) {
      return ms.vs().atKind != AtKind.NONE;
    }
    if (e instanceof Ast.Subquery sq) {
      return sq.atKind != AtKind.NONE;
    }
    if (e instanceof Ast.Aggregate a) {
      return stepInvariant(a.expr());
    }
    if (e instanceof Ast.Binary b) {
      return stepInvariant(b.lhs()) && stepInvariant(b.rhs());
    }
    if (e instanceof Ast.Paren p) {
      return stepInvariant(p.expr());
    }
    if (e instanceof Ast.Unary u) {
      return stepInvariant(u.expr());
    }
    if (e instanceof Ast.Call c) {
      boolean inv =
          switch (c.func().name()) {
            case "days_in_month",
                    "day_of_month",
                    "day_of_week",
                    "day_of_year",
                    "hour",
                    "minute",
                    "month",
                    "year",
                    "predict_linear",
                    "time",
                    "timestamp" ->
                false;
            default -> true;
          };
      for (Expr a : c.args()) {
        inv &= stepInvariant(a);
      }
      return inv;
    }
    return true;
  }

  // ---------------------------------------------------------------- binary operators

  private List<Ser> evalBinary(Ast.Binary b) {
    ValueType lt = b.lhs().type();
    ValueType rt = b.rhs().type();
    Op op = b.op();
    if (lt == ValueType.SCALAR && rt == ValueType.SCALAR) {
      return rangeEval(
          (a, ts, out) -> out.add(Labels.EMPTY, scalarBinop(op, a[0].v[0], a[1].v[0])),
          b.lhs(),
          b.rhs());
    }
    if (lt == ValueType.VECTOR && rt == ValueType.VECTOR) {
      Ast.VectorMatching m = b.matching();
      Map<Labels, Labels> sigCache = new HashMap<>();
      return rangeEval(
          (a, ts, out) -> {
            switch (op) {
              case AND -> vectorAnd(a[0], a[1], m, sigCache, out);
              case OR -> vectorOr(a[0], a[1], m, sigCache, out);
              case UNLESS -> vectorUnless(a[0], a[1], m, sigCache, out);
              default -> vectorBinop(op, a[0], a[1], m, b.returnBool(), sigCache, out);
            }
          },
          b.lhs(),
          b.rhs());
    }
    boolean swap = lt == ValueType.SCALAR;
    return rangeEval(
        (a, ts, out) -> {
          Vec vec = swap ? a[1] : a[0];
          double sc = swap ? a[0].v[0] : a[1].v[0];
          for (int i = 0; i < vec.n; i++) {
            double lv = vec.v[i];
            double rv = sc;
            if (swap) {
              lv = sc;
              rv = vec.v[i];
            }
            double value = elemBinop(op, lv, rv);
            boolean kept = this.keep;
            if (op.isComparison() && swap) {
              value = rv;
            }
            if (b.returnBool()) {
              value = kept ? 1 : 0;
              kept = true;
            }
            if (kept) {
              Labels l = vec.l[i];
              if (shouldDropName(op) || b.returnBool()) {
                l = dropName(l);
              }
              out.add(l, value);
            }
          }
        },
        b.lhs(),
        b.rhs());
  }

  /** Set by {@link #elemBinop}: whether a comparison kept the element. */
  private boolean keep;

  static boolean shouldDropName(Op op) {
    return switch (op) {
      case ADD, SUB, MUL, DIV, MOD, POW -> true;
      default -> false;
    };
  }

  static double scalarBinop(Op op, double l, double r) {
    return switch (op) {
      case ADD -> l + r;
      case SUB -> l - r;
      case MUL -> l * r;
      case DIV -> l / r;
      case POW -> goPow(l, r);
      case MOD -> l % r;
      case ATAN2 -> Math.atan2(l, r);
      case EQLC -> l == r ? 1 : 0;
      case NEQ -> l != r ? 1 : 0;
      case GTR -> l > r ? 1 : 0;
      case LSS -> l < r ? 1 : 0;
      case GTE -> l >= r ? 1 : 0;
      case LTE -> l <= r ? 1 : 0;
      default -> throw err("operator \"" + op.text + "\" not allowed for Scalar operations");
    };
  }

  /** Go's math.Pow special cases where they differ from Java's: 1^y and (-1)^±Inf are 1. */
  static double goPow(double x, double y) {
    if (x == 1 || (x == -1 && Double.isInfinite(y))) {
      return 1;
    }
    return Math.pow(x, y);
  }

  double elemBinop(Op op, double l, double r) {
    keep = true;
    switch (op) {
      case EQLC -> keep = l == r;
      case NEQ -> keep = l != r;
      case GTR -> keep = l > r;
      case LSS -> keep = l < r;
      case GTE -> keep = l >= r;
      case LTE -> keep = l <= r;
      default -> {
        return scalarBinop(op, l, r);
      }
    }
    return l;
  }

  private static Labels signature(Labels l, Ast.VectorMatching m, Map<Labels, Labels> cache) {
    Labels s = cache.get(l);
    if (s == null) {
      s = m.on() ? keepOnly(l, m.matchingLabels()) : dropWithName(l, m.matchingLabels());
      cache.put(l, s);
    }
    return s;
  }

  static Labels keepOnly(Labels l, List<String> names) {
    int n = 0;
    for (int i = 0; i < l.size(); i++) {
      if (names.contains(l.name(i))) {
        n++;
      }
    }
    if (n == l.size()) {
      return l;
    }
    String[] ns = new String[n];
    String[] vs = new String[n];
    int k = 0;
    for (int i = 0; i < l.size(); i++) {
      if (names.contains(l.name(i))) {
        ns[k] = l.name(i);
        vs[k++] = l.value(i);
      }
    }
    return Labels.ofSortedTrusted(ns, vs);
  }

  static Labels dropWithName(Labels l, List<String> names) {
    String[] drop = names.toArray(new String[names.size() + 1]);
    drop[names.size()] = Labels.METRIC_NAME;
    return l.without(drop);
  }

  private static void vectorAnd(
      Vec lhs, Vec rhs, Ast.VectorMatching m, Map<Labels, Labels> cache, Vec out) {
    if (lhs.n == 0 || rhs.n == 0) {
      return;
    }
    HashSet<Labels> right = new HashSet<>();
    for (int i = 0; i < rhs.n; i++) {
      right.add(signature(rhs.l[i], m, cache));
    }
    for (int i = 0; i < lhs.n; i++) {
      if (right.contains(signature(lhs.l[i], m, cache))) {
        out.add(lhs.l[i], lhs.v[i]);
      }
    }
  }

  private static void vectorOr(
      Vec lhs, Vec rhs, Ast.VectorMatching m, Map<Labels, Labels> cache, Vec out) {
    HashSet<Labels> left = new HashSet<>();
    for (int i = 0; i < lhs.n; i++) {
      left.add(signature(lhs.l[i], m, cache));
      out.add(lhs.l[i], lhs.v[i]);
    }
    for (int i = 0; i < rhs.n; i++) {
      if (lhs.n == 0 || !left.contains(signature(rhs.l[i], m, cache))) {
        out.add(rhs.l[i], rhs.v[i]);
      }
    }
  }

  private static void vectorUnless(
      Vec lhs, Vec rhs, Ast.VectorMatching m, Map<Labels, Labels> cache, Vec out) {
    HashSet<Labels> right = new HashSet<>();
    for (int i = 0; i < rhs.n; i++) {
      right.add(signature(rhs.l[i], m, cache));
    }
    for (int i = 0; i < lhs.n; i++) {
      if (!right.contains(signature(lhs.l[i], m, cache))) {
        out.add(lhs.l[i], lhs.v[i]);
      }
    }
  }

  private void vectorBinop(
      Op op,
      Vec lhs,
      Vec rhs,
      Ast.VectorMatching m,
      boolean returnBool,
      Map<Labels, Labels> cache,
      Vec out) {
    if (lhs.n == 0 || rhs.n == 0) {
      return;
    }
    boolean swap = m.card() == Card.ONE_TO_MANY;
    if (swap) {
      Vec tmp = lhs;
      lhs = rhs;
      rhs = tmp;
    }
    HashMap<Labels, Integer> rightSigs = new HashMap<>();
    for (int i = 0; i < rhs.n; i++) {
      Labels sig = signature(rhs.l[i], m, cache);
      Integer dup = rightSigs.put(sig, i);
      if (dup != null) {
        String side = swap ? "left" : "right";
        throw err(
            "found duplicate series for the match group "
                + goLabels(sig)
                + " on the "
                + side
                + " hand-side of the operation: ["
                + goLabels(rhs.l[i])
                + ", "
                + goLabels(rhs.l[dup])
                + "];many-to-many matching not allowed: matching labels must be unique on one"
                + " side");
      }
    }
    HashMap<Labels, HashSet<Labels>> matched = new HashMap<>();
    for (int i = 0; i < lhs.n; i++) {
      Labels sig = signature(lhs.l[i], m, cache);
      Integer ri = rightSigs.get(sig);
      if (ri == null) {
        continue;
      }
      double vl = lhs.v[i];
      double vr = rhs.v[ri];
      if (swap) {
        double t = vl;
        vl = vr;
        vr = t;
      }
      double value = elemBinop(op, vl, vr);
      if (returnBool) {
        value = keep ? 1 : 0;
      } else if (!keep) {
        continue;
      }
      Labels metric = resultMetric(lhs.l[i], rhs.l[ri], op, m);
      if (returnBool) {
        metric = dropName(metric);
      }
      HashSet<Labels> inserted = matched.get(sig);
      if (m.card() == Card.ONE_TO_ONE) {
        if (inserted != null) {
          throw err(
              "multiple matches for labels: many-to-one matching must be explicit"
                  + " (group_left/group_right)");
        }
        matched.put(sig, new HashSet<>(0));
      } else {
        if (inserted == null) {
          inserted = new HashSet<>();
          matched.put(sig, inserted);
        }
        if (!inserted.add(metric)) {
          throw err("multiple matches for labels: grouping labels must ensure unique matches");
        }
      }
      out.add(metric, value);
    }
  }

  /** Go's labels.Labels.String(): {a="b", c="d"} including __name__. */
  static String goLabels(Labels l) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < l.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(l.name(i)).append('=');
      io.theseus.model.GoQuote.appendQuoted(sb, l.value(i));
    }
    return sb.append('}').toString();
  }

  private static Labels resultMetric(Labels lhs, Labels rhs, Op op, Ast.VectorMatching m) {
    Labels l = lhs;
    if (shouldDropName(op)) {
      l = l.without(Labels.METRIC_NAME);
    }
    if (m.card() == Card.ONE_TO_ONE) {
      if (m.on()) {
        l = keepOnly(l, m.matchingLabels());
      } else {
        l = l.without(m.matchingLabels().toArray(new String[0]));
      }
    }
    for (String ln : m.include()) {
      l = l.with(ln, rhs.get(ln));
    }
    return l;
  }

  // ---------------------------------------------------------------- aggregation

  private List<Ser> evalAggregate(Ast.Aggregate a) {
    if (a.param() == null) {
      switch (a.op()) {
        case SUM, AVG, COUNT, GROUP, MAX, MIN, STDVAR, STDDEV -> {
          return aggregateSteps(a, matrix(a.expr()));
        }
        default -> {}
      }
    }
    Expr param = a.param() == null ? null : Ast.unparen(a.param());
    HashMap<Labels, Labels> keyCache = new HashMap<>();
    if (param instanceof Ast.StringLiteral s) {
      return rangeEval(
          (v, ts, out) -> Aggregation.aggregate(a, 0, s.value(), v[1], out, keyCache),
          null,
          a.expr());
    }
    return rangeEval(
        (v, ts, out) -> {
          double p = a.param() == null ? 0 : v[0].v[0];
          Aggregation.aggregate(a, p, null, v[1], out, keyCache);
        },
        a.param(),
        a.expr());
  }

  /**
   * Aggregations whose state is one number per group (sum, avg, count, group, max, min, stdvar,
   * stddev; no parameter) over all steps at once: each input series' group is resolved once (not
   * per step), then every step folds the series having a point at that step into per-group
   * primitive accumulators, in input order. Same arithmetic, same groups and same output order
   * (groups in order of first output, within a step in first-seen order) as {@link
   * Aggregation#aggregate} driven by {@link #rangeEvalMats}; no allocation per step.
   */
  private List<Ser> aggregateSteps(Ast.Aggregate a, List<Ser> in) {
    Op op = a.op();
    List<String> grouping = a.grouping();
    int ns = in.size();
    Ser[] series = in.toArray(new Ser[0]);
    int[] groupOf = new int[ns];
    HashMap<Labels, Integer> index = new HashMap<>();
    List<Labels> keys = new ArrayList<>();
    for (int s = 0; s < ns; s++) {
      Labels m = series[s].labels;
      Labels key = a.without() ? dropWithName(m, grouping) : keepOnly(m, grouping);
      Integer g = index.get(key);
      if (g == null) {
        g = keys.size();
        index.put(key, g);
        keys.add(key);
      }
      groupOf[s] = g;
    }
    int ng = keys.size();
    double[] value = new double[ng];
    double[] mean = new double[ng];
    long[] count = new long[ng];
    int[] seenAt = new int[ng];
    java.util.Arrays.fill(seenAt, -1);
    int[] order = new int[ng];
    Ser[] outOf = new Ser[ng];
    int[] cursor = new int[ns];
    List<Ser> res = new ArrayList<>();
    for (int k = 0; k < steps; k++) {
      long ts = ts(k);
      int seen = 0;
      for (int s = 0; s < ns; s++) {
        Ser x = series[s];
        int c = cursor[s];
        while (c < x.n && x.t[c] < ts) {
          c++;
        }
        if (c >= x.n || x.t[c] != ts) {
          cursor[s] = c;
          continue;
        }
        double v = x.v[c];
        cursor[s] = c + 1;
        int g = groupOf[s];
        if (seenAt[g] != k) {
          seenAt[g] = k;
          order[seen++] = g;
          value[g] = v;
          mean[g] = v;
          count[g] = 1;
          if (op == Op.STDVAR || op == Op.STDDEV) {
            value[g] = 0;
          } else if (op == Op.GROUP) {
            value[g] = 1;
          }
          continue;
        }
        switch (op) {
          case SUM -> value[g] += v;
          case AVG -> {
            count[g]++;
            double mg = mean[g];
            if (Double.isInfinite(mg)) {
              if (Double.isInfinite(v) && (mg > 0) == (v > 0)) {
                break;
              }
              if (!Double.isInfinite(v) && !Double.isNaN(v)) {
                break;
              }
            }
            mean[g] += v / count[g] - mg / count[g];
          }
          case GROUP -> {}
          case MAX -> {
            if (value[g] < v || Double.isNaN(value[g])) {
              value[g] = v;
            }
          }
          case MIN -> {
            if (value[g] > v || Double.isNaN(value[g])) {
              value[g] = v;
            }
          }
          case COUNT -> count[g]++;
          case STDVAR, STDDEV -> {
            count[g]++;
            double delta = v - mean[g];
            mean[g] += delta / count[g];
            value[g] += delta * (v - mean[g]);
          }
          default -> throw new IllegalStateException(op.name());
        }
      }
      for (int i = 0; i < seen; i++) {
        int g = order[i];
        double r =
            switch (op) {
              case AVG -> mean[g];
              case COUNT -> count[g];
              case STDVAR -> value[g] / count[g];
              case STDDEV -> Math.sqrt(value[g] / count[g]);
              default -> value[g];
            };
        Ser o = outOf[g];
        if (o == null) {
          o = new Ser(keys.get(g), steps == 1 ? 1 : 4);
          outOf[g] = o;
          res.add(o);
        }
        o.add(ts, r);
      }
    }
    return res;
  }

  // ---------------------------------------------------------------- functions

  private Object evalCall(Ast.Call c) {
    String name = c.func().name();
    int matrixArg = -1;
    for (int i = 0; i < c.args().size(); i++) {
      if (c.args().get(i).type() == ValueType.MATRIX) {
        matrixArg = i;
      }
    }
    if (matrixArg >= 0) {
      return RangeFunctions.eval(this, c, matrixArg);
    }
    if (name.equals("timestamp")) {
      Expr arg = Ast.unparen(c.args().get(0));
      if (arg instanceof Ast.VectorSelector vs) {
        List<Ser> m = evalVectorSelector(vs, true);
        List<Ser> out = new ArrayList<>(m.size());
        for (Ser s : m) {
          s.labels = s.labels.without(Labels.METRIC_NAME);
          out.add(s);
        }
        checkDistinct(out);
        return out;
      }
    }
    Expr[] args = c.args().toArray(new Expr[0]);
    if (args.length == 0
        && c.func().variadic() == 1
        && c.func().argTypes().get(0) == ValueType.VECTOR) {
      // Time functions default to vector(time()).
      Vec one = new Vec();
      Vec[] argv = {one};
      return rangeEval(
          (v, ts, out) -> {
            one.clear();
            one.add(Labels.EMPTY, ts / 1000.0);
            VectorFunctions.call(this, c, argv, ts, out);
          });
    }
    return rangeEval((v, ts, out) -> VectorFunctions.call(this, c, v, ts, out), args);
  }
}
