package io.theseus.server;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;

/**
 * Prometheus 2.42's JSON number and string formatting, byte for byte.
 *
 * <ul>
 *   <li>Sample values in vectors and matrices ({@code marshalPointJSON}): Go's {@code
 *       strconv.FormatFloat(v, 'f', -1, 64)}, except {@code 'e'} when {@code |v| < 1e-6} or {@code
 *       |v| >= 1e21} (v != 0), e.g. {@code "1e+21"}, {@code "1e-07"}; {@code "NaN"}, {@code
 *       "+Inf"}, {@code "-Inf"}, {@code "-0"}.
 *   <li>Scalar and string results ({@code Scalar.MarshalJSON}): value always {@code 'f'}; the
 *       timestamp is Go's JSON float of {@code t/1000} ({@code 1.5}).
 *   <li>Vector and matrix timestamps ({@code marshalTimestamp}): seconds, then {@code .} and the
 *       millisecond fraction as exactly three digits when non-zero ({@code 1.500}, {@code -0.500}).
 *   <li>Strings: Go {@code encoding/json} escaping with HTML escaping on ({@code <}, {@code >},
 *       {@code &} as backslash-u003c etc.), control characters as backslash-n/r/t or
 *       backslash-u00XX, U+2028/2029 escaped.
 * </ul>
 *
 * <p>Shortest digits are found as in Go: the fewest significant digits whose correctly rounded
 * decimal parses back to the same double (Java 17's {@code Double.toString} is not always shortest,
 * so it is only used as the starting precision). {@link #shortestReference} states that rule with
 * BigDecimal; the formatter computes the same digits from one 128-bit product (values in [1e-6,
 * 1e15)) or one BigDecimal truncation (others) and rounds candidates in long arithmetic, since it
 * runs once per returned point. Stateless and thread-safe.
 */
final class PromJson {
  private PromJson() {}

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** Sample value as in vectors and matrices. */
  static void pointValue(StringBuilder sb, double v) {
    double abs = Math.abs(v);
    boolean exp =
        abs != 0 && !Double.isNaN(v) && !Double.isInfinite(v) && (abs < 1e-6 || abs >= 1e21);
    formatFloat(sb, v, exp);
  }

  /** {@code strconv.FormatFloat(v, 'f', -1, 64)}. */
  static void formatF(StringBuilder sb, double v) {
    formatFloat(sb, v, false);
  }

  static String formatF(double v) {
    StringBuilder sb = new StringBuilder();
    formatF(sb, v);
    return sb.toString();
  }

  static String pointValue(double v) {
    StringBuilder sb = new StringBuilder();
    pointValue(sb, v);
    return sb.toString();
  }

  private static void formatFloat(StringBuilder sb, double v, boolean exp) {
    if (Double.isNaN(v)) {
      sb.append("NaN");
      return;
    }
    if (Double.isInfinite(v)) {
      sb.append(v > 0 ? "+Inf" : "-Inf");
      return;
    }
    if (v == 0) {
      sb.append(Double.doubleToRawLongBits(v) < 0 ? "-0" : "0");
      if (exp) {
        sb.append("e+00");
      }
      return;
    }
    if (!exp && v == Math.rint(v) && Math.abs(v) < 1e15) {
      sb.append((long) v);
      return;
    }
    if (v < 0) {
      sb.append('-');
    }
    appendShortest(sb, Math.abs(v), exp);
  }

  // ---- shortest digits without BigDecimal arithmetic per candidate ----
  //
  // Same result as shortestReference (kept as the specification and the fallback): candidates are
  // the exact binary value rounded HALF_EVEN to p significant digits, p counting down from the
  // precision of Double.toString while they parse back to v. The exact value is taken once as its
  // leading TRUNC_DIGITS decimal digits (truncated) plus a sticky "more non-zero digits" flag,
  // which decides every rounding to p <= 17 digits exactly; candidates are then rounded and
  // checked in long arithmetic (Clinger's exact fast path for the parse-back when the digits fit
  // in 53 bits and the power of ten in 22, else Double.parseDouble).

  private static final int TRUNC_DIGITS = 18;
  private static final MathContext TRUNC = new MathContext(TRUNC_DIGITS, RoundingMode.DOWN);
  private static final long[] POW10 = new long[19];
  private static final double[] POW10D = new double[23];
  private static final long[] POW5 = new long[28];

  static {
    POW5[0] = 1;
    for (int i = 1; i < POW5.length; i++) {
      POW5[i] = POW5[i - 1] * 5;
    }
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
    for (int i = 0; i < POW10D.length; i++) {
      POW10D[i] = Double.parseDouble("1e" + i); // exact: 10^i < 2^53 * 2^i for i <= 22
    }
  }

