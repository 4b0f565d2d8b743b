package io.theseus.chunk;

/**
 * A Cortex chunk external key: the chunk's identity in the index, the chunk table and the cache.
 *
 * <p>Current form (written): {@code <userID>/<fp>:<from>:<through>:<checksum>}, every number in
 * lowercase hex without padding (fp as unsigned 64-bit, from/through as signed 64-bit ms, written
 * like Go's {@code %x} of an int64, i.e. {@code -1a} when negative, checksum as unsigned 32-bit
 * CRC-32C of the blob). Legacy form (read only): {@code <fp>:<from>:<through>} in decimal with no
 * user and no checksum; {@code <userID>/} followed by the legacy triple is also accepted. A legacy
 * key parses with {@code checksum == 0} and {@link #isLegacy(String)} true; its blob is not
 * CRC-checked.
 *
 * <p>Immutable; safe to share.
 */
public record ExternalKey(String userId, long fingerprint, long from, long through, int checksum) {

  public ExternalKey {
    if (userId == null) {
      throw new IllegalArgumentException("userId must not be null");
    }
  }

  /**
   * Parses a chunk key in the current hex form or the legacy decimal form.
   *
   * @throws IllegalArgumentException naming the key when it is malformed
   */
  public static ExternalKey parse(String key) {
    if (key == null) {
      throw new IllegalArgumentException("invalid chunk key: null");
    }
    int slash = key.indexOf('/');
    if (slash < 0) {
      return parseLegacy("", key, key);
    }
    if (key.indexOf('/', slash + 1) >= 0) {
      throw invalid(key, "more than one '/'");
    }
    String user = key.substring(0, slash);
    String rest = key.substring(slash + 1);
    String[] parts = rest.split(":", -1);
    if (parts.length == 3) {
      return parseLegacy(user, rest, key);
    }
    if (parts.length != 4) {
      throw invalid(key, "expected 4 ':'-separated fields after '/'");
    }
    long fp = parseUnsigned64(parts[0], 16, key, "fingerprint");
    long from = parseSigned64(parts[1], 16, key, "from");
    long through = parseSigned64(parts[2], 16, key, "through");
    long crc = parseUnsigned64(parts[3], 16, key, "checksum");
    if ((crc >>> 32) != 0) {
      throw invalid(key, "checksum out of 32-bit range");
    }
    return new ExternalKey(user, fp, from, through, (int) crc);
  }

  /** True when {@code key} is in the legacy (decimal, checksum-less) form. */
  public static boolean isLegacy(String key) {
    int slash = key.indexOf('/');
    String rest = slash < 0 ? key : key.substring(slash + 1);
    return slash < 0 || rest.split(":", -1).length == 3;
  }

  private static ExternalKey parseLegacy(String user, String triple, String key) {
    String[] parts = triple.split(":", -1);
    if (parts.length != 3) {
      throw invalid(key, "legacy key needs 3 ':'-separated decimal fields");
    }
    long fp = parseUnsigned64(parts[0], 10, key, "fingerprint");
    long from = parseSigned64(parts[1], 10, key, "from");
    long through = parseSigned64(parts[2], 10, key, "through");
    return new ExternalKey(user, fp, from, through, 0);
  }

  private static long parseUnsigned64(String s, int radix, String key, String field) {
    if (s.isEmpty() || s.charAt(0) == '+' || s.charAt(0) == '-') {
      throw invalid(key, "bad " + field + " '" + s + "'");
    }
    try {
      return Long.parseUnsignedLong(s, radix);
    } catch (NumberFormatException e) {
      throw invalid(key, "bad " + field + " '" + s + "'");
    }
  }

  private static long parseSigned64(String s, int radix, String key, String field) {
    if (s.isEmpty()) {
      throw invalid(key, "empty " + field);
    }
    try {
      return Long.parseLong(s, radix);
    } catch (NumberFormatException e) {
      throw invalid(key, "bad " + field + " '" + s + "'");
    }
  }

  private static IllegalArgumentException invalid(String key, String why) {
    return new IllegalArgumentException("invalid chunk key \"" + key + "\": " + why);
  }

  /** The current (hex) form, as Cortex's {@code ExternalKey()} prints it. */
  @Override
  public String toString() {
    return userId
        + '/'
        + Long.toHexString(fingerprint)
        + ':'
        + signedHex(from)
        + ':'
        + signedHex(through)
        + ':'
        + Integer.toHexString(checksum);
  }

  /** Go's {@code %x} of an int64: minus sign then the magnitude. */
  static String signedHex(long v) {
    if (v >= 0) {
      return Long.toHexString(v);
    }
    return "-" + Long.toUnsignedString(-v, 16);
  }
}
