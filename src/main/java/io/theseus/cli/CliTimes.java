package io.theseus.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Parses command-line times: RFC 3339 ({@code 2021-06-15T10:30:00Z}) or Unix seconds. */
final class CliTimes {
  private CliTimes() {}

  /**
   * Returns Unix milliseconds.
   *
   * @throws IllegalArgumentException naming the option and the text
   */
  static long parseMillis(String option, String text) {
    if (text.matches("-?\\d+(\\.\\d+)?")) {
      try {
        return new BigDecimal(text)
            .movePointRight(3)
            .setScale(0, RoundingMode.HALF_EVEN)
            .longValueExact();
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(option + ": time out of range: '" + text + "'");
      }
    }
    try {
      return OffsetDateTime.parse(text).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          option + ": '" + text + "' is neither RFC 3339 (2021-06-15T10:30:00Z) nor Unix seconds");
    }
  }
}