  /** Appends the shortest form of {@code v} (finite, > 0), plain or Go 'e' style. */
  private static void appendShortest(StringBuilder sb, double v, boolean exp) {
    int maxP = toStringPrecision(v);
    long t = -1;
    int tScale = 0;
    boolean sticky = false;
    if (v >= 1e-6 && v < 1e15) {
      // exact = m * 2^-k; floor(exact * 10^s) = (m * 5^s) >> (k - s), 128-bit, for 18 digits.
      long bits = Double.doubleToRawLongBits(v);
      long m = (bits & 0xfffffffffffffL) | (1L << 52);
      int k = 1075 - (int) ((bits >>> 52) & 0x7ff);
      int s = 17 - (int) Math.floor(Math.log10(v));
      for (int attempt = 0; attempt < 3 && t < 0; attempt++) {
        long p5 = POW5[s];
        long hi = Math.multiplyHigh(m, p5);
        long lo = m * p5;
        int shift = k - s;
        long r;
        boolean st;
        if (shift >= 64) {
          r = hi >>> (shift - 64);
          st = lo != 0 || (hi & ((1L << (shift - 64)) - 1)) != 0;
          hi = 0;
        } else if (shift > 0) {
          r = (lo >>> shift) | (hi << (64 - shift));
          st = (lo & ((1L << shift) - 1)) != 0;
          hi >>>= shift;
        } else if (shift == 0) {
          r = lo;
          st = false;
        } else {
          r = -1; // exact * 10^s needs a left shift: left to the BigDecimal path
          st = false;
        }
        if (hi != 0 || r < 0 || r >= POW10[18]) {
          s--;
        } else if (r < POW10[17]) {
          s++;
        } else {
          t = r;
          tScale = s;
          sticky = st;
        }
      }
    }
    int q;
    if (t >= 0) {
      q = TRUNC_DIGITS;
    } else {
      BigDecimal exact = new BigDecimal(v);
      if (exact.precision() <= TRUNC_DIGITS) {
        t = exact.unscaledValue().longValue();
        tScale = exact.scale();
        sticky = false;
        q = exact.precision();
      } else {
        BigDecimal tr = exact.round(TRUNC);
        t = tr.unscaledValue().longValue();
        tScale = tr.scale();
        sticky = tr.compareTo(exact) != 0;
        q = tr.precision();
      }
    }
    long best = -1;
    int bestScale = 0;
    for (int p = maxP; p >= 1; p--) {
      long c;
      int cScale;
      if (p >= q) {
        c = t;
        cScale = tScale;
      } else {
        int drop = q - p;
        long div = POW10[drop];
        c = t / div;
        long rem = t - c * div;
        long half = div >>> 1;
        if (rem > half || (rem == half && (sticky || (c & 1) == 1))) {
          c++;
        }
        cScale = tScale - drop;
        if (c == POW10[p]) {
          c = POW10[p - 1];
          cScale--;
        }
      }
      if (p < 17 && !parsesBackTo(c, cScale, v)) {
        break;
      }
      best = c;
      bestScale = cScale;
    }
    if (best < 0) {
      BigDecimal d = shortestReference(v);
      appendDecimal(sb, d.unscaledValue().longValueExact(), d.scale(), exp);
      return;
    }
    while (best % 10 == 0) {
      best /= 10;
      bestScale--;
    }
    appendDecimal(sb, best, bestScale, exp);
  }

  /** Whether {@code c * 10^-scale} parses to {@code v}. */
  private static boolean parsesBackTo(long c, int scale, double v) {
    if (c < (1L << 53) && scale >= -22 && scale <= 22) {
      double d = scale >= 0 ? (double) c / POW10D[scale] : (double) c * POW10D[-scale];
      return d == v;
    }
    return Double.parseDouble(c + "E" + (-scale)) == v;
  }

