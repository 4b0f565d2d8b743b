package io.theseus.query.promql;

import io.theseus.model.Labels;
import io.theseus.query.MemoryQueryable;
import io.theseus.query.Series;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs Prometheus's PromQL test-script language ({@code load}, {@code clear}, {@code eval instant},
 * {@code eval_ordered}, {@code eval_fail}) through the {@link Engine} over a {@link
 * MemoryQueryable}. Comparison rules follow Prometheus's own test harness: values are equal within
 * a relative epsilon of 1e-6 (NaN equals NaN), labels must match exactly, {@code eval_ordered} also
 * checks positions, and every non-ordered, non-failing instant eval is repeated as a range query
 * from t-1m to t+1m step 1m whose middle step must match too.
 *
 * <p>Not thread-safe; one runner per script.
 */
public final class ScriptRunner {
  /** One failed eval. */
  public record Failure(String file, int line, String expr, String message) {
    @Override
    public String toString() {
      return file + ":" + line + ": " + expr + "\n    " + message.replace("\n", "\n    ");
    }
  }

  /** The outcome of running scripts. */
  public record Outcome(int passed, int failed, List<Failure> failures) {}

  private static final Pattern EVAL =
      Pattern.compile("^eval(?:_(fail|ordered))?\\s+instant\\s+(?:at\\s+(.+?))?\\s+(.+)$");
  private static final Pattern LOAD = Pattern.compile("^load\\s+(.+?)$");
  private static final double EPSILON = 0.000001;
  private static final double MIN_NORMAL = Double.MIN_NORMAL;

  private final MemoryQueryable storage = new MemoryQueryable();
  private final Engine engine = new Engine(storage);
  private int passed;
  private final List<Failure> failures = new ArrayList<>();

  /** Runs one script file. */
  public static Outcome runFile(Path file) throws IOException {
    ScriptRunner r = new ScriptRunner();
    r.run(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    return new Outcome(r.passed, r.failures.size(), List.copyOf(r.failures));
  }

  /** Runs script text; {@code name} labels failures. */
  public static Outcome runText(String name, String text) {
    ScriptRunner r = new ScriptRunner();
    r.run(name, text);
    return new Outcome(r.passed, r.failures.size(), List.copyOf(r.failures));
  }

  private void run(String file, String text) {
    String[] lines = text.split("\n", -1);
    int i = 0;
    while (i < lines.length) {
      String raw = lines[i];
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        i++;
        continue;
      }
      int lineNo = i + 1;
      List<String> body = new ArrayList<>();
      List<Integer> bodyLines = new ArrayList<>();
      int j = i + 1;
      while (j < lines.length
          && !lines[j].isBlank()
          && (lines[j].startsWith(" ") || lines[j].startsWith("\t"))) {
        if (!lines[j].strip().startsWith("#")) {
          body.add(lines[j].strip());
          bodyLines.add(j + 1);
        }
        j++;
      }
      i = j;
      if (line.equals("clear")) {
        storage.clear();
        continue;
      }
      Matcher lm = LOAD.matcher(line);
      if (lm.matches()) {
        long step;
        try {
          step = Parser.parseDurationMs(lm.group(1));
        } catch (IllegalArgumentException e) {
          failures.add(new Failure(file, lineNo, line, "bad load interval: " + e.getMessage()));
          continue;
        }
        for (int k = 0; k < body.size(); k++) {
          try {
            load(body.get(k), step);
          } catch (RuntimeException e) {
            failures.add(
                new Failure(file, bodyLines.get(k), body.get(k), "bad series: " + e.getMessage()));
          }
        }
        continue;
      }
      Matcher em = EVAL.matcher(line);
      if (em.matches()) {
        String mod = em.group(1);
        String expr = em.group(3);
        try {
          long at = em.group(2) == null ? 0 : Parser.parseDurationMs(em.group(2));
          String err = eval(expr, at, "fail".equals(mod), "ordered".equals(mod), body);
          if (err == null) {
            passed++;
          } else {
            failures.add(new Failure(file, lineNo, expr, err));
          }
        } catch (RuntimeException e) {
          failures.add(new Failure(file, lineNo, expr, "error: " + e));
        }
        continue;
      }
      failures.add(new Failure(file, lineNo, line, "unsupported or invalid command"));
    }
  }

  // ------------------------------------------------------------------ series descriptions

  private record Desc(Labels labels, List<Double> values) {}

  private static final Object OMIT = new Object();

