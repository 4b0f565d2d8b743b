package io.theseus.schema;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus {@code model.Duration} text, as Cortex's schema config uses for table periods: {@code
 * [Ny][Nw][Nd][Nh][Nm][Ns][Nms]} with at least one unit, or the bare {@code 0}. A year is 365 days,
 * a week 7 days. Stateless.
 */
final class PromDuration {
  private static final Pattern DURATION =
      Pattern.compile(
          "^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?"
              + "(?:([0-9]+)s)?(?:([0-9]+)ms)?$");
  private static final long[] UNIT_MS = {
    365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1
  };

  private PromDuration() {}

  /**
   * Parses {@code text} to milliseconds.
   *
   * @throws IllegalArgumentException naming the text when it is not a Prometheus duration
   */
  static long parseMillis(String text) {
    if ("0".equals(text)) {
      return 0;
    }
    Matcher m = text == null || text.isEmpty() ? null : DURATION.matcher(text);
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException(
          "not a valid duration string: \"" + text + "\" (use e.g. 168h, 1w, 7d, 24h or 0)");
    }
    long total = 0;
    for (int i = 0; i < UNIT_MS.length; i++) {
      String g = m.group(i + 1);
      if (g != null) {
        try {
          total = Math.addExact(total, Math.multiplyExact(Long.parseLong(g), UNIT_MS[i]));
        } catch (ArithmeticException | NumberFormatException e) {
          throw new IllegalArgumentException("duration out of range: \"" + text + "\"");
        }
      }
    }
    return total;
  }

  /** Formats milliseconds the way Prometheus prints a duration ({@code 168h} prints as 1w). */
  static String format(long ms) {
    if (ms == 0) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    long rest = ms;
    String[] units = {"y", "w", "d", "h", "m", "s", "ms"};
    for (int i = 0; i < UNIT_MS.length; i++) {
      long n = rest / UNIT_MS[i];
      if (n > 0) {
        b.append(n).append(units[i]);
        rest -= n * UNIT_MS[i];
      }
    }
    return b.toString();
  }
}
