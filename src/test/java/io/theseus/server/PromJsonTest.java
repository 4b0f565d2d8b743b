package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class PromJsonTest {
  /** Expected texts observed from Prometheus 2.42's API on this machine. */
  @Test
  void pointValue_matchesPrometheus242() {
    assertThat(PromJson.pointValue(0.1 + 0.2)).isEqualTo("0.30000000000000004");
    assertThat(PromJson.pointValue(1e21)).isEqualTo("1e+21");
    assertThat(PromJson.pointValue(1e-7)).isEqualTo("1e-07");
    assertThat(PromJson.pointValue(123456789.123)).isEqualTo("123456789.123");
    assertThat(PromJson.pointValue(-0.0)).isEqualTo("-0");
    assertThat(PromJson.pointValue(Double.NaN)).isEqualTo("NaN");
    assertThat(PromJson.pointValue(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(PromJson.pointValue(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    assertThat(PromJson.pointValue(1.5999999999999999)).isEqualTo("1.5999999999999999");
    assertThat(PromJson.pointValue(2.0 / 3)).isEqualTo("0.6666666666666666");
    assertThat(PromJson.pointValue(1.2345e-5)).isEqualTo("0.000012345");
    assertThat(PromJson.pointValue(-2.5e22)).isEqualTo("-2.5e+22");
  }

  @Test
  void scalarValue_isAlwaysF() {
    assertThat(PromJson.formatF(1e21)).isEqualTo("1000000000000000000000");
    assertThat(PromJson.formatF(1e-7)).isEqualTo("0.0000001");
    assertThat(PromJson.formatF(2)).isEqualTo("2");
  }

  @Test
  void java17NonShortestCase_isShortest() {
    // Java 17's Double.toString gives "2.0E-3"-style output, and for some values more digits
    // than needed (JDK-4511638), e.g. 2.82879384806159E17 and 1.0E23.
    assertThat(PromJson.formatF(2.82879384806159E17)).isEqualTo("282879384806159000");
    assertThat(PromJson.pointValue(1.0E23)).isEqualTo("1e+23");
    assertThat(PromJson.formatF(5.0E-324)).startsWith("0.000").endsWith("5");
  }

  @Test
  void timestamps_likeMarshalTimestampAndScalarJson() {
    StringBuilder sb = new StringBuilder();
    PromJson.pointTime(sb, 1500);
    sb.append(' ');
    PromJson.pointTime(sb, -500);
    sb.append(' ');
    PromJson.pointTime(sb, 1002);
    sb.append(' ');
    PromJson.pointTime(sb, 0);
    sb.append(' ');
    PromJson.scalarTime(sb, 1500);
    sb.append(' ');
    PromJson.scalarTime(sb, 6795364580679L);
    assertThat(sb.toString()).isEqualTo("1.500 -0.500 1.002 0 1.5 6795364580.679");
  }

  @Test
  void strings_escapeLikeGo() {
    StringBuilder sb = new StringBuilder();
    PromJson.string(sb, "a\"b\\c\n<&>\u0001\u2028é");
    assertThat(sb.toString()).isEqualTo("\"a\\\"b\\\\c\\n\\u003c\\u0026\\u003e\\u0001\\u2028é\"");
  }

  /** The shortest digits parse back to the same double and are never longer than Java's. */
  @Property(tries = 2000)
  void shortest_roundTripsAndIsMinimal(@ForAll double v) {
    if (Double.isNaN(v) || Double.isInfinite(v) || v == 0) {
      return;
    }
    BigDecimal d = PromJson.shortest(Math.abs(v));
    assertThat(d.doubleValue()).isEqualTo(Math.abs(v));
    assertThat(d.precision())
        .isLessThanOrEqualTo(
            new BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros().precision());
    if (d.precision() > 1) {
      BigDecimal shorter =
          new BigDecimal(Math.abs(v))
              .round(
                  new java.math.MathContext(d.precision() - 1, java.math.RoundingMode.HALF_EVEN));
      assertThat(shorter.doubleValue()).isNotEqualTo(Math.abs(v));
    }
    assertThat(Double.parseDouble(PromJson.pointValue(v))).isEqualTo(v);
    assertThat(Double.parseDouble(PromJson.formatF(v))).isEqualTo(v);
  }

  /** The fast shortest-digit search gives exactly the reference (BigDecimal) result. */
  @Property(tries = 5000)
  void shortest_equalsReference(@ForAll double v) {
    if (Double.isNaN(v) || Double.isInfinite(v) || v == 0) {
      return;
    }
    assertThat(PromJson.shortest(Math.abs(v)).toString())
        .isEqualTo(PromJson.shortestReference(Math.abs(v)).toString());
  }

  /** Same on decimal-looking values (few digits, any exponent), where ties and carries occur. */
  @Property(tries = 5000)
  void shortest_equalsReferenceOnShortDecimals(
      @ForAll @LongRange(min = 1, max = 99_999_999_999_999_999L) long digits,
      @ForAll @IntRange(min = -330, max = 300) int exp10,
      @ForAll @IntRange(min = -2, max = 2) int ulps) {
    double v = Double.parseDouble(digits + "E" + exp10);
    for (int i = 0; i < Math.abs(ulps); i++) {
      v = ulps > 0 ? Math.nextUp(v) : Math.nextDown(v);
    }
    if (!(v > 0) || Double.isInfinite(v)) {
      return;
    }
    assertThat(PromJson.shortest(v).toString())
        .isEqualTo(PromJson.shortestReference(v).toString());
    StringBuilder sb = new StringBuilder();
    PromJson.pointValue(sb, v);
    sb.append(' ');
    PromJson.formatF(sb, v);
    BigDecimal ref = PromJson.shortestReference(v);
    assertThat(sb.toString()).isEqualTo(referencePointValue(v, ref) + " " + ref.toPlainString());
  }

  /** Same in the 128-bit fast range (1e-6 to 1e15), where most query results fall. */
  @Property(tries = 5000)
  void shortest_equalsReferenceInFastRange(
      @ForAll @LongRange(min = 1, max = 99_999_999_999_999_999L) long digits,
      @ForAll @IntRange(min = -24, max = -2) int exp10,
      @ForAll @IntRange(min = -2, max = 2) int ulps) {
    shortest_equalsReferenceOnShortDecimals(digits, exp10, ulps);
  }

  /** Prometheus's 'e' rule applied to the reference digits, as the original formatter did. */
  private static String referencePointValue(double v, BigDecimal d) {
    double abs = Math.abs(v);
    boolean exp = abs < 1e-6 || abs >= 1e21;
    if (!exp && v == Math.rint(v) && abs < 1e15) {
      return Long.toString((long) v);
    }
    if (!exp) {
      return d.toPlainString();
    }
    String digits = d.unscaledValue().toString();
    int e = digits.length() - 1 - d.scale();
    String m = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
    return m + "e" + (e < 0 ? "-" : "+") + (Math.abs(e) < 10 ? "0" : "") + Math.abs(e);
  }
}
