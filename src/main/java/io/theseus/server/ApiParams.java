package io.theseus.server;

import io.theseus.query.promql.Parser;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Parameter parsing of Prometheus's HTTP API ({@code web/api/v1/api.go}, 2.42), with its error
 * texts.
 *
 * <ul>
 *   <li>Times: a decimal float is Unix seconds, its fraction rounded to milliseconds like Go's
 *       {@code math.Modf} + {@code math.Round}; otherwise RFC 3339 with optional fraction and a
 *       {@code Z} or {@code ±hh:mm} offset; Prometheus's min/max time strings map to {@link
 *       #MIN_TIME_MS} / {@link #MAX_TIME_MS}.
 *   <li>Durations: a decimal float is seconds, otherwise a Prometheus duration ({@code 1m30s}).
 *       Returned in nanoseconds like Go's {@code time.Duration}.
 * </ul>
 *
 * Stateless and thread-safe.
 */
final class ApiParams {
  private ApiParams() {}

  /** Prometheus's {@code minTime} ({@code time.Unix(math.MinInt64/1000+62135596801, 0)}) in ms. */
  static final long MIN_TIME_MS = (Long.MIN_VALUE / 1000 + 62135596801L) * 1000;

  /** Prometheus's {@code maxTime} in ms. */
  static final long MAX_TIME_MS = (Long.MAX_VALUE / 1000 - 62135596801L) * 1000 + 999;

  static final String MIN_TIME_STRING = "-292273086-05-16T16:47:06Z";
  static final String MAX_TIME_STRING = "292277025-08-18T07:12:54.999999999Z";

  private static final Pattern FLOAT =
      Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern RFC3339 =
      Pattern.compile(
          "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})");

  /**
   * A bad parameter; the message is Prometheus's text without the {@code invalid parameter} part.
   */
  static final class BadParam extends Exception {
    BadParam(String msg) {
      super(msg, null, false, false);
    }
  }

  /**
   * Parses a timestamp to milliseconds.
   *
   * @throws BadParam {@code cannot parse "<s>" to a valid timestamp}
   */
  static long parseTime(String s) throws BadParam {
    if (FLOAT.matcher(s).matches()) {
      double t = Double.parseDouble(s);
      double sec = t < 0 ? Math.ceil(t) : Math.floor(t);
      double frac = t - sec;
      double r = Math.abs(frac * 1000);
      double rounded = Math.copySign(Math.floor(r + 0.5), frac) / 1000;
      long nanos = (long) (rounded * 1e9);
      long secs = (long) sec;
      long totalNanosFloorMs = Math.floorDiv(nanos, 1_000_000L);
      return secs * 1000 + totalNanosFloorMs;
    }
    if (s.equals(MIN_TIME_STRING)) {
      return MIN_TIME_MS;
    }
    if (s.equals(MAX_TIME_STRING)) {
      return MAX_TIME_MS;
    }
    if (RFC3339.matcher(s).matches()) {
      try {
        OffsetDateTime t = OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        return t.toEpochSecond() * 1000 + t.getNano() / 1_000_000;
      } catch (DateTimeParseException e) {
        // falls through to the error below
      }
    }
    throw new BadParam("cannot parse \"" + s + "\" to a valid timestamp");
  }

  /**
   * Parses a time parameter with a default, wording errors as {@code parseTimeParam} does.
   *
   * @throws BadParam {@code Invalid time value for '<name>': cannot parse ...}
   */
  static long timeParam(String value, String name, long dflt) throws BadParam {
    if (value == null || value.isEmpty()) {
      return dflt;
    }
    try {
      return parseTime(value);
    } catch (BadParam e) {
      throw new BadParam("Invalid time value for '" + name + "': " + e.getMessage());
    }
  }

  /**
   * Parses a duration to nanoseconds.
   *
   * @throws BadParam {@code cannot parse "<s>" to a valid duration}
   */
  static long parseDurationNanos(String s) throws BadParam {
    if (FLOAT.matcher(s).matches()) {
      double ns = Double.parseDouble(s) * 1e9;
      if (ns > 9.223372036854775807E18 || ns < -9.223372036854775808E18) {
        throw new BadParam("cannot parse \"" + s + "\" to a valid duration. It overflows int64");
      }
      return (long) ns;
    }
    try {
      long ms = Parser.parseDurationMs(s);
      if (ms > Long.MAX_VALUE / 1_000_000) {
        throw new BadParam("cannot parse \"" + s + "\" to a valid duration");
      }
      return ms * 1_000_000;
    } catch (IllegalArgumentException e) {
      throw new BadParam("cannot parse \"" + s + "\" to a valid duration");
    }
  }

  /** {@code model.LabelName.IsValid} of Prometheus 2.42. */
  static boolean validLabelName(String n) {
    if (n.isEmpty()) {
      return false;
    }
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      boolean ok =
          c == '_'
              || (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (i > 0 && c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * Parses a non-negative {@code limit}; empty means none (0).
   *
   * @throws BadParam when not a non-negative integer
   */
  static int limit(String s) throws BadParam {
    if (s == null || s.isEmpty()) {
      return 0;
    }
    try {
      int n = Integer.parseInt(s.trim());
      if (n < 0) {
        throw new BadParam("limit must be non-negative");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new BadParam("cannot parse \"" + s + "\" to a valid limit");
    }
  }
}
