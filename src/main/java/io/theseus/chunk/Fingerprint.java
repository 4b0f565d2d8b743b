package io.theseus.chunk;

import io.theseus.model.Labels;

/**
 * Series fingerprints as Cortex computes them.
 *
 * <p>{@link #fast} is Cortex's {@code client.FastFingerprint}: for every label pair the FNV-1a-64
 * hash of {@code name + 0xFF + value} (UTF-8), XORed over all pairs, so the result does not
 * depend on label order. The empty label set hashes to the FNV-1a-64 offset basis. Stateless and
 * allocation-free; safe from any thread.
 */
public final class Fingerprint {
  static final long OFFSET64 = 0xcbf29ce484222325L;
  static final long PRIME64 = 0x100000001b3L;
  private static final int SEPARATOR = 0xff;

  private Fingerprint() {}

  /** Cortex FastFingerprint of a label set (unsigned 64-bit value held in a {@code long}). */
  public static long fast(Labels labels) {
    int n = labels.size();
    if (n == 0) {
      return OFFSET64;
    }
    long result = 0;
    for (int i = 0; i < n; i++) {
      long h = addUtf8(OFFSET64, labels.name(i));
      h = (h ^ SEPARATOR) * PRIME64;
      h = addUtf8(h, labels.value(i));
      result ^= h;
    }
    return result;
  }

  /** Feeds the UTF-8 bytes of {@code s} into an FNV-1a-64 state without allocating. */
  static long addUtf8(long h, String s) {
    int len = s.length();
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        h = (h ^ c) * PRIME64;
      } else if (c < 0x800) {
        h = (h ^ (0xc0 | (c >> 6))) * PRIME64;
        h = (h ^ (0x80 | (c & 0x3f))) * PRIME64;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < len
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        h = (h ^ (0xf0 | (cp >> 18))) * PRIME64;
        h = (h ^ (0x80 | ((cp >> 12) & 0x3f))) * PRIME64;
        h = (h ^ (0x80 | ((cp >> 6) & 0x3f))) * PRIME64;
        h = (h ^ (0x80 | (cp & 0x3f))) * PRIME64;
      } else {
        // A lone surrogate encodes as '?' in String.getBytes(UTF_8); mirror that.
        int cc = Character.isSurrogate(c) ? '?' : c;
        if (cc == '?') {
          h = (h ^ cc) * PRIME64;
        } else {
          h = (h ^ (0xe0 | (cc >> 12))) * PRIME64;
          h = (h ^ (0x80 | ((cc >> 6) & 0x3f))) * PRIME64;
          h = (h ^ (0x80 | (cc & 0x3f))) * PRIME64;
        }
      }
    }
    return h;
  }
}
