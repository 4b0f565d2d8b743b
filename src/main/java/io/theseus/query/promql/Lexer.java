package io.theseus.query.promql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Splits a PromQL query into tokens, following Prometheus 2.42's lexer: keywords are
 * case-insensitive, {@code Inf}/{@code NaN} are numbers, a number directly followed by a unit
 * letter is a duration, strings use Go escapes (single, double or back quotes). Whole-query
 * tokenisation happens up front; errors throw {@link ParseException} at the offending offset.
 */
final class Lexer {
  enum Kind {
    IDENT,
    METRIC_IDENT,
    NUMBER,
    DURATION,
    STRING,
    LPAREN,
    RPAREN,
    LBRACE,
    RBRACE,
    LBRACKET,
    RBRACKET,
    COMMA,
    ASSIGN,
    COLON,
    AT,
    // operators
    ADD,
    SUB,
    MUL,
    DIV,
    MOD,
    POW,
    EQLC,
    NEQ,
    LTE,
    LSS,
    GTE,
    GTR,
    EQL_REGEX,
    NEQ_REGEX,
    // keywords
    AND,
    OR,
    UNLESS,
    ATAN2,
    AGGREGATOR,
    BOOL,
    BY,
    WITHOUT,
    ON,
    IGNORING,
    GROUP_LEFT,
    GROUP_RIGHT,
    OFFSET,
    START,
    END,
    EOF
  }

  record Token(Kind kind, String text, int pos) {
    /** Whether this token can serve as a label or metric name (identifiers and keywords). */
    boolean isNameLike() {
      return switch (kind) {
        case IDENT,
                AND,
                OR,
                UNLESS,
                ATAN2,
                AGGREGATOR,
                BOOL,
                BY,
                WITHOUT,
                ON,
                IGNORING,
                GROUP_LEFT,
                GROUP_RIGHT,
                OFFSET,
                START,
                END ->
            true;
        default -> false;
      };
    }

    String describe() {
      return switch (kind) {
        case EOF -> "end of input";
        case IDENT, METRIC_IDENT -> "identifier \"" + text + "\"";
        case NUMBER -> "number \"" + text + "\"";
        case DURATION -> "duration \"" + text + "\"";
        case STRING -> "string \"" + text + "\"";
        case ADD,
                SUB,
                MUL,
                DIV,
                MOD,
                POW,
                EQLC,
                NEQ,
                LTE,
                LSS,
                GTE,
                GTR,
                EQL_REGEX,
                NEQ_REGEX,
                AND,
                OR,
                UNLESS,
                ATAN2 ->
            "<op:" + text.toLowerCase(java.util.Locale.ROOT) + ">";
        case AGGREGATOR -> "<aggr:" + text.toLowerCase(java.util.Locale.ROOT) + ">";
        case BOOL, BY, WITHOUT, ON, IGNORING, GROUP_LEFT, GROUP_RIGHT, OFFSET, START, END ->
            "<" + text.toLowerCase(java.util.Locale.ROOT) + ">";
        default -> "\"" + text + "\"";
      };
    }
  }

  private static final Map<String, Kind> KEYWORDS =
      Map.ofEntries(
          Map.entry("and", Kind.AND),
          Map.entry("or", Kind.OR),
          Map.entry("unless", Kind.UNLESS),
          Map.entry("atan2", Kind.ATAN2),
          Map.entry("sum", Kind.AGGREGATOR),
          Map.entry("avg", Kind.AGGREGATOR),
          Map.entry("count", Kind.AGGREGATOR),
          Map.entry("min", Kind.AGGREGATOR),
          Map.entry("max", Kind.AGGREGATOR),
          Map.entry("group", Kind.AGGREGATOR),
          Map.entry("stddev", Kind.AGGREGATOR),
          Map.entry("stdvar", Kind.AGGREGATOR),
          Map.entry("topk", Kind.AGGREGATOR),
          Map.entry("bottomk", Kind.AGGREGATOR),
          Map.entry("count_values", Kind.AGGREGATOR),
          Map.entry("quantile", Kind.AGGREGATOR),
          Map.entry("bool", Kind.BOOL),
          Map.entry("by", Kind.BY),
          Map.entry("without", Kind.WITHOUT),
          Map.entry("on", Kind.ON),
          Map.entry("ignoring", Kind.IGNORING),
          Map.entry("group_left", Kind.GROUP_LEFT),
          Map.entry("group_right", Kind.GROUP_RIGHT),
          Map.entry("offset", Kind.OFFSET),
          Map.entry("start", Kind.START),
          Map.entry("end", Kind.END),
          Map.entry("inf", Kind.NUMBER),
          Map.entry("nan", Kind.NUMBER));