  /** Significant digits of {@code Double.toString(v)} without leading and trailing zeros. */
  private static int toStringPrecision(double v) {
    String s = Double.toString(v);
    int first = -1;
    int last = -1;
    int digits = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == 'E') {
        break;
      }
      if (ch >= '0' && ch <= '9') {
        if (ch != '0') {
          if (first < 0) {
            first = digits;
          }
          last = digits;
        }
        digits++;
      }
    }
    return last - first + 1;
  }

  private static int digitCount(long u) {
    // floor(log10) estimate from the bit length (x 1233 / 4096 ~ log10(2)), corrected once.
    int n = Math.min(18, ((64 - Long.numberOfLeadingZeros(u | 1)) * 1233) >>> 12);
    return n < 18 && u >= POW10[n + 1] ? n + 2 : u >= POW10[n] ? n + 1 : Math.max(n, 1);
  }

  /** Appends {@code u * 10^-scale} ({@code u} without trailing zeros) as toPlainString or Go 'e'. */
  private static void appendDecimal(StringBuilder sb, long u, int scale, boolean exp) {
    int len = digitCount(u);
    if (exp) {
      int e = len - 1 - scale;
      appendDigits(sb, u, len, 0, 1);
      if (len > 1) {
        sb.append('.');
        appendDigits(sb, u, len, 1, len);
      }
      sb.append('e').append(e < 0 ? '-' : '+');
      int ae = Math.abs(e);
      if (ae < 10) {
        sb.append('0');
      }
      sb.append(ae);
      return;
    }
    if (scale <= 0) {
      sb.append(u);
      for (int i = 0; i < -scale; i++) {
        sb.append('0');
      }
    } else if (scale >= len) {
      sb.append("0.");
      for (int i = 0; i < scale - len; i++) {
        sb.append('0');
      }
      sb.append(u);
    } else {
      long frac = u % POW10[scale];
      sb.append(u / POW10[scale]).append('.');
      for (int i = digitCount(frac); i < scale; i++) {
        sb.append('0');
      }
      sb.append(frac);
    }
  }

  /** Appends digits [from, to) (0 = most significant) of the {@code len}-digit {@code u}. */
  private static void appendDigits(StringBuilder sb, long u, int len, int from, int to) {
    for (int i = from; i < to; i++) {
      sb.append((char) ('0' + (u / POW10[len - 1 - i]) % 10));
    }
  }

  /** The shortest decimal that rounds back to {@code v} (v finite, > 0), trailing zeros stripped. */
  static BigDecimal shortest(double v) {
    StringBuilder sb = new StringBuilder(24);
    appendShortest(sb, v, false);
    return new BigDecimal(sb.toString()).stripTrailingZeros();
  }

  /**
   * The reference definition of the shortest digits (slow, BigDecimal per candidate): the exact
   * value rounded HALF_EVEN to the fewest digits that still round back to {@code v} (v finite, >
   * 0), counting down from Double.toString's precision; trailing zeros stripped.
   */
  static BigDecimal shortestReference(double v) {
    BigDecimal start = new BigDecimal(Double.toString(v)).stripTrailingZeros();
    BigDecimal exact = new BigDecimal(v);
    BigDecimal best = null;
    for (int p = start.precision(); p >= 1; p--) {
      BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (r.doubleValue() != v) {
        break;
      }
      best = r;
    }
    if (best == null) {
      // Double.toString's digit count did not suffice for the closest rounding: search upwards.
      for (int p = start.precision() + 1; p <= 17; p++) {
        BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
        if (r.doubleValue() == v) {
          best = r;
          break;
        }
      }
      if (best == null) {
        best = start;
      }
    }
    return best.stripTrailingZeros();
  }

  /** Vector/matrix timestamp in seconds with a 3-digit millisecond fraction when non-zero. */
  static void pointTime(StringBuilder sb, long ms) {
    if (ms < 0) {
      sb.append('-');
      ms = -ms;
    }
    sb.append(ms / 1000);
    long f = ms % 1000;
    if (f != 0) {
      sb.append('.');
      if (f < 100) {
        sb.append('0');
      }
      if (f < 10) {
        sb.append('0');
      }
      sb.append(f);
    }
  }

  /** Scalar/string timestamp: Go's JSON encoding of the float64 {@code ms / 1000}. */
  static void scalarTime(StringBuilder sb, long ms) {
    double s = ms / 1000.0;
    double abs = Math.abs(s);
    if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
      // Go encoding/json: 'e' format with a one-digit exponent where possible (e-07 -> e-7).
      StringBuilder t = new StringBuilder();
      formatFloat(t, s, true);
      int n = t.length();
      if (n >= 4 && t.charAt(n - 4) == 'e' && t.charAt(n - 3) == '-' && t.charAt(n - 2) == '0') {
        t.deleteCharAt(n - 2);
      }
      sb.append(t);
      return;
    }
    formatF(sb, s);
  }

  /** A JSON string literal with Go's escaping. */
  static void string(StringBuilder sb, String s) {
    sb.append('"');
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '<', '>', '&', '\u2028', '\u2029' -> unicode(sb, c);
        default -> {
          if (c < 0x20) {
            unicode(sb, c);
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static void unicode(StringBuilder sb, char c) {
    sb.append("\\u")
        .append(HEX[(c >> 12) & 15])
        .append(HEX[(c >> 8) & 15])
        .append(HEX[(c >> 4) & 15])
        .append(HEX[c & 15]);
  }

  /** {@code {"status":"success","data":<data>[,"warnings":[...]]}}. */
  static String success(CharSequence data, List<String> warnings) {
    StringBuilder sb = new StringBuilder(data.length() + 64);
    sb.append("{\"status\":\"success\",\"data\":").append(data);
    warnings(sb, warnings);
    return sb.append('}').toString();
  }

  /** {@code {"status":"error","errorType":<type>,"error":<msg>[,"warnings":[...]]}}. */
  static String error(String type, String msg, List<String> warnings) {
    StringBuilder sb = new StringBuilder(msg.length() + 64);
    sb.append("{\"status\":\"error\",\"errorType\":");
    string(sb, type);
    sb.append(",\"error\":");
    string(sb, msg);
    warnings(sb, warnings);
    return sb.append('}').toString();
  }

  private static void warnings(StringBuilder sb, List<String> warnings) {
    if (warnings == null || warnings.isEmpty()) {
      return;
    }
    sb.append(",\"warnings\":[");
    for (int i = 0; i < warnings.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      string(sb, warnings.get(i));
    }
    sb.append(']');
  }
}
