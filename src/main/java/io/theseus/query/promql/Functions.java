package io.theseus.query.promql;

import static io.theseus.query.promql.ValueType.MATRIX;
import static io.theseus.query.promql.ValueType.SCALAR;
import static io.theseus.query.promql.ValueType.STRING;
import static io.theseus.query.promql.ValueType.VECTOR;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The PromQL 2.42 function signatures, used for parsing and type checking. */
public final class Functions {
  private Functions() {}

  /**
   * A function signature. {@code variadic}: 0 exact arity; n &gt; 0 up to n optional trailing
   * arguments; -1 any number of arguments of the last type.
   */
  public record Def(String name, List<ValueType> argTypes, int variadic, ValueType returnType) {}

  private static final Map<String, Def> DEFS = new HashMap<>();

  private static void def(String name, ValueType ret, int variadic, ValueType... args) {
    DEFS.put(name, new Def(name, List.of(args), variadic, ret));
  }

  static {
    for (String f :
        new String[] {
          "abs",
          "acos",
          "acosh",
          "asin",
          "asinh",
          "atan",
          "atanh",
          "ceil",
          "cos",
          "cosh",
          "deg",
          "exp",
          "floor",
          "ln",
          "log10",
          "log2",
          "rad",
          "sgn",
          "sin",
          "sinh",
          "sort",
          "sort_desc",
          "sqrt",
          "tan",
          "tanh",
          "timestamp",
          "absent",
          "histogram_count",
          "histogram_sum"
        }) {
      def(f, VECTOR, 0, VECTOR);
    }
    for (String f :
        new String[] {
          "absent_over_time",
          "avg_over_time",
          "changes",
          "count_over_time",
          "delta",
          "deriv",
          "idelta",
          "increase",
          "irate",
          "last_over_time",
          "max_over_time",
          "min_over_time",
          "present_over_time",
          "rate",
          "resets",
          "stddev_over_time",
          "stdvar_over_time",
          "sum_over_time"
        }) {
      def(f, VECTOR, 0, MATRIX);
    }
    for (String f :
        new String[] {
          "days_in_month",
          "day_of_month",
          "day_of_week",
          "day_of_year",
          "hour",
          "minute",
          "month",
          "year"
        }) {
      def(f, VECTOR, 1, VECTOR);
    }
    def("clamp", VECTOR, 0, VECTOR, SCALAR, SCALAR);
    def("clamp_max", VECTOR, 0, VECTOR, SCALAR);
    def("clamp_min", VECTOR, 0, VECTOR, SCALAR);
    def("histogram_fraction", VECTOR, 0, SCALAR, SCALAR, VECTOR);
    def("histogram_quantile", VECTOR, 0, SCALAR, VECTOR);
    def("holt_winters", VECTOR, 0, MATRIX, SCALAR, SCALAR);
    def("label_replace", VECTOR, 0, VECTOR, STRING, STRING, STRING, STRING);
    def("label_join", VECTOR, -1, VECTOR, STRING, STRING, STRING);
    def("pi", SCALAR, 0);
    def("predict_linear", VECTOR, 0, MATRIX, SCALAR);
    def("quantile_over_time", VECTOR, 0, SCALAR, MATRIX);
    def("round", VECTOR, 1, VECTOR, SCALAR);
    def("scalar", SCALAR, 0, VECTOR);
    def("time", SCALAR, 0);
    def("vector", VECTOR, 0, SCALAR);
  }

  /** The function called {@code name}, or null. */
  public static Def get(String name) {
    return DEFS.get(name);
  }
}
