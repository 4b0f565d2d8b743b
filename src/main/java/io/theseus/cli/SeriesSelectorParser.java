package io.theseus.cli;

import io.theseus.model.Labels;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses a PromQL-style series selector with equality matchers only — {@code metric{l="v", ...}},
 * {@code {__name__="metric", l="v"}} or a bare {@code metric} — into the label set of one concrete
 * series. Values are PromQL strings: double- or single-quoted with Go escapes ({@code \n \t \\ \"
 * backslash-x backslash-u and backslash-U \NNN} octal), or raw in backticks. Errors name the
 * position and the offending text. Stateless.
 */
final class SeriesSelectorParser {
  private final String s;
  private int pos;

  private SeriesSelectorParser(String s) {
    this.s = s;
  }

  /**
   * Parses {@code selector}.
   *
   * @throws IllegalArgumentException with the position of the first error
   */
  static Labels parse(String selector) {
    return new SeriesSelectorParser(selector).selector();
  }

  private Labels selector() {
    Map<String, String> labels = new LinkedHashMap<>();
    skipSpace();
    if (pos < s.length() && s.charAt(pos) != '{') {
      String name = identifier(true);
      labels.put(Labels.METRIC_NAME, name);
      skipSpace();
    }
    if (pos < s.length() && s.charAt(pos) == '{') {
      pos++;
      skipSpace();
      while (pos < s.length() && s.charAt(pos) != '}') {
        int at = pos;
        String name = identifier(false);
        skipSpace();
        if (pos >= s.length() || s.charAt(pos) != '=') {
          throw error("expected '=' after label " + name + " (only = matchers describe a series)");
        }
        pos++;
        if (pos < s.length() && (s.charAt(pos) == '~' || s.charAt(pos) == '=')) {
          throw error("only = matchers describe a series");
        }
        skipSpace();
        String value = string();
        if (labels.containsKey(name)) {
          pos = at;
          throw error("duplicate label " + name);
        }
        labels.put(name, value);
        skipSpace();
        if (pos < s.length() && s.charAt(pos) == ',') {
          pos++;
          skipSpace();
        } else if (pos < s.length() && s.charAt(pos) != '}') {
          throw error("expected ',' or '}'");
        }
      }
      if (pos >= s.length()) {
        throw error("missing '}'");
      }
      pos++;
      skipSpace();
    }
    if (pos != s.length()) {
      throw error("unexpected text");
    }
    Labels l = Labels.of(labels);
    if (l.metricName().isEmpty()) {
      throw new IllegalArgumentException(
          "selector '" + s + "' has no metric name (give metric{...} or __name__=\"...\")");
    }
    String name = l.metricName();
    if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
      throw new IllegalArgumentException("invalid metric name '" + name + "' in selector");
    }
    return l;
  }

  private String identifier(boolean metric) {
    int start = pos;
    while (pos < s.length()) {
      char c = s.charAt(pos);
      boolean ok =
          c == '_'
              || (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (pos > start && c >= '0' && c <= '9')
              || (metric && c == ':');
      if (!ok) {
        break;
      }
      pos++;
    }
    if (pos == start) {
      throw error(metric ? "expected a metric name or '{'" : "expected a label name");
    }
    return s.substring(start, pos);
  }

  private String string() {
    if (pos >= s.length()) {
      throw error("expected a quoted value");
    }
    char q = s.charAt(pos);
    if (q != '"' && q != '\'' && q != '`') {
      throw error("expected a quoted value");
    }
    int start = pos++;
    StringBuilder b = new StringBuilder();
    while (pos < s.length()) {
      char c = s.charAt(pos++);
      if (c == q) {
        return b.toString();
      }
      if (c == '\\' && q != '`') {
        escape(b, q);
      } else if (c == '\n' && q != '`') {
        pos = start;
        throw error("newline in quoted value");
      } else {
        b.append(c);
      }
    }
    pos = start;
    throw error("unterminated quoted value");
  }

  private void escape(StringBuilder b, char quote) {
    if (pos >= s.length()) {
      throw error("unterminated escape");
    }
    char c = s.charAt(pos++);
    switch (c) {
      case 'a' -> b.append('\u0007');
      case 'b' -> b.append('\b');
      case 'f' -> b.append('\f');
      case 'n' -> b.append('\n');
      case 'r' -> b.append('\r');
      case 't' -> b.append('\t');
      case 'v' -> b.append('\u000b');
      case '\\' -> b.append('\\');
      case 'x' -> b.append((char) hex(2));
      case 'u' -> b.appendCodePoint(codePoint(hex(4)));
      case 'U' -> b.appendCodePoint(codePoint(hex(8)));
      case '0', '1', '2', '3', '4', '5', '6', '7' -> {
        pos--;
        int v = 0;
        for (int i = 0; i < 3; i++) {
          if (pos >= s.length() || s.charAt(pos) < '0' || s.charAt(pos) > '7') {
            throw error("octal escape needs 3 digits");
          }
          v = v * 8 + (s.charAt(pos++) - '0');
        }
        if (v > 255) {
          throw error("octal escape above \\377");
        }
        b.append((char) v);
      }
      default -> {
        if (c == quote) {
          b.append(c);
        } else {
          pos--;
          throw error("unknown escape \\" + c);
        }
      }
    }
  }

  private int codePoint(int v) {
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
      throw error("escape is not a valid Unicode code point");
    }
    return v;
  }

  private int hex(int n) {
    if (pos + n > s.length()) {
      throw error("short hex escape");
    }
    try {
      int v = (int) Long.parseLong(s.substring(pos, pos + n), 16);
      pos += n;
      return v;
    } catch (NumberFormatException e) {
      throw error("bad hex escape");
    }
  }

  private void skipSpace() {
    while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
      pos++;
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(
        "bad series selector at position " + pos + ": " + what + " in '" + s + "'");
  }
}
