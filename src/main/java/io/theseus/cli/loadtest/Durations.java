package io.theseus.cli.loadtest;

/** Parses Prometheus-style durations ({@code 500ms}, {@code 15s}, {@code 1m30s}, {@code 2h}) or plain seconds. */
final class Durations {
  private Durations() {}

  /** Milliseconds of {@code text}; throws IllegalArgumentException naming {@code what} and the value. */
  static long parseMillis(String what, String text) {
    String s = text == null ? "" : text.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException(what + ": empty duration");
    }
    try {
      if (s.matches("[0-9]+(\\.[0-9]+)?")) {
        return Math.round(Double.parseDouble(s) * 1000);
      }
      long total = 0;
      int i = 0;
      while (i < s.length()) {
        int j = i;
        while (j < s.length() && (Character.isDigit(s.charAt(j)) || s.charAt(j) == '.')) {
          j++;
        }
        if (j == i) {
          throw new NumberFormatException();
        }
        double n = Double.parseDouble(s.substring(i, j));
        int k = j;
        while (k < s.length() && Character.isLetter(s.charAt(k))) {
          k++;
        }
        String unit = s.substring(j, k);
        long mult =
            switch (unit) {
              case "ms" -> 1;
              case "s" -> 1000;
              case "m" -> 60_000;
              case "h" -> 3_600_000;
              case "d" -> 86_400_000;
              case "w" -> 7 * 86_400_000L;
              default -> throw new NumberFormatException();
            };
        total += Math.round(n * mult);
        i = k;
      }
      return total;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          what + ": bad duration '" + text + "' (use e.g. 500ms, 15s, 1m30s, 2h)");
    }
  }

  static String format(long ms) {
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
