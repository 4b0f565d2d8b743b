package io.theseus.model;

/**
 * Go's {@code strconv.Quote} for Java strings: the quoting Cortex uses inside series strings
 * (seriesID = SHA-256 of {@code name{l="v", ...}}) and Prometheus uses when printing labels. A
 * mismatch here silently splits series IDs, so the rules follow Go exactly:
 *
 * <ul>
 *   <li>{@code "} and {@code \} are backslash-escaped;
 *   <li>printable runes (Go's {@code strconv.IsPrint}: letters, marks, numbers, punctuation,
 *       symbols and U+0020) are kept as they are;
 *   <li>{@code \a \b \f \n \r \t \v} use their short escapes;
 *   <li>other runes below U+0020 and U+007F become {@code \xNN}; other non-printable runes
 *       {@code \\uNNNN} or {@code \UNNNNNNNN} (lowercase hex);
 *   <li>an unpaired surrogate (invalid UTF-8 had the string been bytes) becomes {@code \ufffd}'s
 *       raw form would in Go; we emit {@code \xNN} of its 3 WTF-8 bytes, as Go does for each
 *       invalid byte.
 * </ul>
 *
 * Stateless and thread-safe.
 */
public final class GoQuote {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private GoQuote() {}

  /** Returns {@code s} quoted as Go's {@code strconv.Quote} would. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    appendQuoted(sb, s);
    return sb.toString();
  }

  /** Appends {@code s} quoted (with surrounding double quotes) to {@code sb}. */
  public static void appendQuoted(StringBuilder sb, String s) {
    sb.append('"');
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      int cp;
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        cp = Character.toCodePoint(c, s.charAt(i + 1));
        i += 2;
      } else if (Character.isSurrogate(c)) {
        // Lone surrogate: Go would see invalid UTF-8 bytes, each written as \xNN.
        int v = c;
        appendHexByte(sb, 0xE0 | (v >> 12));
        appendHexByte(sb, 0x80 | ((v >> 6) & 0x3F));
        appendHexByte(sb, 0x80 | (v & 0x3F));
        i++;
        continue;
      } else {
        cp = c;
        i++;
      }
      appendRune(sb, cp);
    }
    sb.append('"');
  }

  private static void appendRune(StringBuilder sb, int r) {
    if (r == '"' || r == '\\') {
      sb.append('\\').append((char) r);
      return;
    }
    if (isPrint(r)) {
      sb.appendCodePoint(r);
      return;
    }
    switch (r) {
      case 0x07 -> sb.append("\\a");
      case '\b' -> sb.append("\\b");
      case '\f' -> sb.append("\\f");
      case '\n' -> sb.append("\\n");
      case '\r' -> sb.append("\\r");
      case '\t' -> sb.append("\\t");
      case 0x0B -> sb.append("\\v");
      default -> {
        if (r < ' ' || r == 0x7F) {
          appendHexByte(sb, r);
        } else if (r < 0x10000) {
          sb.append("\\u");
          for (int s = 12; s >= 0; s -= 4) {
            sb.append(HEX[(r >> s) & 0xF]);
          }
        } else {
          sb.append("\\U");
          for (int s = 28; s >= 0; s -= 4) {
            sb.append(HEX[(r >> s) & 0xF]);
          }
        }
      }
    }
  }

  private static void appendHexByte(StringBuilder sb, int b) {
    sb.append("\\x").append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
  }

  /** Go's {@code strconv.IsPrint}: L, M, N, P, S categories and the ASCII space. */
  static boolean isPrint(int r) {
    if (r < 0x80) {
      return r >= 0x20 && r < 0x7F;
    }
    switch (Character.getType(r)) {
      case Character.UPPERCASE_LETTER:
      case Character.LOWERCASE_LETTER:
      case Character.TITLECASE_LETTER:
      case Character.MODIFIER_LETTER:
      case Character.OTHER_LETTER:
      case Character.NON_SPACING_MARK:
      case Character.ENCLOSING_MARK:
      case Character.COMBINING_SPACING_MARK:
      case Character.DECIMAL_DIGIT_NUMBER:
      case Character.LETTER_NUMBER:
      case Character.OTHER_NUMBER:
      case Character.CONNECTOR_PUNCTUATION:
      case Character.DASH_PUNCTUATION:
      case Character.START_PUNCTUATION:
      case Character.END_PUNCTUATION:
      case Character.INITIAL_QUOTE_PUNCTUATION:
      case Character.FINAL_QUOTE_PUNCTUATION:
      case Character.OTHER_PUNCTUATION:
      case Character.MATH_SYMBOL:
      case Character.CURRENCY_SYMBOL:
      case Character.MODIFIER_SYMBOL:
      case Character.OTHER_SYMBOL:
        return true;
      default:
        return false;
    }
  }
}
