package io.theseus.schema;

import io.theseus.model.GoQuote;
import io.theseus.model.Labels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Byte-level building blocks of Cortex's index keys (cortex-chunks.md §3.1). Stateless.
 *
 * <p>Range key layout: every component is followed by one NUL; a missing component contributes only
 * its NUL; versioned keys add the version byte as a last component:
 *
 * <pre>
 * | c1 | 00 | c2 | 00 | c3 | 00 | V | 00 |
 * </pre>
 *
 * <p>Times are {@code encodeTime(u32)}: 4-byte big-endian as 8 lowercase hex ASCII characters.
 * base64 is the standard alphabet without padding (Go {@code RawStdEncoding}).
 */
public final class Keys {
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private Keys() {}

  /** Concatenates components, each followed by a NUL byte (Go {@code encodeRangeKey}). */
  public static byte[] rangeKey(byte[]... components) {
    int len = 0;
    for (byte[] c : components) {
      len += (c == null ? 0 : c.length) + 1;
    }
    byte[] out = new byte[len];
    int i = 0;
    for (byte[] c : components) {
      if (c != null) {
        System.arraycopy(c, 0, out, i, c.length);
        i += c.length;
      }
      i++;
    }
    return out;
  }

  /** Splits a range key into its NUL-terminated components (Go {@code decodeRangeKey}). */
  public static List<byte[]> decodeRangeKey(byte[] value) {
    List<byte[]> out = new ArrayList<>(5);
    int i = 0;
    for (int j = 0; j < value.length; j++) {
      if (value[j] == 0) {
        byte[] c = new byte[j - i];
        System.arraycopy(value, i, c, 0, c.length);
        out.add(c);
        i = j + 1;
      }
    }
    return out;
  }

  /** {@code encodeTime}: the uint32 {@code t} as 8 lowercase hex ASCII bytes, big-endian. */
  public static byte[] encodeTime(long t) {
    int v = (int) t;
    byte[] out = new byte[8];
    for (int k = 0; k < 8; k++) {
      out[k] = HEX[(v >>> (28 - 4 * k)) & 0xF];
    }
    return out;
  }

  /** base64 without padding of the UTF-8 bytes of {@code s}. */
  public static byte[] base64(String s) {
    return B64.encode(utf8(s));
  }

  /** Decodes unpadded standard base64; throws IllegalArgumentException on bad input. */
  public static byte[] base64Decode(byte[] b64) {
    for (byte b : b64) {
      if (b == '=') {
        throw new IllegalArgumentException("padded base64 in index entry");
      }
    }
    return Base64.getDecoder().decode(b64);
  }

  /** Value hash (v9+): base64raw(SHA-256(value)), 43 ASCII characters. */
  public static byte[] valueHash(String value) {
    return B64.encode(sha256(utf8(value)));
  }

  /** seriesID (v8+): base64raw(SHA-256(seriesString)), 43 ASCII characters. */
  public static String seriesId(Labels metric) {
    return new String(B64.encode(sha256(utf8(seriesString(metric)))), StandardCharsets.US_ASCII);
  }

  /**
   * Cortex's {@code labelsString}: the metric name alone when it is the only label, otherwise
   * {@code name{l1="v1", l2="v2"}} with labels in name order and values quoted as Go's {@code
   * strconv.Quote}.
   */
  public static String seriesString(Labels metric) {
    String name = metric.metricName();
    if (!name.isEmpty() && metric.size() == 1) {
      return name;
    }
    StringBuilder b = new StringBuilder(64);
    b.append(name).append('{');
    boolean first = true;
    for (int i = 0; i < metric.size(); i++) {
      if (metric.name(i).equals(Labels.METRIC_NAME)) {
        continue;
      }
      if (!first) {
        b.append(", ");
      }
      first = false;
      b.append(metric.name(i)).append('=');
      GoQuote.appendQuoted(b, metric.value(i));
    }
    return b.append('}').toString();
  }

  /** v10+ row shard: first 4 bytes of the seriesID text, big-endian uint32, mod shards. */
  public static int rowShard(String seriesId, int rowShards) {
    long v =
        ((long) (seriesId.charAt(0) & 0xFF) << 24)
            | ((seriesId.charAt(1) & 0xFF) << 16)
            | ((seriesId.charAt(2) & 0xFF) << 8)
            | (seriesId.charAt(3) & 0xFF);
    return (int) (v % rowShards);
  }

  /** Go {@code %02d} of a non-negative int. */
  static String twoDigits(int n) {
    return n < 10 ? "0" + n : Integer.toString(n);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] sha256(byte[] in) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(in);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] sha1(byte[] in) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(in);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] base64Raw(byte[] in) {
    return B64.encode(in);
  }

  /**
   * A JSON string as Go encodes it: {@code "} and {@code \} escaped, \n \r \t short, other control
   * characters as backslash-u00XX, U+2028/U+2029 escaped; with {@code escapeHtml} also {@code < >
   * &} as backslash-u003c etc. (encoding/json; jsoniter's ConfigFastest, used by v11, does not
   * escape HTML).
   */
  static void appendJsonString(StringBuilder b, String s, boolean escapeHtml) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20
              || c == 0x2028
              || c == 0x2029
              || (escapeHtml && (c == '<' || c == '>' || c == '&'))) {
            b.append(String.format("\\u%04x", (int) c));
          } else if (Character.isSurrogate(c)
              && !(Character.isHighSurrogate(c)
                  && i + 1 < s.length()
                  && Character.isLowSurrogate(s.charAt(i + 1)))
              && !(Character.isLowSurrogate(c)
                  && i > 0
                  && Character.isHighSurrogate(s.charAt(i - 1)))) {
            b.append("\\ufffd");
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
