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
 * so it is only used as the starting precision). Stateless and thread-safe.
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
    BigDecimal d = shortest(Math.abs(v));
    if (v < 0) {
      sb.append('-');
    }
    if (!exp) {
      sb.append(d.toPlainString());
      return;
    }
    String digits = d.unscaledValue().toString();
    int e = digits.length() - 1 - d.scale();
    sb.append(digits.charAt(0));
    if (digits.length() > 1) {
      sb.append('.').append(digits, 1, digits.length());
    }
    sb.append('e').append(e < 0 ? '-' : '+');
    int ae = Math.abs(e);
    if (ae < 10) {
      sb.append('0');
    }
    sb.append(ae);
  }

  /**
   * The shortest decimal that rounds back to {@code v} (v finite, > 0), trailing zeros stripped.
   */
  static BigDecimal shortest(double v) {
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
