package io.theseus.chunk;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.theseus.model.Labels;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON metadata of a Cortex chunk blob, written byte for byte as Go's {@code encoding/json}
 * encodes Cortex's {@code Chunk} struct (v1.10, built with Go 1.16) and read leniently.
 *
 * <pre>
 * {"fingerprint":&lt;uint64&gt;,"userID":"&lt;s&gt;","from":&lt;secs&gt;,"through":&lt;secs&gt;,
 *  "metric":{&lt;sorted name:value pairs&gt;},"encoding":&lt;int&gt;}\n
 * </pre>
 *
 * <p>Times are {@code model.Time.String()}: {@code strconv.FormatFloat(ms/1000, 'f', -1, 64)},
 * i.e. decimal seconds with up to 3 decimals and no trailing zeros. Strings escape the quote
 * and backslash; LF, CR and TAB get short escapes; other control characters, the characters
 * less-than, greater-than, ampersand and U+2028/U+2029 get six-character backslash-u escapes with
 * lowercase hex (Go's HTML-safe default); everything else is raw UTF-8. Immutable.
 */
record ChunkMeta(
    long fingerprint, String userId, long from, long through, Labels metric, int encoding) {

  private static final JsonFactory JSON = new JsonFactory();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** The JSON line (with trailing LF) Cortex's json.Encoder writes. */
  byte[] toJson() {
    StringBuilder sb = new StringBuilder(128 + metric.size() * 32);
    sb.append("{\"fingerprint\":").append(Long.toUnsignedString(fingerprint));
    sb.append(",\"userID\":");
    quote(sb, userId);
    sb.append(",\"from\":").append(seconds(from));
    sb.append(",\"through\":").append(seconds(through));
    sb.append(",\"metric\":{");
    for (int i = 0; i < metric.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      quote(sb, metric.name(i));
      sb.append(':');
      quote(sb, metric.value(i));
    }
    sb.append("},\"encoding\":").append(encoding).append("}\n");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Go's {@code model.Time.String()} for a millisecond timestamp. */
  static String seconds(long ms) {
    if (ms > -4_000_000_000_000_000L && ms < 4_000_000_000_000_000L) {
      // Exact decimal; for |ms| < 2^52 no shorter decimal rounds to the same float64.
      BigDecimal d = BigDecimal.valueOf(ms, 3).stripTrailingZeros();
      return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
    }
    BigDecimal d = new BigDecimal(Double.toString(ms / 1000.0)).stripTrailingZeros();
    return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
  }

  /** Appends {@code s} as a Go encoding/json string literal (HTML-escaped). */
  static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        case '<':
        case '>':
        case '&':
        case '\u2028':
        case '\u2029':
          unicodeEscape(sb, c);
          break;
        default:
          if (c < 0x20) {
            unicodeEscape(sb, c);
          } else if (Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            sb.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            sb.append("\\ufffd");
          } else {
            sb.append(c);
          }
      }
    }
    sb.append('"');
  }

  private static void unicodeEscape(StringBuilder sb, char c) {
    sb.append("\\u")
        .append(HEX[(c >> 12) & 15])
        .append(HEX[(c >> 8) & 15])
        .append(HEX[(c >> 4) & 15])
        .append(HEX[c & 15]);
  }

  /** Thrown internally for unparseable metadata; carries a message for the decode result. */
  static final class BadMetadata extends Exception {
    BadMetadata(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Parses the metadata JSON (first JSON value in {@code json}; unknown fields ignored; a missing
   * or zero encoding becomes DoubleDelta).
   */
  static ChunkMeta parse(byte[] json) throws BadMetadata {
    long fp = 0;
    String user = "";
    long from = 0;
    long through = 0;
    Labels metric = Labels.EMPTY;
    int encoding = 0;
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new BadMetadata("chunk metadata is not a JSON object");
      }
      JsonToken tok;
      while ((tok = p.nextToken()) == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        switch (field) {
          case "fingerprint":
            fp = unsigned64(p, v);
            break;
          case "userID":
            user = v == JsonToken.VALUE_NULL ? "" : requireString(p, v, field);
            break;
          case "from":
            from = millis(p, v, field);
            break;
          case "through":
            through = millis(p, v, field);
            break;
          case "metric":
            metric = labels(p, v);
            break;
          case "encoding":
            if (v != JsonToken.VALUE_NUMBER_INT) {
              throw new BadMetadata("chunk metadata: encoding is not an integer");
            }
            encoding = p.getIntValue();
            break;
          default:
            p.skipChildren();
        }
      }
      if (tok != JsonToken.END_OBJECT) {
        throw new BadMetadata("chunk metadata: malformed JSON object");
      }
    } catch (IOException e) {
      String first = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      throw new BadMetadata("chunk metadata is not valid JSON: " + first);
    }
    if (encoding == 0) {
      encoding = Chunk.DOUBLE_DELTA;
    }
    return new ChunkMeta(fp, user, from, through, metric, encoding);
  }

  private static String requireString(JsonParser p, JsonToken v, String field)
      throws IOException, BadMetadata {
    if (v != JsonToken.VALUE_STRING) {
      throw new BadMetadata("chunk metadata: " + field + " is not a string");
    }
    return p.getText();
  }

  private static long unsigned64(JsonParser p, JsonToken v) throws IOException, BadMetadata {
    if (v != JsonToken.VALUE_NUMBER_INT) {
      throw new BadMetadata("chunk metadata: fingerprint is not an integer");
    }
    BigInteger b = p.getBigIntegerValue();
    if (b.signum() < 0 || b.bitLength() > 64) {
      throw new BadMetadata("chunk metadata: fingerprint " + b + " is not a uint64");
    }
    return b.longValue();
  }

  /** Parses decimal seconds (at most 3 decimals used, as Prometheus does) into ms. */
  private static long millis(JsonParser p, JsonToken v, String field)
      throws IOException, BadMetadata {
    if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
      throw new BadMetadata("chunk metadata: " + field + " is not a number");
    }
    String text = p.getText();
    try {
      return parseSeconds(text);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new BadMetadata("chunk metadata: bad " + field + " '" + text + "'");
    }
  }

  /** Decimal seconds to ms, truncating below 1 ms and saturating at the long range. */
  static long parseSeconds(String text) {
    BigDecimal secs = new BigDecimal(text);
    if (secs.precision() - secs.scale() > 30) {
      return secs.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    if (secs.scale() > 30) {
      secs = secs.setScale(30, java.math.RoundingMode.DOWN);
    }
    BigInteger ms =
        secs.movePointRight(3).setScale(0, java.math.RoundingMode.DOWN).toBigInteger();
    if (ms.bitLength() > 63) {
      return ms.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    return ms.longValue();
  }

  /**
   * True when a metadata time read back as {@code meta} is what a writer stored for the key time
   * {@code key}. Exact for |t| below 2^52 ms; beyond that Go's float64 seconds lose precision,
   * so the key value is compared after the same formatting.
   */
  static boolean sameTime(long key, long meta) {
    if (key == meta) {
      return true;
    }
    try {
      return parseSeconds(seconds(key)) == meta;
    } catch (ArithmeticException | NumberFormatException e) {
      return false;
    }
  }

  private static Labels labels(JsonParser p, JsonToken v) throws IOException, BadMetadata {
    if (v == JsonToken.VALUE_NULL) {
      return Labels.EMPTY;
    }
    if (v != JsonToken.START_OBJECT) {
      throw new BadMetadata("chunk metadata: metric is not an object");
    }
    List<String> names = new ArrayList<>();
    List<String> values = new ArrayList<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      names.add(p.currentName());
      JsonToken t = p.nextToken();
      values.add(requireString(p, t, "metric value"));
    }
    try {
      return Labels.of(names.toArray(new String[0]), values.toArray(new String[0]));
    } catch (IllegalArgumentException e) {
      throw new BadMetadata("chunk metadata: " + e.getMessage());
    }
  }
}
