package io.theseus.query.promql;

import io.theseus.model.Labels;
import io.theseus.query.Queryable;
import io.theseus.query.Series;
import io.theseus.query.promql.Ast.Expr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The PromQL engine: parses, then evaluates instant and range queries over a {@link Queryable} with
 * Prometheus 2.42 semantics (5m lookback by default, subqueries without a step use 1m).
 *
 * <p>Native histograms are not supported: Theseus stores float samples only, so {@code
 * histogram_count}, {@code histogram_sum} and {@code histogram_fraction} return empty results,
 * exactly as Prometheus does for float series. Prometheus 2.42's test scripts contain no native
 * histogram data.
 *
 * <p>Thread-safe: each query gets its own evaluator.
 */
public final class Engine {
  /** Prometheus's default lookback delta. */
  public static final long DEFAULT_LOOKBACK_MS = 5 * 60 * 1000;

  private final Queryable queryable;
  private final long lookbackMs;
  private final long noStepSubqueryIntervalMs;

  public Engine(Queryable queryable) {
    this(queryable, DEFAULT_LOOKBACK_MS, 60_000);
  }

  public Engine(Queryable queryable, long lookbackMs, long noStepSubqueryIntervalMs) {
    if (lookbackMs <= 0 || noStepSubqueryIntervalMs <= 0) {
      throw new IllegalArgumentException(
          "lookback and subquery interval must be positive, got "
              + lookbackMs
              + " and "
              + noStepSubqueryIntervalMs);
    }
    this.queryable = queryable;
    this.lookbackMs = lookbackMs;
    this.noStepSubqueryIntervalMs = noStepSubqueryIntervalMs;
  }

  /**
   * Runs an instant query at {@code timeMs}.
   *
   * @throws ParseException on a bad query
   * @throws EvalException on an evaluation error
   */
  public QueryResult instant(String query, long timeMs) {
    return instant(Parser.parse(query), timeMs);
  }

  public QueryResult instant(Expr expr, long timeMs) {
    List<String> warnings = new ArrayList<>();
    Evaluator ev =
        new Evaluator(
            queryable,
            timeMs,
            timeMs,
            1,
            lookbackMs,
            timeMs,
            timeMs,
            noStepSubqueryIntervalMs,
            warnings);
    Object v = ev.eval(expr);
    ValueType type = expr.type();
    if (type == ValueType.STRING) {
      return new QueryResult(type, List.of(), (String) v, timeMs, warnings);
    }
    @SuppressWarnings("unchecked")
    List<Ser> m = (List<Ser>) v;
    List<Series> out = new ArrayList<>(m.size());
    for (Ser s : m) {
      if (type == ValueType.MATRIX) {
        out.add(new Series(s.labels, Arrays.copyOf(s.t, s.n), Arrays.copyOf(s.v, s.n), s.n));
      } else {
        out.add(new Series(s.labels, new long[] {timeMs}, new double[] {s.v[0]}, 1));
      }
    }
    if (type == ValueType.MATRIX) {
      out.sort(Comparator.comparing(Series::labels));
    }
    return new QueryResult(type, out, null, timeMs, warnings);
  }

  /**
   * Runs a range query; results are sorted by labels.
   *
   * @throws ParseException on a bad query
   * @throws EvalException on an evaluation error or a non scalar/vector expression
   */
  public QueryResult range(String query, long startMs, long endMs, long stepMs) {
    return range(Parser.parse(query), startMs, endMs, stepMs);
  }

  public QueryResult range(Expr expr, long startMs, long endMs, long stepMs) {
    if (stepMs <= 0) {
      throw new IllegalArgumentException("step must be positive, got " + stepMs);
    }
    if (endMs < startMs) {
      throw new IllegalArgumentException("end " + endMs + " is before start " + startMs);
    }
    ValueType type = expr.type();
    if (type != ValueType.SCALAR && type != ValueType.VECTOR) {
      throw new EvalException(
          "invalid expression type \""
              + type.text()
              + "\" for range query, must be Scalar or instant Vector");
    }
    List<String> warnings = new ArrayList<>();
    Evaluator ev =
        new Evaluator(
            queryable,
            startMs,
            endMs,
            stepMs,
            lookbackMs,
            startMs,
            endMs,
            noStepSubqueryIntervalMs,
            warnings);
    @SuppressWarnings("unchecked")
    List<Ser> m = (List<Ser>) ev.eval(expr);
    List<Series> out = new ArrayList<>(m.size());
    for (Ser s : m) {
      if (s.n > 0) {
        out.add(new Series(s.labels, Arrays.copyOf(s.t, s.n), Arrays.copyOf(s.v, s.n), s.n));
      }
    }
    out.sort(Comparator.comparing(Series::labels));
    return new QueryResult(ValueType.MATRIX, out, null, endMs, warnings);
  }

  /** Whether a label set is the empty set (helper for API rendering). */
  static boolean isEmpty(Labels l) {
    return l.size() == 0;
  }
}