  private void load(String line, long step) {
    Desc d = parseDesc(line, true);
    for (int k = 0; k < d.values.size(); k++) {
      Double v = d.values.get(k);
      if (v != null) {
        storage.append(d.labels, k * step, v);
      }
    }
  }

  /** Parses {@code metric{l="v"} values...}; null entries are omitted ("_") samples. */
  static Desc parseDesc(String line, boolean allowExpand) {
    int p = 0;
    int n = line.length();
    Map<String, String> labels = new HashMap<>();
    int s = p;
    while (p < n
        && (Character.isLetterOrDigit(line.charAt(p))
            || line.charAt(p) == '_'
            || line.charAt(p) == ':')) {
      p++;
    }
    if (p > s) {
      labels.put(Labels.METRIC_NAME, line.substring(s, p));
    }
    if (p < n && line.charAt(p) == '{') {
      p++;
      while (true) {
        while (p < n && (line.charAt(p) == ' ' || line.charAt(p) == ',')) {
          p++;
        }
        if (p >= n) {
          throw new IllegalArgumentException("unterminated label set");
        }
        if (line.charAt(p) == '}') {
          p++;
          break;
        }
        int ns = p;
        while (p < n && (Character.isLetterOrDigit(line.charAt(p)) || line.charAt(p) == '_')) {
          p++;
        }
        String name = line.substring(ns, p);
        while (p < n && line.charAt(p) == ' ') {
          p++;
        }
        if (p >= n || line.charAt(p) != '=') {
          throw new IllegalArgumentException("expected = after label " + name);
        }
        p++;
        while (p < n && line.charAt(p) == ' ') {
          p++;
        }
        char q = line.charAt(p);
        int vs = p;
        p++;
        while (p < n && line.charAt(p) != q) {
          if (line.charAt(p) == '\\') {
            p++;
          }
          p++;
        }
        p++;
        labels.put(name, Lexer.unquote(line.substring(vs, p)));
      }
    }
    List<Double> values = new ArrayList<>();
    String rest = line.substring(Math.min(p, n)).strip();
    if (!rest.isEmpty()) {
      for (String item : rest.split("\\s+")) {
        expandItem(item, values);
      }
    }
    return new Desc(Labels.of(labels), values);
  }

  private static void expandItem(String item, List<Double> out) {
    if (item.equals("_")) {
      out.add(null);
      return;
    }
    if (item.startsWith("_x")) {
      int times = Integer.parseInt(item.substring(2));
      for (int i = 0; i < times; i++) {
        out.add(null);
      }
      return;
    }
    if (item.equals("stale")) {
      out.add(Series.staleNaN());
      return;
    }
    int[] pos = {0};
    double a = number(item, pos);
    if (pos[0] == item.length()) {
      out.add(a);
      return;
    }
    double b = 0;
    char c = item.charAt(pos[0]);
    if (c == '+' || c == '-') {
      b = number(item, pos);
      c = pos[0] < item.length() ? item.charAt(pos[0]) : 0;
    }
    if (c != 'x') {
      throw new IllegalArgumentException("bad value " + item);
    }
    int times = Integer.parseInt(item.substring(pos[0] + 1));
    for (int i = 0; i <= times; i++) {
      out.add(a);
      a += b;
    }
  }

  /** Reads a signed number (incl. Inf/NaN) starting at pos[0]. */
  private static double number(String s, int[] pos) {
    int p = pos[0];
    int st = p;
    if (p < s.length() && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
      p++;
    }
    if (s.regionMatches(true, p, "Inf", 0, 3)) {
      p += 3;
    } else if (s.regionMatches(true, p, "NaN", 0, 3)) {
      p += 3;
    } else {
      while (p < s.length()) {
        char c = s.charAt(p);
        if (Character.isDigit(c) || c == '.') {
          p++;
        } else if ((c == 'e' || c == 'E') && p + 1 < s.length()) {
          p++;
          if (s.charAt(p) == '+' || s.charAt(p) == '-') {
            p++;
          }
        } else {
          break;
        }
      }
    }
    pos[0] = p;
    Double d = VectorFunctions.parseGoFloat(s.substring(st, p));
    if (d == null) {
      throw new IllegalArgumentException("bad number in " + s);
    }
    return d;
  }

  // ------------------------------------------------------------------ evaluation

