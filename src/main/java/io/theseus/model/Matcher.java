package io.theseus.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A label matcher ({@code =}, {@code !=}, {@code =~}, {@code !~}) with Prometheus semantics.
 *
 * <p>Regexes are fully anchored and use Go RE2 syntax. Java's {@link Pattern} accepts a superset
 * of RE2 with a few different meanings, so {@link #translate} rewrites RE2-only forms
 * ({@code (?P<n>}, POSIX classes {@code [[:alpha:]]}) and rejects Java-only ones (look-around,
 * back-references, possessive quantifiers, {@code \G}, {@code \Z}). Patterns are compiled with
 * {@link Pattern#UNIX_LINES} so that {@code .} excludes only {@code \n}, as in Go, and matched
 * with {@link java.util.regex.Matcher#matches()} rather than {@code ^...$} (Java's {@code $}
 * would also match before a final newline).
 *
 * <p>A regex that is a plain alternation of literals ({@code a|b|c}) is recognised and exposed by
 * {@link #setValues()} so index readers can answer it with value lookups.
 *
 * <p>Immutable and thread-safe.
 */
public final class Matcher {
  /** Matcher type, in the order of the remote-read protobuf enum. */
  public enum Type {
    EQ("="),
    NEQ("!="),
    RE("=~"),
    NRE("!~");

    private final String op;

    Type(String op) {
      this.op = op;
    }

    public String op() {
      return op;
    }
  }

  private final Type type;
  private final String name;
  private final String value;
  private final Pattern pattern;
  private final List<String> setValues;

  private Matcher(Type type, String name, String value) {
    this.type = Objects.requireNonNull(type);
    this.name = Objects.requireNonNull(name);
    this.value = Objects.requireNonNull(value);
    if (type == Type.RE || type == Type.NRE) {
      try {
        this.pattern = Pattern.compile(translate(value), Pattern.UNIX_LINES);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "invalid regular expression " + GoQuote.quote(value) + ": " + e.getDescription(), e);
      }
      this.setValues = literalAlternation(value);
    } else {
      this.pattern = null;
      this.setValues = null;
    }
  }

  /**
   * Creates a matcher.
   *
   * @throws IllegalArgumentException if a regex is invalid or uses syntax RE2 does not have
   */
  public static Matcher of(Type type, String name, String value) {
    return new Matcher(type, name, value);
  }

  public static Matcher eq(String name, String value) {
    return new Matcher(Type.EQ, name, value);
  }

  public Type type() {
    return type;
  }

  public String name() {
    return name;
  }

  public String value() {
    return value;
  }

  /** Whether this matcher accepts the (possibly empty, i.e. absent) label value {@code v}. */
  public boolean matches(String v) {
    return switch (type) {
      case EQ -> value.equals(v);
      case NEQ -> !value.equals(v);
      case RE -> pattern.matcher(v).matches();
      case NRE -> !pattern.matcher(v).matches();
    };
  }

  /** Whether the matcher accepts a series that lacks the label: it must be a filter then. */
  public boolean matchesEmpty() {
    return matches("");
  }

  /**
   * For {@code =~} with a regex that is an alternation of plain literals, the literals; else
   * null. {@code =} gives a one-element list.
   */
  public List<String> setValues() {
    if (type == Type.EQ) {
      return List.of(value);
    }
    return type == Type.RE ? setValues : null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Matcher m && m.type == type && m.name.equals(name) && m.value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, name, value);
  }

  @Override
  public String toString() {
    return name + type.op + GoQuote.quote(value);
  }

  /** Splits {@code a|b|c} into literals when no alternative has a regex metacharacter. */
  static List<String> literalAlternation(String re) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < re.length(); i++) {
      char c = re.charAt(i);
      if (c == '|') {
        out.add(cur.toString());
        cur.setLength(0);
      } else if (c == '\\' && i + 1 < re.length() && isEscapablePunct(re.charAt(i + 1))) {
        cur.append(re.charAt(++i));
      } else if (".+*?()[]{}^$\\".indexOf(c) >= 0) {
        return null;
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return List.copyOf(out);
  }

  private static boolean isEscapablePunct(char c) {
    return c < 0x80 && !Character.isLetterOrDigit(c) && c != '_';
  }

  /**
   * Rewrites an RE2 pattern into an equivalent Java pattern, or throws when it uses a construct
   * whose Java meaning differs from (or is absent in) RE2.
   *
   * @throws IllegalArgumentException naming the construct
   */
  public static String translate(String re) {
    StringBuilder sb = new StringBuilder(re.length() + 8);
    int depthClass = 0;
    for (int i = 0; i < re.length(); i++) {
      char c = re.charAt(i);
      if (c == '\\') {
        if (i + 1 >= re.length()) {
          throw bad(re, "trailing backslash");
        }
        char n = re.charAt(i + 1);
        if (n >= '1' && n <= '9' && depthClass == 0) {
          throw bad(re, "back-references (\\" + n + ") are not supported");
        }
        if (n == 'Z' || n == 'G' || n == 'R' || n == 'X' || n == 'h' || n == 'H' || n == 'V'
            || n == 'k' || n == 'e' || n == 'c') {
          throw bad(re, "escape \\" + n + " is not valid in RE2");
        }
        if (n == 'Q') {
          int end = re.indexOf("\\E", i + 2);
          String lit = end < 0 ? re.substring(i + 2) : re.substring(i + 2, end);
          sb.append(Pattern.quote(lit));
          i = end < 0 ? re.length() : end + 1;
          continue;
        }
        sb.append(c).append(n);
        i++;
        continue;
      }
      if (depthClass > 0) {
        if (c == '[' && re.startsWith("[:", i)) {
          int end = re.indexOf(":]", i + 2);
          if (end < 0) {
            throw bad(re, "unterminated POSIX class");
          }
          String cls = re.substring(i + 2, end);
          boolean neg = cls.startsWith("^");
          String j = posix(neg ? cls.substring(1) : cls, re);
          sb.append(neg ? "&&[^" + j + "]" : j);
          i = end + 1;
          continue;
        }
        if (c == '[') {
          // A literal '[' inside a class in RE2; Java would read it as a nested class.
          sb.append("\\[");
          continue;
        }
        if (c == '&' && i + 1 < re.length() && re.charAt(i + 1) == '&') {
          sb.append("&\\&");
          i++;
          continue;
        }
        if (c == ']') {
          depthClass = 0;
        }
        sb.append(c);
        continue;
      }
      if (c == '[') {
        depthClass = 1;
        sb.append(c);
        // A ']' right after '[' or '[^' is a literal in RE2.
        if (i + 1 < re.length() && re.charAt(i + 1) == '^') {
          sb.append('^');
          i++;
        }
        if (i + 1 < re.length() && re.charAt(i + 1) == ']') {
          sb.append("\\]");
          i++;
        }
        continue;
      }
      if (c == '(' && i + 1 < re.length() && re.charAt(i + 1) == '?') {
        if (re.startsWith("(?P<", i)) {
          sb.append("(?<");
          i += 3;
          continue;
        }
        if (re.startsWith("(?=", i) || re.startsWith("(?!", i) || re.startsWith("(?<", i)
            || re.startsWith("(?>", i)) {
          throw bad(re, "look-around and atomic groups are not supported");
        }
      }
      if ((c == '+') && i > 0 && isQuantifierEnd(re, i - 1)) {
        throw bad(re, "possessive quantifiers are not supported");
      }
      sb.append(c);
    }
    return sb.toString();
  }

  private static boolean isQuantifierEnd(String re, int j) {
    char p = re.charAt(j);
    if (j > 0 && re.charAt(j - 1) == '\\') {
      return false;
    }
    return p == '*' || p == '+' || p == '?' || p == '}';
  }

  private static String posix(String cls, String re) {
    return switch (cls) {
      case "alnum" -> "\\p{Alnum}";
      case "alpha" -> "\\p{Alpha}";
      case "ascii" -> "\\x00-\\x7F";
      case "blank" -> "\\t ";
      case "cntrl" -> "\\p{Cntrl}";
      case "digit" -> "0-9";
      case "graph" -> "\\p{Graph}";
      case "lower" -> "a-z";
      case "print" -> "\\p{Print}";
      case "punct" -> "\\p{Punct}";
      case "space" -> "\\t\\n\\x0B\\f\\r ";
      case "upper" -> "A-Z";
      case "word" -> "0-9A-Za-z_";
      case "xdigit" -> "0-9A-Fa-f";
      default -> throw bad(re, "unknown POSIX class [:" + cls + ":]");
    };
  }

  private static IllegalArgumentException bad(String re, String why) {
    return new IllegalArgumentException(
        "invalid regular expression " + GoQuote.quote(re) + ": " + why);
  }
}
