package io.theseus.query.promql;

import io.theseus.model.Matcher;
import java.util.List;

/**
 * The PromQL syntax tree. Nodes are plain immutable-after-parse holders; {@code pos} is the
 * character offset of the node's first character in the query (for error messages).
 */
public final class Ast {
  private Ast() {}

  /** Any expression. */
  public sealed interface Expr
      permits NumberLiteral,
          StringLiteral,
          VectorSelector,
          MatrixSelector,
          Subquery,
          Paren,
          Unary,
          Binary,
          Aggregate,
          Call {
    ValueType type();

    int pos();
  }

  /** How an {@code @} modifier was written. */
  public enum AtKind {
    NONE,
    TIMESTAMP,
    START,
    END
  }

  /** A number literal. */
  public record NumberLiteral(double value, int pos) implements Expr {
    @Override
    public ValueType type() {
      return ValueType.SCALAR;
    }
  }

  /** A string literal. */
  public record StringLiteral(String value, int pos) implements Expr {
    @Override
    public ValueType type() {
      return ValueType.STRING;
    }
  }

  /** An instant vector selector; {@code at} is in ms and valid only for AtKind.TIMESTAMP. */
  public static final class VectorSelector implements Expr {
    public final String name;
    public final List<Matcher> matchers;
    public long offset;
    public AtKind atKind = AtKind.NONE;
    public long at;
    private final int pos;

    VectorSelector(String name, List<Matcher> matchers, int pos) {
      this.name = name;
      this.matchers = matchers;
      this.pos = pos;
    }

    @Override
    public ValueType type() {
      return ValueType.VECTOR;
    }

    @Override
    public int pos() {
      return pos;
    }
  }

  /** A range vector selector. */
  public record MatrixSelector(VectorSelector vs, long range, int pos) implements Expr {
    @Override
    public ValueType type() {
      return ValueType.MATRIX;
    }
  }

  /** A subquery {@code expr[range:step]}; step 0 means the default evaluation interval. */
  public static final class Subquery implements Expr {
    public final Expr expr;
    public final long range;
    public final long step;
    public long offset;
    public AtKind atKind = AtKind.NONE;
    public long at;
    private final int pos;

    Subquery(Expr expr, long range, long step, int pos) {
      this.expr = expr;
      this.range = range;
      this.step = step;
      this.pos = pos;
    }

    @Override
    public ValueType type() {
      return ValueType.MATRIX;
    }

    @Override
    public int pos() {
      return pos;
    }
  }

  /** A parenthesised expression. */
  public record Paren(Expr expr, int pos) implements Expr {
    @Override
    public ValueType type() {
      return expr.type();
    }
  }

  /** Unary minus or plus. */
  public record Unary(boolean negate, Expr expr, int pos) implements Expr {
    @Override
    public ValueType type() {
      return expr.type();
    }
  }

  /** Vector matching of a binary operation. */
  public record VectorMatching(
      Card card, List<String> matchingLabels, boolean on, List<String> include) {}

  /** Matching cardinality. */
  public enum Card {
    ONE_TO_ONE,
    MANY_TO_ONE,
    ONE_TO_MANY,
    MANY_TO_MANY
  }

  /** A binary operation; {@code matching} is null unless both sides are vectors. */
  public record Binary(
      Op op, Expr lhs, Expr rhs, VectorMatching matching, boolean returnBool, int pos)
      implements Expr {
    @Override
    public ValueType type() {
      return lhs.type() == ValueType.SCALAR && rhs.type() == ValueType.SCALAR
          ? ValueType.SCALAR
          : ValueType.VECTOR;
    }
  }

  /** An aggregation; {@code param} is null for those without one. */
  public record Aggregate(
      Op op, Expr expr, Expr param, List<String> grouping, boolean without, int pos)
      implements Expr {
    @Override
    public ValueType type() {
      return ValueType.VECTOR;
    }
  }

  /** A function call. */
  public record Call(Functions.Def func, List<Expr> args, int pos) implements Expr {
    @Override
    public ValueType type() {
      return func.returnType();
    }
  }

  /** Binary operators and aggregators. */
  public enum Op {
    ADD("+"),
    SUB("-"),
    MUL("*"),
    DIV("/"),
    MOD("%"),
    POW("^"),
    ATAN2("atan2"),
    EQLC("=="),
    NEQ("!="),
    GTR(">"),
    LSS("<"),
    GTE(">="),
    LTE("<="),
    AND("and"),
    OR("or"),
    UNLESS("unless"),
    SUM("sum"),
    AVG("avg"),
    COUNT("count"),
    MIN("min"),
    MAX("max"),
    GROUP("group"),
    STDDEV("stddev"),
    STDVAR("stdvar"),
    TOPK("topk"),
    BOTTOMK("bottomk"),
    COUNT_VALUES("count_values"),
    QUANTILE("quantile");

    public final String text;

    Op(String text) {
      this.text = text;
    }

    public boolean isComparison() {
      return this == EQLC
          || this == NEQ
          || this == GTR
          || this == LSS
          || this == GTE
          || this == LTE;
    }

    public boolean isSetOperator() {
      return this == AND || this == OR || this == UNLESS;
    }

    /** Binary precedence, higher binds tighter; 0 for non-binary. */
    public int precedence() {
      return switch (this) {
        case OR -> 1;
        case AND, UNLESS -> 2;
        case EQLC, NEQ, GTR, LSS, GTE, LTE -> 3;
        case ADD, SUB -> 4;
        case MUL, DIV, MOD, ATAN2 -> 5;
        case POW -> 6;
        default -> 0;
      };
    }
  }

  /** Strips parentheses. */
  public static Expr unparen(Expr e) {
    while (e instanceof Paren p) {
      e = p.expr();
    }
    return e;
  }
}
