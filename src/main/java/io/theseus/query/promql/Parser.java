package io.theseus.query.promql;

import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import io.theseus.query.promql.Ast.AtKind;
import io.theseus.query.promql.Ast.Card;
import io.theseus.query.promql.Ast.Expr;
import io.theseus.query.promql.Ast.Op;
import io.theseus.query.promql.Lexer.Kind;
import io.theseus.query.promql.Lexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Recursive-descent PromQL parser with precedence climbing, producing a type-checked {@link
 * Ast.Expr}. Precedence and associativity follow Prometheus 2.42 ({@code ^} is right-associative,
 * unary minus binds like {@code *}). Not thread-safe; use {@link #parse} per query.
 */
public final class Parser {
  private static final Pattern DURATION =
      Pattern.compile(
          "(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private final String query;
  private final List<Token> tokens;
  private int i;

  private Parser(String query) {
    this.query = query;
    this.tokens = Lexer.lex(query);
  }

  /**
   * Parses and type-checks a query.
   *
   * @throws ParseException on any syntax or type error
   */
  public static Expr parse(String query) {
    Parser p = new Parser(query);
    if (p.peek().kind() == Kind.EOF) {
      throw p.err(0, "no expression found in input");
    }
    Expr e = p.parseExpr(0);
    Token t = p.peek();
    if (t.kind() != Kind.EOF) {
      throw p.err(t.pos(), "unexpected " + t.describe());
    }
    return e;
  }

  ParseException err(int pos, String msg) {
    return new ParseException(query, pos, msg);
  }

  private Token peek() {
    return tokens.get(i);
  }

  private Token peek(int k) {
    return tokens.get(Math.min(i + k, tokens.size() - 1));
  }

  private Token next() {
    return tokens.get(i++);
  }

  private Token expect(Kind k, String context) {
    Token t = peek();
    if (t.kind() != k) {
      throw err(
          t.pos(), "unexpected " + t.describe() + " in " + context + ", expected " + kindName(k));
    }
    return next();
  }

  private static String kindName(Kind k) {
    return switch (k) {
      case RPAREN -> "\")\"";
      case LPAREN -> "\"(\"";
      case RBRACKET -> "\"]\"";
      case RBRACE -> "\"}\"";
      case DURATION -> "duration";
      case STRING -> "string";
      default -> k.name().toLowerCase();
    };
  }

  private static Op binOp(Token t) {
    return switch (t.kind()) {
      case ADD -> Op.ADD;
      case SUB -> Op.SUB;
      case MUL -> Op.MUL;
      case DIV -> Op.DIV;
      case MOD -> Op.MOD;
      case POW -> Op.POW;
      case ATAN2 -> Op.ATAN2;
      case EQLC -> Op.EQLC;
      case NEQ -> Op.NEQ;
      case GTR -> Op.GTR;
      case LSS -> Op.LSS;
      case GTE -> Op.GTE;
      case LTE -> Op.LTE;
      case AND -> Op.AND;
      case OR -> Op.OR;
      case UNLESS -> Op.UNLESS;
      default -> null;
    };
  }

  private Expr parseExpr(int minPrec) {
    Expr lhs = parseUnary();
    while (true) {
      Token t = peek();
      Op op = binOp(t);
      if (op == null || op.precedence() < minPrec) {
        return lhs;
      }
      next();
      boolean returnBool = false;
      if (peek().kind() == Kind.BOOL) {
        next();
        returnBool = true;
      }
      Card card = op.isSetOperator() ? Card.MANY_TO_MANY : Card.ONE_TO_ONE;
      List<String> matching = List.of();
      boolean on = false;
      List<String> include = List.of();
      boolean explicitMatching = false;
      if (peek().kind() == Kind.ON || peek().kind() == Kind.IGNORING) {
        on = next().kind() == Kind.ON;
        matching = parseLabelList();
        explicitMatching = true;
        if (peek().kind() == Kind.GROUP_LEFT || peek().kind() == Kind.GROUP_RIGHT) {
          card = next().kind() == Kind.GROUP_LEFT ? Card.MANY_TO_ONE : Card.ONE_TO_MANY;
          if (peek().kind() == Kind.LPAREN) {
            include = parseLabelList();
          }
        }
      }
      int nextMin = op == Op.POW ? op.precedence() : op.precedence() + 1;
      Expr rhs = parseExpr(nextMin);
      lhs =
          binary(op, lhs, rhs, returnBool, card, matching, on, include, explicitMatching, t.pos());
    }
  }

  private Expr binary(
      Op op,
      Expr lhs,
      Expr rhs,
      boolean returnBool,
      Card card,
      List<String> matching,
      boolean on,
      List<String> include,
      boolean explicitMatching,
      int opPos) {
    int pos = lhs.pos();
    if (returnBool && !op.isComparison()) {
      throw err(opPos, "bool modifier can only be used on comparison operators");
    }
    ValueType lt = lhs.type();
    ValueType rt = rhs.type();
    if (op.isComparison() && !returnBool && lt == ValueType.SCALAR && rt == ValueType.SCALAR) {
      throw err(opPos, "comparisons between scalars must use BOOL modifier");
    }
    if (on) {
      for (String l : matching) {
        if (include.contains(l)) {
          throw err(opPos, "label \"" + l + "\" must not occur in ON and GROUP clause at once");
        }
      }
    }
    if (lt != ValueType.SCALAR && lt != ValueType.VECTOR) {
      throw err(lhs.pos(), "binary expression must contain only scalar and instant vector types");
    }
    if (rt != ValueType.SCALAR && rt != ValueType.VECTOR) {
      throw err(rhs.pos(), "binary expression must contain only scalar and instant vector types");
    }
    Ast.VectorMatching vm = null;
    if (lt != ValueType.VECTOR || rt != ValueType.VECTOR) {
      if (explicitMatching && !matching.isEmpty()) {
        throw err(pos, "vector matching only allowed between instant vectors");
      }
    } else {
      if (op.isSetOperator()) {
        if (card == Card.MANY_TO_ONE || card == Card.ONE_TO_MANY) {
          throw err(pos, "no grouping allowed for \"" + op.text + "\" operation");
        }
      }
      vm = new Ast.VectorMatching(card, matching, on, include);
    }
    if ((lt == ValueType.SCALAR || rt == ValueType.SCALAR) && op.isSetOperator()) {
      throw err(pos, "set operator \"" + op.text + "\" not allowed in binary scalar expression");
    }
    return new Ast.Binary(op, lhs, rhs, vm, returnBool, pos);
  }

  private Expr parseUnary() {
    Token t = peek();
    if (t.kind() == Kind.ADD || t.kind() == Kind.SUB) {
      next();
      Expr e = parseExpr(Op.POW.precedence());
      if (e instanceof Ast.NumberLiteral n) {
        return new Ast.NumberLiteral(t.kind() == Kind.SUB ? -n.value() : n.value(), t.pos());
      }
      if (e.type() != ValueType.SCALAR && e.type() != ValueType.VECTOR) {
        throw err(
            t.pos(),
            "unary expression only allowed on expressions of type scalar or instant vector, got \""
                + e.type().text()
                + "\"");
      }
      return new Ast.Unary(t.kind() == Kind.SUB, e, t.pos());
    }
    return parsePostfix(parsePrimary());
  }

  private Expr parsePostfix(Expr e) {
    while (true) {
      Token t = peek();
      if (t.kind() == Kind.LBRACKET) {
        next();
        Token d = peek();
        if (d.kind() != Kind.DURATION) {
          if (d.kind() == Kind.NUMBER) {
            throw err(d.pos(), "missing unit character in duration");
          }
          throw err(
              d.pos(),
              "unexpected " + d.describe() + " in subquery or range selector, expected duration");
        }
        next();
        long range = parsePositiveDuration(d);
        if (peek().kind() == Kind.COLON) {
          next();
          long step = 0;
          if (peek().kind() == Kind.DURATION) {
            step = parsePositiveDuration(next());
          } else if (peek().kind() != Kind.RBRACKET) {
            Token b = peek();
            throw err(
                b.pos(),
                "unexpected " + b.describe() + " in subquery selector, expected duration or \"]\"");
          }
          expect(Kind.RBRACKET, "subquery selector");
          if (e.type() != ValueType.VECTOR) {
            throw err(
                e.pos(),
                "subquery is only allowed on instant vector, got " + e.type().text() + " instead");
          }
          e = new Ast.Subquery(e, range, step, e.pos());
        } else {
          expect(Kind.RBRACKET, "range selector");
          if (!(e instanceof Ast.VectorSelector vs)) {
            throw err(t.pos(), "ranges only allowed for vector selectors");
          }
          if (vs.offset != 0 || vs.atKind != AtKind.NONE) {
            throw err(e.pos(), "no offset modifiers allowed before range");
          }
          e = new Ast.MatrixSelector(vs, range, e.pos());
        }
      } else if (t.kind() == Kind.OFFSET) {
        next();
        boolean neg = false;
        if (peek().kind() == Kind.SUB) {
          next();
          neg = true;
        } else if (peek().kind() == Kind.ADD) {
          next();
        }
        Token d = peek();
        if (d.kind() != Kind.DURATION) {
          throw err(d.pos(), "unexpected " + d.describe() + " in offset, expected duration");
        }
        next();
        long off = parseDuration(d);
        setOffset(e, neg ? -off : off, e.pos());
      } else if (t.kind() == Kind.AT) {
        next();
        Token a = next();
        if (a.kind() == Kind.START || a.kind() == Kind.END) {
          for (Kind want : new Kind[] {Kind.LPAREN, Kind.RPAREN}) {
            Token b = next();
            if (b.kind() != want) {
              throw err(b.pos(), "unexpected " + b.describe() + " in @, expected timestamp");
            }
          }
          setAt(e, a.kind() == Kind.START ? AtKind.START : AtKind.END, 0, e.pos());
        } else {
          boolean neg = false;
          if (a.kind() == Kind.SUB || a.kind() == Kind.ADD) {
            neg = a.kind() == Kind.SUB;
            a = next();
          }
          if (a.kind() != Kind.NUMBER) {
            throw err(a.pos(), "unexpected " + a.describe() + " in @, expected timestamp");
          }
          double ts = parseNumber(a);
          if (neg) {
            ts = -ts;
          }
          if (Double.isInfinite(ts)
              || Double.isNaN(ts)
              || ts >= 9.223372036854776E18
              || ts <= -9.223372036854776E18) {
            throw err(e.pos(), "timestamp out of bounds for @ modifier: " + goF(ts));
          }
          setAt(e, AtKind.TIMESTAMP, Math.round(ts * 1000), e.pos());
        }
      } else {
        return e;
      }
    }
  }

  /** Go's %f. */
  private static String goF(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return String.format(java.util.Locale.ROOT, "%f", v);
  }

  private void setOffset(Expr e, long off, int pos) {
    if (e instanceof Ast.VectorSelector vs) {
      if (vs.offset != 0) {
        throw err(pos, "offset may not be set multiple times");
      }
      vs.offset = off;
    } else if (e instanceof Ast.MatrixSelector ms) {
      if (ms.vs().offset != 0) {
        throw err(pos, "offset may not be set multiple times");
      }
      ms.vs().offset = off;
    } else if (e instanceof Ast.Subquery sq) {
      if (sq.offset != 0) {
        throw err(pos, "offset may not be set multiple times");
      }
      sq.offset = off;
    } else {
      throw err(
          pos,
          "offset modifier must be preceded by an instant vector selector or range vector"
              + " selector or a subquery");
    }
  }

  private void setAt(Expr e, AtKind kind, long at, int pos) {
    if (e instanceof Ast.MatrixSelector ms) {
      e = ms.vs();
    }
    if (e instanceof Ast.VectorSelector vs) {
      if (vs.atKind != AtKind.NONE) {
        throw err(pos, "@ <timestamp> may not be set multiple times");
      }
      vs.atKind = kind;
      vs.at = at;
    } else if (e instanceof Ast.Subquery sq) {
      if (sq.atKind != AtKind.NONE) {
        throw err(pos, "@ <timestamp> may not be set multiple times");
      }
      sq.atKind = kind;
      sq.at = at;
    } else {
      throw err(
          pos,
          "@ modifier must be preceded by an instant vector selector or range vector selector or"
              + " a subquery");
    }
  }

  private Expr parsePrimary() {
    Token t = peek();
    switch (t.kind()) {
      case NUMBER -> {
        next();
        return new Ast.NumberLiteral(parseNumber(t), t.pos());
      }
      case STRING -> {
        next();
        return new Ast.StringLiteral(Lexer.unquote(t.text()), t.pos());
      }
      case LPAREN -> {
        next();
        Expr e = parseExpr(0);
        expect(Kind.RPAREN, "paren expression");
        return new Ast.Paren(e, t.pos());
      }
      case LBRACE -> {
        return parseSelector(null, t.pos());
      }
      case AGGREGATOR -> {
        Kind n = peek(1).kind();
        if (n == Kind.LPAREN || n == Kind.BY || n == Kind.WITHOUT) {
          return parseAggregate();
        }
        next();
        return parseSelector(t.text(), t.pos());
      }
      case IDENT -> {
        next();
        if (peek().kind() == Kind.LPAREN) {
          return parseCall(t);
        }
        return parseSelector(t.text(), t.pos());
      }
      case METRIC_IDENT -> {
        next();
        return parseSelector(t.text(), t.pos());
      }
      default -> {
        switch (t.kind()) {
          case AND, OR, UNLESS, BY, WITHOUT, OFFSET, START, END -> {
            next();
            return parseSelector(t.text(), t.pos());
          }
          default -> {}
        }
        if (t.kind() == Kind.EOF) {
          throw err(t.pos(), "unexpected end of input");
        }
        throw err(t.pos(), "unexpected " + t.describe());
      }
    }
  }

  private Expr parseSelector(String name, int pos) {
    List<Matcher> matchers = new ArrayList<>();
    boolean hasBraces = false;
    if (peek().kind() == Kind.LBRACE) {
      hasBraces = true;
      next();
      while (peek().kind() != Kind.RBRACE) {
        Token ln = next();
        if (!ln.isNameLike() || !LABEL_NAME.matcher(ln.text()).matches()) {
          throw err(
              ln.pos(),
              "unexpected " + ln.describe() + " in label matching, expected identifier or \"}\"");
        }
        Token opTok = next();
        Matcher.Type type =
            switch (opTok.kind()) {
              case ASSIGN -> Matcher.Type.EQ;
              case NEQ -> Matcher.Type.NEQ;
              case EQL_REGEX -> Matcher.Type.RE;
              case NEQ_REGEX -> Matcher.Type.NRE;
              default ->
                  throw err(
                      opTok.pos(),
                      "unexpected "
                          + opTok.describe()
                          + " in label matching, expected one of \"=\", \"!=\", \"=~\", \"!~\"");
            };
        Token v = next();
        if (v.kind() != Kind.STRING) {
          throw err(v.pos(), "unexpected " + v.describe() + " in label matching, expected string");
        }
        try {
          matchers.add(Matcher.of(type, ln.text(), Lexer.unquote(v.text())));
        } catch (IllegalArgumentException ex) {
          throw err(ln.pos(), "error parsing regexp: " + ex.getMessage());
        }
        if (peek().kind() == Kind.COMMA) {
          next();
        } else if (peek().kind() != Kind.RBRACE) {
          Token b = peek();
          throw err(
              b.pos(),
              "unexpected " + b.describe() + " in label matching, expected \",\" or \"}\"");
        }
      }
      next();
    }
    if (name != null) {
      for (Matcher m : matchers) {
        if (m.name().equals(Labels.METRIC_NAME)) {
          throw err(
              pos, "metric name must not be set twice: \"" + name + "\" or \"" + m.value() + "\"");
        }
      }
      matchers.add(0, Matcher.eq(Labels.METRIC_NAME, name));
    }
    boolean nonEmpty = false;
    for (Matcher m : matchers) {
      if (!m.matchesEmpty()) {
        nonEmpty = true;
        break;
      }
    }
    if (!nonEmpty) {
      throw err(pos, "vector selector must contain at least one non-empty matcher");
    }
    assert hasBraces || name != null;
    return new Ast.VectorSelector(name, List.copyOf(matchers), pos);
  }

  private List<String> parseLabelList() {
    expect(Kind.LPAREN, "grouping opts");
    List<String> out = new ArrayList<>();
    while (peek().kind() != Kind.RPAREN) {
      Token t = next();
      if (!t.isNameLike() || !LABEL_NAME.matcher(t.text()).matches()) {
        throw err(t.pos(), "unexpected " + t.describe() + " in grouping opts, expected label");
      }
      out.add(t.text());
      if (peek().kind() == Kind.COMMA) {
        next();
      } else if (peek().kind() != Kind.RPAREN) {
        Token b = peek();
        throw err(
            b.pos(), "unexpected " + b.describe() + " in grouping opts, expected \",\" or \")\"");
      }
    }
    next();
    return List.copyOf(out);
  }

  private Expr parseAggregate() {
    Token t = next();

    Op op = Op.valueOf(t.text().toUpperCase(java.util.Locale.ROOT));
    List<String> grouping = List.of();
    boolean without = false;
    boolean haveGrouping = false;
    if (peek().kind() == Kind.BY || peek().kind() == Kind.WITHOUT) {
      without = next().kind() == Kind.WITHOUT;
      grouping = parseLabelList();
      haveGrouping = true;
    }
    if (peek().kind() != Kind.LPAREN) {
      throw err(peek().pos(), "unexpected " + peek().describe() + " in aggregation");
    }
    List<Expr> args = parseArgs();
    if (!haveGrouping && (peek().kind() == Kind.BY || peek().kind() == Kind.WITHOUT)) {
      without = next().kind() == Kind.WITHOUT;
      grouping = parseLabelList();
    }
    boolean hasParam =
        op == Op.TOPK || op == Op.BOTTOMK || op == Op.QUANTILE || op == Op.COUNT_VALUES;
    int want = hasParam ? 2 : 1;
    if (args.size() != want) {
      throw err(
          t.pos(),
          "wrong number of arguments for aggregate expression provided, expected "
              + want
              + ", got "
              + args.size());
    }
    Expr param = hasParam ? args.get(0) : null;
    Expr expr = args.get(want - 1);
    if (expr.type() != ValueType.VECTOR) {
      throw err(
          expr.pos(),
          "expected type instant vector in aggregation expression, got " + expr.type().text());
    }
    if (param != null) {
      ValueType pt = op == Op.COUNT_VALUES ? ValueType.STRING : ValueType.SCALAR;
      if (param.type() != pt) {
        throw err(
            param.pos(),
            "expected type " + pt.text() + " in aggregation parameter, got " + param.type().text());
      }
    }
    return new Ast.Aggregate(op, expr, param, grouping, without, t.pos());
  }

  private List<Expr> parseArgs() {
    expect(Kind.LPAREN, "function call");
    List<Expr> args = new ArrayList<>();
    while (peek().kind() != Kind.RPAREN) {
      args.add(parseExpr(0));
      if (peek().kind() == Kind.COMMA) {
        next();
      } else if (peek().kind() != Kind.RPAREN) {
        Token b = peek();
        throw err(
            b.pos(), "unexpected " + b.describe() + " in function call, expected \",\" or \")\"");
      }
    }
    next();
    return args;
  }

  private Expr parseCall(Token name) {
    Functions.Def f = Functions.get(name.text());
    if (f == null) {
      throw err(name.pos(), "unknown function with name \"" + name.text() + "\"");
    }
    List<Expr> args = parseArgs();
    int n = args.size();
    int req = f.argTypes().size();
    if (f.variadic() == 0) {
      if (n != req) {
        throw err(
            name.pos(),
            "expected " + req + " argument(s) in call to \"" + f.name() + "\", got " + n);
      }
    } else {
      int min = f.variadic() > 0 ? req - f.variadic() : req - 1;
      if (f.variadic() < 0) {
        min = req - 1;
      }
      if (n < min) {
        throw err(
            name.pos(),
            "expected at least " + min + " argument(s) in call to \"" + f.name() + "\", got " + n);
      }
      if (f.variadic() > 0 && n > req) {
        throw err(
            name.pos(),
            "expected at most " + req + " argument(s) in call to \"" + f.name() + "\", got " + n);
      }
    }
    for (int k = 0; k < n; k++) {
      ValueType want = k < req ? f.argTypes().get(k) : f.argTypes().get(req - 1);
      ValueType got = args.get(k).type();
      if (want != got) {
        throw err(
            args.get(k).pos(),
            "expected type "
                + want.text()
                + " in call to function \""
                + f.name()
                + "\", got "
                + got.text());
      }
    }
    return new Ast.Call(f, List.copyOf(args), name.pos());
  }

  private double parseNumber(Token t) {
    String s = t.text();
    String lower = s.toLowerCase(java.util.Locale.ROOT);
    if (lower.equals("inf")) {
      return Double.POSITIVE_INFINITY;
    }
    if (lower.equals("nan")) {
      return Double.NaN;
    }
    try {
      if (lower.startsWith("0x")) {
        return Long.parseLong(s.substring(2), 16);
      }
      if (s.length() > 1 && s.charAt(0) == '0' && s.chars().allMatch(c -> c >= '0' && c <= '7')) {
        return Long.parseLong(s, 8);
      }
      return Double.parseDouble(s);
    } catch (NumberFormatException ex) {
      throw err(
          t.pos(),
          "error parsing number: strconv.ParseFloat: parsing \"" + s + "\": invalid syntax");
    }
  }

  /** Parses a Prometheus duration ({@code 1h30m}, {@code 5m}, {@code 100ms}) to milliseconds. */
  public static long parseDurationMs(String s) {
    if (s.equals("0")) {
      return 0;
    }
    java.util.regex.Matcher m = DURATION.matcher(s);
    if (s.isEmpty() || !m.matches()) {
      throw new IllegalArgumentException("not a valid duration string: \"" + s + "\"");
    }
    long[] mult = {
      365L * 24 * 3600 * 1000,
      7L * 24 * 3600 * 1000,
      24L * 3600 * 1000,
      3600L * 1000,
      60L * 1000,
      1000L,
      1L
    };
    long total = 0;
    for (int g = 1; g <= 7; g++) {
      if (m.group(g) != null) {
        total += Long.parseLong(m.group(g)) * mult[g - 1];
      }
    }
    return total;
  }

  private long parsePositiveDuration(Token t) {
    long d = parseDuration(t);
    if (d == 0) {
      throw err(t.pos(), "duration must be greater than 0");
    }
    return d;
  }

  private long parseDuration(Token t) {
    try {
      return parseDurationMs(t.text());
    } catch (IllegalArgumentException ex) {
      throw err(t.pos(), ex.getMessage());
    }
  }
}
