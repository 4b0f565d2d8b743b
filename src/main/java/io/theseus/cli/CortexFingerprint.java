package io.theseus.cli;

import io.theseus.model.Labels;
import java.nio.charset.StandardCharsets;

/**
 * Cortex's {@code FastFingerprint}: XOR over all labels of FNV-1a-64(name, 0xFF, value). Used by
 * describe-series to show the chunk key a series would get (before the ingester's collision
 * remapping). TODO: switch to io.theseus.chunk.Fingerprint once the chunk package has it.
 */
final class CortexFingerprint {
  private static final long OFFSET = 0xcbf29ce484222325L;
  private static final long PRIME = 0x100000001b3L;

  private CortexFingerprint() {}

  static long of(Labels ls) {
    long result = 0;
    for (int i = 0; i < ls.size(); i++) {
      long h = add(OFFSET, ls.name(i));
      h = (h ^ 0xFF) * PRIME;
      h = add(h, ls.value(i));
      result ^= h;
    }
    return result;
  }

  private static long add(long h, String s) {
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xFF)) * PRIME;
    }
    return h;
  }
}