  private final String in;
  private int pos;
  private final List<Token> out = new ArrayList<>();
  private boolean gotColon;

  private Lexer(String in) {
    this.in = in;
  }

  static List<Token> lex(String query) {
    Lexer l = new Lexer(query);
    l.run();
    return l.out;
  }

  private ParseException err(int at, String msg) {
    return new ParseException(in, at, msg);
  }

  private char peek() {
    return pos < in.length() ? in.charAt(pos) : 0;
  }

  private char peek(int k) {
    return pos + k < in.length() ? in.charAt(pos + k) : 0;
  }

  private void emit(Kind k, int start) {
    out.add(new Token(k, in.substring(start, pos), start));
  }

  private static boolean isAlpha(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isAlnum(char c) {
    return isAlpha(c) || isDigit(c);
  }

  private void run() {
    int braceDepth = 0;
    int parenDepth = 0;
    int bracketDepth = 0;
    while (true) {
      while (pos < in.length() && Character.isWhitespace(in.charAt(pos))) {
        pos++;
      }
      if (pos >= in.length()) {
        if (braceDepth > 0) {
          throw err(pos, "unexpected end of input inside braces");
        }
        if (bracketDepth > 0) {
          throw err(pos, "unclosed left bracket");
        }
        if (parenDepth > 0) {
          throw err(pos, "unclosed left parenthesis");
        }
        out.add(new Token(Kind.EOF, "", pos));
        return;
      }
      int start = pos;
      char c = in.charAt(pos);
      if (c == '#') {
        while (pos < in.length() && in.charAt(pos) != '\n') {
          pos++;
        }
        continue;
      }
      if (braceDepth > 0
          && !(c == '}'
              || c == ','
              || c == '='
              || c == '!'
              || c == '"'
              || c == '\''
              || c == '`'
              || isAlpha(c))) {
        throw err(start, "unexpected character inside braces: " + quoteChar(c));
      }
      if (braceDepth > 0 && c == '!' && peek(1) != '=' && peek(1) != '~') {
        throw err(start, "unexpected character after '!' inside braces: " + quoteChar(peek(1)));
      }
      if (bracketDepth > 0 && !gotColon && (isDigit(c) || c == '-' || c == '+' || c == '.')) {
        int save = pos;
        lexNumberOrDuration();
        Token last = out.get(out.size() - 1);
        if (last.kind() != Kind.DURATION) {
          throw err(save, "missing unit character in duration");
        }
        continue;
      }
      switch (c) {
        case '(' -> {
          pos++;
          parenDepth++;
          emit(Kind.LPAREN, start);
        }
        case ')' -> {
          pos++;
          if (--parenDepth < 0) {
            throw err(start + 1, "unexpected right parenthesis ')'");
          }
          emit(Kind.RPAREN, start);
        }
        case '{' -> {
          if (braceDepth > 0) {
            throw err(start, "unexpected left brace '{'");
          }
          pos++;
          braceDepth++;
          emit(Kind.LBRACE, start);
        }
        case '}' -> {
          pos++;
          if (--braceDepth < 0) {
            throw err(start, "unexpected right brace '}'");
          }
          emit(Kind.RBRACE, start);
        }
        case '[' -> {
          if (bracketDepth > 0) {
            throw err(start, "unexpected left bracket '['");
          }
          pos++;
          bracketDepth++;
          gotColon = false;
          emit(Kind.LBRACKET, start);
        }
        case ']' -> {
          pos++;
          if (--bracketDepth < 0) {
            throw err(start, "unexpected right bracket ']'");
          }
          emit(Kind.RBRACKET, start);
        }
        case ',' -> {
          pos++;
          emit(Kind.COMMA, start);
        }
        case ':' -> {
          if (bracketDepth == 0 || gotColon) {
            throw err(start, "unexpected colon ':'");
          }
          gotColon = true;
          pos++;
          emit(Kind.COLON, start);
        }
        case '@' -> {
          pos++;
          emit(Kind.AT, start);
        }
        case '+' -> op(Kind.ADD, 1);
        case '-' -> op(Kind.SUB, 1);
        case '*' -> op(Kind.MUL, 1);
        case '/' -> op(Kind.DIV, 1);
        case '%' -> op(Kind.MOD, 1);
        case '^' -> op(Kind.POW, 1);
        case '=' -> {
          if (peek(1) == '=') {
            op(Kind.EQLC, 2);
          } else if (peek(1) == '~') {
            op(Kind.EQL_REGEX, 2);
          } else {
            op(Kind.ASSIGN, 1);
          }
        }
        case '!' -> {
          if (peek(1) == '=') {
            op(Kind.NEQ, 2);
          } else if (peek(1) == '~' && braceDepth > 0) {
            op(Kind.NEQ_REGEX, 2);
          } else {
            throw err(start, "unexpected character after '!': " + quoteChar(peek(1)));
          }
        }
        case '<' -> {
          if (peek(1) == '=') {
            op(Kind.LTE, 2);
          } else {
            op(Kind.LSS, 1);
          }
        }
        case '>' -> {
          if (peek(1) == '=') {
            op(Kind.GTE, 2);
          } else {
            op(Kind.GTR, 1);
          }
        }
        case '"', '\'', '`' -> lexString(c);
        default -> {
          if (isDigit(c) || (c == '.' && isDigit(peek(1)))) {
            lexNumberOrDuration();
          } else if (isAlpha(c) || (c == ':' && braceDepth == 0)) {
            lexIdentifier(braceDepth > 0);
          } else {
            throw err(start, "unexpected character: " + quoteChar(c));
          }
        }
      }
    }
  }

  /** Go's %#U form of a rune: U+0071 'q'. */
  private static String goRune(char c) {
    return String.format("U+%04X '%c'", (int) c, c);
  }

  private static String quoteChar(char c) {
    return c == 0 ? "end of input" : "'" + c + "'";
  }

  private void op(Kind k, int len) {
    int start = pos;
    pos += len;
    emit(k, start);
  }

  private void lexIdentifier(boolean inBraces) {
    int start = pos;
    boolean colon = false;
    while (pos < in.length()) {
      char c = in.charAt(pos);
      if (isAlnum(c)) {
        pos++;
      } else if (c == ':' && !inBraces) {
        colon = true;
        pos++;
      } else {
        break;
      }
    }
    String word = in.substring(start, pos);
    if (inBraces) {
      emit(Kind.IDENT, start);
      return;
    }
    Kind kw = KEYWORDS.get(word.toLowerCase(Locale.ROOT));
    if (kw != null && !colon) {
      emit(kw, start);
    } else {
      emit(colon ? Kind.METRIC_IDENT : Kind.IDENT, start);
    }
  }

  private void acceptRun(String chars) {
    while (pos < in.length() && chars.indexOf(in.charAt(pos)) >= 0) {
      pos++;
    }
  }

  private boolean accept(String chars) {
    if (pos < in.length() && chars.indexOf(in.charAt(pos)) >= 0) {
      pos++;
      return true;
    }
    return false;
  }

  private void lexNumberOrDuration() {
    int start = pos;
    String digits = "0123456789";
    if (accept("0") && accept("xX")) {
      digits = "0123456789abcdefABCDEF";
    }
    acceptRun(digits);
    if (accept(".")) {
      acceptRun(digits);
    }
    if (accept("eE")) {
      accept("+-");
      acceptRun("0123456789");
    }
    if (!isAlnum(peek())) {
      emit(Kind.NUMBER, start);
      return;
    }
    if (acceptRemainingDuration()) {
      emit(Kind.DURATION, start);
      return;
    }
    throw err(start, "bad number or duration syntax: \"" + in.substring(start, pos) + "\"");
  }

  private boolean acceptRemainingDuration() {
    if (!accept("smhdwy")) {
      return false;
    }
    accept("s");
    while (accept("0123456789")) {
      acceptRun("0123456789");
      if (!accept("smhdw")) {
        return false;
      }
      accept("s");
    }
    if (isAlnum(peek())) {
      pos++;
      return false;
    }
    return true;
  }

  private void lexString(char quote) {
    int start = pos;
    pos++;
    while (true) {
      if (pos >= in.length()) {
        throw err(start, "unterminated quoted string");
      }
      char c = in.charAt(pos);
      if (c == quote) {
        pos++;
        break;
      }
      if (quote != '`' && c == '\n') {
        throw err(start, "unterminated quoted string");
      }
      if (quote != '`' && c == '\\') {
        pos++;
        try {
          lexEscape(quote);
        } catch (ParseException e) {
          throw err(start, e.detail());
        }
        continue;
      }
      pos++;
    }
    emit(Kind.STRING, start);
  }

  private void lexEscape(char quote) {
    char c = peek();
    int n;
    int base;
    long max;
    switch (c) {
      case 'a', 'b', 'f', 'n', 'r', 't', 'v', '\\' -> {
        pos++;
        return;
      }
      case '0', '1', '2', '3', '4', '5', '6', '7' -> {
        n = 3;
        base = 8;
        max = 255;
      }
      case 'x' -> {
        pos++;
        n = 2;
        base = 16;
        max = 255;
      }
      case 'u' -> {
        pos++;
        n = 4;
        base = 16;
        max = Character.MAX_CODE_POINT;
      }
      case 'U' -> {
        pos++;
        n = 8;
        base = 16;
        max = Character.MAX_CODE_POINT;
      }
      default -> {
        if (c == quote) {
          pos++;
          return;
        }
        if (c == 0) {
          throw err(pos, "escape sequence not terminated");
        }
        throw err(pos, "unknown escape sequence " + goRune(c));
      }
    }
    long x = 0;
    for (int i = 0; i < n; i++) {
      char d = peek();
      int dv = Character.digit(d, base);
      if (dv < 0) {
        if (d == 0) {
          throw err(pos, "escape sequence not terminated");
        }
        throw err(pos, "illegal character " + goRune(d) + " in escape sequence");
      }
      x = x * base + dv;
      pos++;
    }
    if (x > max || (base == 16 && n > 2 && x >= 0xD800 && x < 0xE000)) {
      throw err(pos, "escape sequence is an invalid Unicode code point");
    }
  }

  /** Go-style unquoting of a lexed string token (quotes included). */
  static String unquote(String s) {
    char q = s.charAt(0);
    String body = s.substring(1, s.length() - 1);
    if (q == '`') {
      return body;
    }
    StringBuilder sb = new StringBuilder(body.length());
    java.io.ByteArrayOutputStream bytes = null;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c != '\\') {
        flushBytes(sb, bytes);
        bytes = null;
        sb.append(c);
        continue;
      }
      char e = body.charAt(++i);
      if ("x01234567".indexOf(e) < 0) {
        flushBytes(sb, bytes);
        bytes = null;
      }
      switch (e) {
        case 'a' -> sb.append('\u0007');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'v' -> sb.append('\u000b');
        case 'x', '0', '1', '2', '3', '4', '5', '6', '7' -> {
          int v;
          if (e == 'x') {
            v = Integer.parseInt(body.substring(i + 1, i + 3), 16);
            i += 2;
          } else {
            v = Integer.parseInt(body.substring(i, i + 3), 8);
            i += 2;
          }
          if (bytes == null) {
            bytes = new java.io.ByteArrayOutputStream();
          }
          bytes.write(v);
          continue;
        }
        case 'u' -> {
          sb.appendCodePoint(Integer.parseInt(body.substring(i + 1, i + 5), 16));
          i += 4;
        }
        case 'U' -> {
          sb.appendCodePoint(Integer.parseInt(body.substring(i + 1, i + 9), 16));
          i += 8;
        }
        default -> sb.append(e);
      }
    }
    flushBytes(sb, bytes);
    return sb.toString();
  }

  private static void flushBytes(StringBuilder sb, java.io.ByteArrayOutputStream bytes) {
    if (bytes != null) {
      sb.append(new String(bytes.toByteArray(), java.nio.charset.StandardCharsets.UTF_8));
    }
  }
}
