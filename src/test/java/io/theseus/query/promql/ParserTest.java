package io.theseus.query.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.theseus.model.Labels;
import io.theseus.query.MemoryQueryable;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ParserTest {
  /**
   * Queries and the exact error Prometheus 2.42 (Debian's /usr/bin/prometheus) returned for them
   * through /api/v1/query: message wording and line:column position.
   */
  static Stream<Arguments> prometheusErrors() {
    String[][] rows = {
      {"foo{", "1:5: parse error: unexpected end of input inside braces"},
      {"foo{a=\"b\"", "1:10: parse error: unexpected end of input inside braces"},
      {"sum(", "1:5: parse error: unclosed left parenthesis"},
      {"1 +", "1:4: parse error: unexpected end of input"},
      {"foo[5m", "1:7: parse error: unclosed left bracket"},
      {"foo[5]", "1:5: parse error: missing unit character in duration"},
      {"foo[5m:", "1:8: parse error: unclosed left bracket"},
      {"foo offset", "1:11: parse error: unexpected end of input in offset, expected duration"},
      {
        "rate(foo)",
        "1:6: parse error: expected type range vector in call to function \"rate\", got instant"
            + " vector"
      },
      {"rate(foo[5m], 1)", "1:1: parse error: expected 1 argument(s) in call to \"rate\", got 2"},
      {"unknown(foo)", "1:1: parse error: unknown function with name \"unknown\""},
      {
        "\"a\" + 1",
        "1:1: parse error: binary expression must contain only scalar and instant vector types"
      },
      {"1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier"},
      {
        "foo and 1",
        "1:1: parse error: set operator \"and\" not allowed in binary scalar expression"
      },
      {
        "foo + on(a) group_left(a) bar",
        "1:5: parse error: label \"a\" must not occur in ON and GROUP clause at once"
      },
      {
        "sum(foo) by", "1:12: parse error: unexpected end of input in grouping opts, expected \"(\""
      },
      {"sum by (a) (foo) by (b)", "1:18: parse error: unexpected <by>"},
      {"foo{a=1}", "1:7: parse error: unexpected character inside braces: '1'"},
      {"foo{a!}", "1:6: parse error: unexpected character after '!' inside braces: '}'"},
      {"{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {"{a=\"\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"},
      {
        "{__name__=~\".*\"}",
        "1:1: parse error: vector selector must contain at least one non-empty matcher"
      },
      {
        "foo{__name__=\"bar\"}",
        "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\""
      },
      {"1 + bool 2", "1:3: parse error: bool modifier can only be used on comparison operators"},
      {
        "foo + bool bar", "1:5: parse error: bool modifier can only be used on comparison operators"
      },
      {
        "-\"a\"",
        "1:1: parse error: unary expression only allowed on expressions of type scalar or instant"
            + " vector, got \"string\""
      },
      {"(foo)[5m]", "1:6: parse error: ranges only allowed for vector selectors"},
      {
        "(foo) offset 5m",
        "1:1: parse error: offset modifier must be preceded by an instant vector selector or range"
            + " vector selector or a subquery"
      },
      {"foo offset 5m offset 1m", "1:1: parse error: offset may not be set multiple times"},
      {"foo @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times"},
      {"foo @ start", "1:12: parse error: unexpected end of input in @, expected timestamp"},
      {
        "topk(foo, bar)",
        "1:6: parse error: expected type scalar in aggregation parameter, got instant vector"
      },
      {
        "count_values(1, foo)",
        "1:14: parse error: expected type string in aggregation parameter, got scalar"
      },
      {
        "quantile(\"a\", foo)",
        "1:10: parse error: expected type scalar in aggregation parameter, got string"
      },
      {
        "label_replace(foo, \"a\")",
        "1:1: parse error: expected 5 argument(s) in call to \"label_replace\", got 2"
      },
      {
        "round(foo, 1, 2)",
        "1:1: parse error: expected at most 2 argument(s) in call to \"round\", got 3"
      },
      {
        "holt_winters(foo, 1, 2)",
        "1:14: parse error: expected type range vector in call to function \"holt_winters\", got"
            + " instant vector"
      },
      {
        "foo[5m] + 1",
        "1:1: parse error: binary expression must contain only scalar and instant vector types"
      },
      {
        "abs(foo[5m])",
        "1:5: parse error: expected type instant vector in call to function \"abs\", got range"
            + " vector"
      },
      {"1 +", "1:4: parse error: unexpected end of input"},
      {"  )", "1:4: parse error: unexpected right parenthesis ')'"},
      {"foo bar", "1:5: parse error: unexpected identifier \"bar\""},
      {"sum(foo) without (a) by (b)", "1:22: parse error: unexpected <by>"},
      {"5mm", "1:1: parse error: bad number or duration syntax: \"5mm\""},
      {
        "0x",
        "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"0x\": invalid syntax"
      },
      {
        "1e",
        "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"1e\": invalid syntax"
      },
      {"\"abc", "1:1: parse error: unterminated quoted string"},
      {"'a\\qb'", "1:1: parse error: unknown escape sequence U+0071 'q'"},
      {"foo{a=\"\\xZZ\"}", "1:7: parse error: illegal character U+005A 'Z' in escape sequence"},
      {"foo !~ bar", "1:5: parse error: unexpected character after '!': '~'"},
      {"foo[1m5h]", "1:5: parse error: not a valid duration string: \"1m5h\""},
      {"foo[0s]", "1:5: parse error: duration must be greater than 0"},
      {"rate(foo[5m:1m:1m])", "1:15: parse error: unexpected colon ':'"},
      {"max_over_time(foo[5m])[1m]", "1:23: parse error: ranges only allowed for vector selectors"},
      {"foo @ Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf"},
      {"absent()", "1:1: parse error: expected 1 argument(s) in call to \"absent\", got 0"},
      {
        "day_of_month(1,2)",
        "1:1: parse error: expected at most 1 argument(s) in call to \"day_of_month\", got 2"
      },
      {"group_left", "1:1: parse error: unexpected <group_left>"},
      {"1 + * 2", "1:5: parse error: unexpected <op:*>"},
      {
        "foo{a=\"b\" c=\"d\"}",
        "1:11: parse error: unexpected identifier \"c\" in label matching, expected \",\" or \"}\""
      },
      {
        "foo{a=\"b\",,}",
        "1:11: parse error: unexpected \",\" in label matching, expected identifier or \"}\""
      },
      {"sum(foo) by (a", "1:15: parse error: unclosed left parenthesis"},
      {
        "sum(foo) by (1)",
        "1:14: parse error: unexpected number \"1\" in grouping opts, expected label"
      },
      {
        "foo + on(1) bar",
        "1:10: parse error: unexpected number \"1\" in grouping opts, expected label"
      },
      {"(1", "1:3: parse error: unclosed left parenthesis"},
      {"1)", "1:3: parse error: unexpected right parenthesis ')'"},
      {"foo[5m:0s]", "1:8: parse error: duration must be greater than 0"},
      {"foo[0s:1m]", "1:5: parse error: duration must be greater than 0"},
      {
        "foo[5m:5]",
        "1:8: parse error: unexpected number \"5\" in subquery selector, expected duration or \"]\""
      },
      {"foo[5m] offset 1m [1m]", "1:19: parse error: ranges only allowed for vector selectors"},
      {"foo @ start(1)", "1:13: parse error: unexpected number \"1\" in @, expected timestamp"},
      {"foo offset 1m @ end() offset 2m", "1:1: parse error: offset may not be set multiple times"},
      {"foo @", "1:6: parse error: unexpected end of input in @, expected timestamp"},
      {"foo offset", "1:11: parse error: unexpected end of input in offset, expected duration"},
      {"foo offset 5", "1:12: parse error: unexpected number \"5\" in offset, expected duration"},
      {"sum without(a)", "1:15: parse error: unexpected end of input in aggregation"},
      {
        "sum(1, 2)",
        "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1,"
            + " got 2"
      },
      {
        "topk(1)",
        "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2,"
            + " got 1"
      },
      {
        "1 + \"a\"",
        "1:5: parse error: binary expression must contain only scalar and instant vector types"
      },
      {"bool", "1:1: parse error: unexpected <bool>"},
      {"on", "1:1: parse error: unexpected <on>"},
      {"atan2", "1:1: parse error: unexpected <op:atan2>"},
      {
        "time()[5m:]",
        "1:1: parse error: subquery is only allowed on instant vector, got scalar instead"
      },
      {
        "-foo[5m]",
        "1:1: parse error: unary expression only allowed on expressions of type scalar or instant"
            + " vector, got \"range vector\""
      },
      {
        "100000000000000000000 @ 1",
        "1:1: parse error: @ modifier must be preceded by an instant vector selector or range"
            + " vector selector or a subquery"
      },
      {"sort(foo, 1)", "1:1: parse error: expected 1 argument(s) in call to \"sort\", got 2"},
      {
        "histogram_quantile(foo, bar)",
        "1:20: parse error: expected type scalar in call to function \"histogram_quantile\", got"
            + " instant vector"
      },
      {"'a' 'b'", "1:5: parse error: unexpected string \"'b'\""},
      {"foo[-5m]", "1:5: parse error: missing unit character in duration"},
    };
    return Stream.of(rows).map(r -> Arguments.of(r[0], r[1]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("prometheusErrors")
  void parse_invalidQuery_failsLikePrometheus(String query, String message) {
    assertThatThrownBy(() -> Parser.parse(query))
        .isInstanceOf(ParseException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validQueries")
  void parse_validQuery_succeeds(String query) {
    assertThat(Parser.parse(query)).isNotNull();
  }

  /** Queries Prometheus 2.42 accepted. */
  static Stream<String> validQueries() {
    return Stream.of(
        "sum",
        "foo atan2 bar",
        "sum by (on) (foo)",
        "sum by (__name__) (foo)",
        "foo{on=\"a\", by=\"b\", bool=\"c\"}",
        "foo:bar:baz{a=\"b\"}",
        "{__name__=\"foo\"}",
        "abs",
        "vector(1)[5m:1m] offset 1m",
        "foo == bool 1 == bool 2",
        "foo{a=\"b\"} @ 1.5e3",
        "foo @ 0x10",
        "foo @ -1",
        "foo[5m] @ 1 offset 2m",
        "rate(foo[5m] @ 1)",
        "foo @ end()",
        "label_join(foo, \"a\", \"b\", \"c\", \"d\")",
        ".5 + 5.",
        "`raw\\q`",
        "foo[1y1w1d1h1m1s1ms]",
        "sum(rate(foo[5m])) by (job) > bool 0",
        "foo offset -5m",
        "topk by (a) (3, foo)",
        "count_values without (a) (\"v\", foo)",
        "foo + ignoring(a) group_right(b, c) bar",
        "foo and on() bar or baz unless qux",
        "max_over_time(rate(foo[5m])[30m:])",
        "# comment only before\nfoo # trailing\n");
  }

  private static double eval(String q) {
    QueryResult r = new Engine(new MemoryQueryable()).instant(q, 0);
    assertThat(r.type()).isEqualTo(ValueType.SCALAR);
    return r.series().get(0).values()[0];
  }

  @Test
  void parse_powerIsRightAssociative() {
    assertThat(eval("2 ^ 3 ^ 2")).isEqualTo(512);
  }

  @Test
  void parse_unaryMinusBindsLooserThanPower() {
    assertThat(eval("-2 ^ 2")).isEqualTo(-4);
    assertThat(eval("-(2) ^ 2")).isEqualTo(-4);
    assertThat(eval("2 ^ -1")).isEqualTo(0.5);
  }

  @Test
  void parse_precedenceOfArithmeticAndComparison() {
    assertThat(eval("1 + 2 * 3 - 4 / 2")).isEqualTo(5);
    assertThat(eval("1 + 2 == bool 3")).isEqualTo(1);
    assertThat(eval("7 % 4 * 2")).isEqualTo(6);
    assertThat(eval("10 - 2 - 3")).isEqualTo(5);
  }

  @Test
  void parse_numberForms() {
    assertThat(eval("0x1F")).isEqualTo(31);
    assertThat(eval("010")).isEqualTo(8);
    assertThat(eval("1e3")).isEqualTo(1000);
    assertThat(eval("-Inf")).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(eval("iNf")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(eval("NaN")).isNaN();
  }

  @Test
  void parse_stringEscapes_followGo() {
    Ast.Expr e = Parser.parse("\"a\\tb\\x41\\u00e9\\U0001F600\\\"\\101\"");
    assertThat(((Ast.StringLiteral) e).value()).isEqualTo("a\tbA\u00e9\uD83D\uDE00\"A");
    assertThat(((Ast.StringLiteral) Parser.parse("'it\\'s'")).value()).isEqualTo("it's");
    assertThat(((Ast.StringLiteral) Parser.parse("`a\\nb`")).value()).isEqualTo("a\\nb");
  }

  @Test
  void parse_selectorModifiers() {
    Ast.MatrixSelector ms =
        (Ast.MatrixSelector) Parser.parse("foo{a=~\"x|y\"}[1h30m] offset -5m @ 100.5");
    assertThat(ms.range()).isEqualTo(5_400_000);
    assertThat(ms.vs().offset).isEqualTo(-300_000);
    assertThat(ms.vs().at).isEqualTo(100_500);
    assertThat(ms.vs().atKind).isEqualTo(Ast.AtKind.TIMESTAMP);
    assertThat(ms.vs().matchers).hasSize(2);
    assertThat(ms.vs().matchers.get(0).name()).isEqualTo(Labels.METRIC_NAME);
  }

  @Test
  void parse_multiLineQuery_reportsLineAndColumn() {
    assertThatThrownBy(() -> Parser.parse("sum(\n  foo{a=1}\n)"))
        .isInstanceOf(ParseException.class)
        .hasMessage("2:9: parse error: unexpected character inside braces: '1'");
    assertThatThrownBy(() -> Parser.parse("sum(\n  foo\n) +"))
        .hasMessage("3:4: parse error: unexpected end of input");
  }

  @Test
  void parseDurationMs_rejectsOutOfOrderUnits() {
    assertThat(Parser.parseDurationMs("1d2h3m4s5ms")).isEqualTo(93_784_005L);
    assertThatThrownBy(() -> Parser.parseDurationMs("5s1m"))
        .hasMessage("not a valid duration string: \"5s1m\"");
  }

  @Property(tries = 2000)
  void parse_arbitraryInput_onlyThrowsParseException(@ForAll @StringLength(max = 40) String junk) {
    try {
      Parser.parse(junk);
    } catch (ParseException e) {
      assertThat(e.getMessage()).contains("parse error: ");
    }
  }

  @Property(tries = 1000)
  void parse_tokenSoup_onlyThrowsParseException(@ForAll("soup") String q) {
    try {
      Parser.parse(q);
    } catch (ParseException e) {
      assertThat(e.line()).isPositive();
      assertThat(e.col()).isPositive();
    }
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> soup() {
    return net.jqwik.api.Arbitraries.of(
            "foo",
            "{",
            "}",
            "a=\"b\"",
            "(",
            ")",
            "[5m]",
            "[5m:1m]",
            "sum",
            "by",
            "(a)",
            "+",
            "-",
            "^",
            "==",
            "bool",
            "on",
            "group_left",
            "offset 5m",
            "@ 10",
            "@ start()",
            "rate",
            ",",
            "1",
            "\"s\"",
            "and",
            "topk",
            "[",
            "]",
            ":",
            "0x1",
            "Inf",
            "#c\n")
        .list()
        .ofMaxSize(12)
        .map(l -> String.join(" ", l));
  }
}