  private String eval(String expr, long at, boolean fail, boolean ordered, List<String> body) {
    Ast.Expr parsed;
    try {
      parsed = Parser.parse(expr);
    } catch (ParseException e) {
      return "parse error: " + e.getMessage();
    }
    QueryResult res;
    try {
      res = engine.instant(parsed, at);
    } catch (EvalException e) {
      return fail ? null : "unexpected error: " + e.getMessage();
    }
    if (fail) {
      return "expected error evaluating query but got none";
    }
    Map<Labels, Double> expected = new HashMap<>();
    Map<Labels, Integer> positions = new HashMap<>();
    Double expectedScalar = null;
    int pos = 0;
    for (String l : body) {
      Double num = VectorFunctions.parseGoFloat(l);
      if (num != null) {
        expectedScalar = num;
        expected.put(Labels.EMPTY, num);
        positions.put(Labels.EMPTY, ++pos);
        break;
      }
      Desc d = parseDesc(l, false);
      if (d.values.isEmpty()) {
        return "expected line without value: " + l;
      }
      expected.put(d.labels, d.values.get(0));
      positions.put(d.labels, ++pos);
    }
    String err = compare(res.type(), res.series(), expected, positions, expectedScalar, ordered);
    if (err != null || ordered) {
      return err;
    }
    QueryResult rr;
    try {
      rr = engine.range(parsed, at - 60_000, at + 60_000, 60_000);
    } catch (EvalException e) {
      return "range mode: unexpected error: " + e.getMessage();
    }
    List<Series> vec = new ArrayList<>();
    for (Series s : rr.series()) {
      for (int k = 0; k < s.size(); k++) {
        if (s.timestamps()[k] == at) {
          vec.add(new Series(s.labels(), new long[] {at}, new double[] {s.values()[k]}, 1));
          break;
        }
      }
    }
    if (res.type() == ValueType.SCALAR && vec.isEmpty()) {
      return "range mode: no scalar value at eval time";
    }
    err = compare(res.type(), vec, expected, positions, expectedScalar, false);
    return err == null ? null : "range mode: " + err;
  }

  private static String compare(
      ValueType type,
      List<Series> got,
      Map<Labels, Double> expected,
      Map<Labels, Integer> positions,
      Double expectedScalar,
      boolean ordered) {
    switch (type) {
      case MATRIX:
        return "received range result on instant evaluation";
      case STRING:
        return "unexpected string result";
      case SCALAR:
        {
          double v = got.get(0).values()[0];
          if (expectedScalar == null && expected.isEmpty()) {
            return "expected no result but got scalar " + v;
          }
          double want =
              expectedScalar != null ? expectedScalar : expected.values().iterator().next();
          if (!almostEqual(want, v)) {
            return "expected scalar " + want + " but got " + v;
          }
          return null;
        }
      default:
        break;
    }
    java.util.HashSet<Labels> seen = new java.util.HashSet<>();
    for (int i = 0; i < got.size(); i++) {
      Series s = got.get(i);
      Double want = expected.get(s.labels());
      if (want == null) {
        return "unexpected metric "
            + s.labels()
            + " in result (value "
            + s.values()[0]
            + ")"
            + describe(expected, got);
      }
      if (ordered && positions.get(s.labels()) != i + 1) {
        return "expected metric "
            + s.labels()
            + " with "
            + want
            + " at position "
            + positions.get(s.labels())
            + " but was at "
            + (i + 1);
      }
      if (!almostEqual(want, s.values()[0])) {
        return "expected " + want + " for " + s.labels() + " but got " + s.values()[0];
      }
      seen.add(s.labels());
    }
    for (Map.Entry<Labels, Double> e : expected.entrySet()) {
      if (!seen.contains(e.getKey())) {
        return "expected metric "
            + e.getKey()
            + " with "
            + e.getValue()
            + " not found"
            + describe(expected, got);
      }
    }
    return null;
  }

  private static String describe(Map<Labels, Double> expected, List<Series> got) {
    StringBuilder sb = new StringBuilder("\nexpected:");
    for (Map.Entry<Labels, Double> e : expected.entrySet()) {
      sb.append("\n  ").append(e.getKey()).append(' ').append(e.getValue());
    }
    sb.append("\ngot:");
    for (Series s : got) {
      sb.append("\n  ").append(s.labels()).append(' ').append(s.values()[0]);
    }
    return sb.toString();
  }

  static boolean almostEqual(double a, double b) {
    if (Double.isNaN(a) && Double.isNaN(b)) {
      return true;
    }
    if (a == b) {
      return true;
    }
    double diff = Math.abs(a - b);
    if (a == 0 || b == 0 || diff < MIN_NORMAL) {
      return diff < EPSILON * MIN_NORMAL;
    }
    return diff / (Math.abs(a) + Math.abs(b)) < EPSILON;
  }
}
