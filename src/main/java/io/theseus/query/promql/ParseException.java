package io.theseus.query.promql;

/**
 * A PromQL syntax or type error. The message reads as Prometheus's does: {@code <line>:<col>: parse
 * error: <detail>}, with 1-based line and column of the offending position.
 */
public final class ParseException extends RuntimeException {
  private final int line;
  private final int col;
  private final String detail;

  ParseException(String query, int pos, String detail) {
    super(format(query, pos, detail));
    int ln = 1;
    int lastBreak = -1;
    for (int i = 0; i < Math.min(pos, query.length()); i++) {
      if (query.charAt(i) == '\n') {
        ln++;
        lastBreak = i;
      }
    }
    this.line = ln;
    this.col = pos - lastBreak;
    this.detail = detail;
  }

  private static String format(String query, int pos, String detail) {
    int ln = 1;
    int lastBreak = -1;
    for (int i = 0; i < Math.min(pos, query.length()); i++) {
      if (query.charAt(i) == '\n') {
        ln++;
        lastBreak = i;
      }
    }
    return ln + ":" + (pos - lastBreak) + ": parse error: " + detail;
  }

  public int line() {
    return line;
  }

  public int col() {
    return col;
  }

  /** The message without position. */
  public String detail() {
    return detail;
  }
}
