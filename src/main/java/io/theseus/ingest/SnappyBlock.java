package io.theseus.ingest;

import io.airlift.compress.MalformedInputException;
import io.airlift.compress.snappy.SnappyDecompressor;
import java.util.Arrays;

/**
 * Snappy block-format (not framed) decompression into a buffer reused across calls.
 *
 * <p>Block format: uvarint uncompressed length, then literal/copy elements. The declared length is
 * checked against {@code maxBytes} and against the input's {@link #maxExpansion} before anything
 * is allocated. Threading: one instance per
 * thread.
 */
final class SnappyBlock {
  static final int OK = 0;
  static final int CORRUPT = 1;
  static final int TOO_LARGE = 2;

  private final SnappyDecompressor decompressor = new SnappyDecompressor();
  private byte[] out = new byte[64 * 1024];
  private int length;
  private String error;

  byte[] buffer() {
    return out;
  }

  int length() {
    return length;
  }

  String error() {
    return error;
  }

  int decompress(byte[] in, int inLen, long maxBytes) {
    error = null;
    long declared = declaredLength(in, inLen);
    if (declared < 0) {
      error = "snappy: corrupt input (bad length preamble)";
      return CORRUPT;
    }
    if (declared > maxBytes) {
      error = "snappy: decoded length " + declared + " exceeds the limit of " + maxBytes + " bytes";
      return TOO_LARGE;
    }
    if (declared > maxExpansion(inLen)) {
      error = "snappy: corrupt input (declared length " + declared + " cannot come from " + inLen
          + " bytes)";
      return CORRUPT;
    }
    if (out.length < declared) {
      out = new byte[(int) Math.max(declared, Math.min(maxBytes, (long) out.length * 2))];
    }
    try {
      length = decompressor.decompress(in, 0, inLen, out, 0, out.length);
    } catch (MalformedInputException | IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      error = "snappy: corrupt input: " + e.getMessage();
      return CORRUPT;
    }
    if (length != declared) {
      error = "snappy: corrupt input (length mismatch)";
      return CORRUPT;
    }
    return OK;
  }

  /**
   * The most a block of {@code inLen} bytes can decode to: the densest element is a 3-byte copy
   * of 64 bytes, so the output is below 22 times the input. Checked before allocating, so a tiny
   * body cannot make the server allocate the request limit.
   */
  static long maxExpansion(int inLen) {
    return (long) inLen * 22 + 64;
  }

  /** The uvarint preamble, or -1. */
  static long declaredLength(byte[] in, int inLen) {
    long result = 0;
    for (int i = 0, shift = 0; i < inLen && shift < 35; i++, shift += 7) {
      byte x = in[i];
      result |= (long) (x & 0x7f) << shift;
      if (x >= 0) {
        return result <= Integer.MAX_VALUE ? result : -1;
      }
    }
    return -1;
  }

  /** Compresses (for tests and tools). */
  static byte[] compress(byte[] raw) {
    io.airlift.compress.snappy.SnappyCompressor c = new io.airlift.compress.snappy.SnappyCompressor();
    byte[] dst = new byte[c.maxCompressedLength(raw.length)];
    int n = c.compress(raw, 0, raw.length, dst, 0, dst.length);
    return Arrays.copyOf(dst, n);
  }
}
