package io.theseus.chunk;

import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32C;

/**
 * Snappy block and framing formats, with an encoder that reproduces Go's {@code
 * github.com/golang/snappy} output byte for byte (an independent Java implementation of the
 * same greedy algorithm), so chunk blobs, and therefore their CRC-based keys, equal Cortex's.
 *
 * <p>Block format: uvarint decoded length, then elements tagged by the low 2 bits of their first
 * byte: {@code 00} literal (length-1 in the upper 6 bits, or 60..63 = 1..4 extra length bytes
 * LE), {@code 01} copy with 3-bit length-4 and 11-bit offset, {@code 10} copy with 6-bit length-1
 * and 16-bit LE offset, {@code 11} copy with 32-bit LE offset.
 *
 * <p>Framing format (Go {@code NewBufferedWriter}): stream identifier {@code ff 06 00 00 's' 'N'
 * 'a' 'P' 'p' 'Y'}, then frames {@code type(1) len(3, LE) masked-crc32c(4, LE) body}; type 0x00
 * compressed block, 0x01 uncompressed. Go stores a frame uncompressed unless the block (with its
 * length varint) is smaller than {@code n - n/8}. Frames hold at most 65536 input bytes.
 *
 * <p>Stateless; the encoder allocates its hash table per call (small, metadata-sized inputs).
 */
final class Snappy {
  static final byte[] STREAM_ID = {(byte) 0xff, 6, 0, 0, 's', 'N', 'a', 'P', 'p', 'Y'};
  static final int MAX_BLOCK = 65536;
  private static final int INPUT_MARGIN = 15;
  private static final int MIN_NON_LITERAL_BLOCK = 17;

  private Snappy() {}

  /** Masked CRC-32C as the framing format defines it. */
  static int maskedCrc(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    int v = (int) c.getValue();
    return ((v >>> 15) | (v << 17)) + 0xa282ead8;
  }

  /** Frames {@code src} exactly as Go's buffered writer does after one Write and Close. */
  static byte[] encodeFramed(byte[] src) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(src.length + 32);
    out.write(STREAM_ID, 0, STREAM_ID.length);
    int p = 0;
    while (p < src.length) {
      int n = Math.min(MAX_BLOCK, src.length - p);
      byte[] chunk = new byte[n];
      System.arraycopy(src, p, chunk, 0, n);
      int crc = maskedCrc(chunk, 0, n);
      byte[] compressed = encodeBlock(chunk);
      boolean raw = compressed.length >= n - n / 8;
      byte[] body = raw ? chunk : compressed;
      int frameLen = 4 + body.length;
      out.write(raw ? 0x01 : 0x00);
      out.write(frameLen);
      out.write(frameLen >>> 8);
      out.write(frameLen >>> 16);
      out.write(crc);
      out.write(crc >>> 8);
      out.write(crc >>> 16);
      out.write(crc >>> 24);
      out.write(body, 0, body.length);
      p += n;
    }
    return out.toByteArray();
  }

  /** Go's {@code snappy.Encode}: a complete block (length varint included). */
  static byte[] encodeBlock(byte[] src) {
    byte[] dst = new byte[32 + src.length + src.length / 6];
    int d = putUvarint(dst, 0, src.length);
    int p = 0;
    while (p < src.length) {
      int n = Math.min(MAX_BLOCK, src.length - p);
      if (n < MIN_NON_LITERAL_BLOCK) {
        d = emitLiteral(dst, d, src, p, n);
      } else {
        d = compressFragment(dst, d, src, p, n);
      }
      p += n;
    }
    byte[] out = new byte[d];
    System.arraycopy(dst, 0, out, 0, d);
    return out;
  }

  private static int putUvarint(byte[] dst, int d, long v) {
    while ((v & ~0x7fL) != 0) {
      dst[d++] = (byte) (v | 0x80);
      v >>>= 7;
    }
    dst[d++] = (byte) v;
    return d;
  }

  private static int hash(int u, int shift) {
    return (u * 0x1e35a7bd) >>> shift;
  }

  private static int load32(byte[] b, int i) {
    return (b[i] & 0xff)
        | (b[i + 1] & 0xff) << 8
        | (b[i + 2] & 0xff) << 16
        | (b[i + 3] & 0xff) << 24;
  }

  private static long load64(byte[] b, int i) {
    return (load32(b, i) & 0xffffffffL) | ((long) load32(b, i + 4) << 32);
  }

  /**
   * Greedy LZ77 pass over {@code src[base, base+len)} with a 4-byte hash table of 256..16384
   * slots (sized to the input), heuristic skipping after misses, and table updates at s-1 and s
   * after every copy. Positions are relative to {@code base}.
   */
  private static int compressFragment(byte[] dst, int d, byte[] all, int base, int len) {
    byte[] src = all;
    if (base != 0 || len != all.length) {
      src = new byte[len];
      System.arraycopy(all, base, src, 0, len);
    }
    final int maxTableSize = 1 << 14;
    final int tableMask = maxTableSize - 1;
    int shift = 32 - 8;
    for (int size = 1 << 8; size < maxTableSize && size < len; size *= 2) {
      shift--;
    }
    int[] table = new int[maxTableSize];
    int sLimit = len - INPUT_MARGIN;
    int nextEmit = 0;
    int s = 1;
    int nextHash = hash(load32(src, s), shift);
    outer:
    while (true) {
      int skip = 32;
      int nextS = s;
      int candidate;
      while (true) {
        s = nextS;
        int between = skip >>> 5;
        nextS = s + between;
        skip += between;
        if (nextS > sLimit) {
          break outer;
        }
        candidate = table[nextHash & tableMask];
        table[nextHash & tableMask] = s;
        nextHash = hash(load32(src, nextS), shift);
        if (load32(src, s) == load32(src, candidate)) {
          break;
        }
      }
      d = emitLiteral(dst, d, src, nextEmit, s - nextEmit);
      while (true) {
        int matchBase = s;
        int i = candidate + 4;
        s += 4;
        while (s < len && src[i] == src[s]) {
          i++;
          s++;
        }
        d = emitCopy(dst, d, matchBase - candidate, s - matchBase);
        nextEmit = s;
        if (s >= sLimit) {
          break outer;
        }
        long x = load64(src, s - 1);
        int prevHash = hash((int) x, shift);
        table[prevHash & tableMask] = s - 1;
        int currHash = hash((int) (x >>> 8), shift);
        candidate = table[currHash & tableMask];
        table[currHash & tableMask] = s;
        if ((int) (x >>> 8) != load32(src, candidate)) {
          nextHash = hash((int) (x >>> 16), shift);
          s++;
          break;
        }
      }
    }
    if (nextEmit < len) {
      d = emitLiteral(dst, d, src, nextEmit, len - nextEmit);
    }
    return d;
  }

  private static int emitLiteral(byte[] dst, int d, byte[] src, int off, int len) {
    int n = len - 1;
    if (n < 60) {
      dst[d++] = (byte) (n << 2);
    } else if (n < 1 << 8) {
      dst[d++] = (byte) (60 << 2);
      dst[d++] = (byte) n;
    } else {
      dst[d++] = (byte) (61 << 2);
      dst[d++] = (byte) n;
      dst[d++] = (byte) (n >>> 8);
    }
    System.arraycopy(src, off, dst, d, len);
    return d + len;
  }

  private static int emitCopy(byte[] dst, int d, int offset, int length) {
    while (length >= 68) {
      dst[d++] = (byte) (63 << 2 | 2);
      dst[d++] = (byte) offset;
      dst[d++] = (byte) (offset >>> 8);
      length -= 64;
    }
    if (length > 64) {
      dst[d++] = (byte) (59 << 2 | 2);
      dst[d++] = (byte) offset;
      dst[d++] = (byte) (offset >>> 8);
      length -= 60;
    }
    if (length >= 12 || offset >= 2048) {
      dst[d++] = (byte) ((length - 1) << 2 | 2);
      dst[d++] = (byte) offset;
      dst[d++] = (byte) (offset >>> 8);
      return d;
    }
    dst[d++] = (byte) ((offset >>> 8) << 5 | (length - 4) << 2 | 1);
    dst[d++] = (byte) offset;
    return d;
  }

  /**
   * Decodes a framed stream in {@code src[off, off+len)}. Returns the decoded bytes, or null with
   * the reason in {@code err[0]}.
   */
  static byte[] decodeFramed(byte[] src, int off, int len, String[] err) {
    int p = off;
    int end = off + len;
    ByteArrayOutputStream out = new ByteArrayOutputStream(len * 2);
    boolean sawId = false;
    while (p < end) {
      if (end - p < 4) {
        err[0] = "snappy frame header truncated";
        return null;
      }
      int type = src[p] & 0xff;
      int flen = (src[p + 1] & 0xff) | (src[p + 2] & 0xff) << 8 | (src[p + 3] & 0xff) << 16;
      p += 4;
      if (end - p < flen) {
        err[0] = "snappy frame of " + flen + " bytes truncated (" + (end - p) + " left)";
        return null;
      }
      if (type == 0xff) {
        if (flen != 6 || !matches(src, p, STREAM_ID, 4, 6)) {
          err[0] = "bad snappy stream identifier";
          return null;
        }
        sawId = true;
      } else if (!sawId) {
        err[0] = "snappy stream does not start with the stream identifier";
        return null;
      } else if (type == 0x00 || type == 0x01) {
        if (flen < 4) {
          err[0] = "snappy frame too short for its checksum";
          return null;
        }
        int crc = Bits.intLE(src, p);
        byte[] body;
        if (type == 0x01) {
          body = new byte[flen - 4];
          System.arraycopy(src, p + 4, body, 0, flen - 4);
        } else {
          body = decodeBlock(src, p + 4, flen - 4, err);
          if (body == null) {
            return null;
          }
        }
        if (maskedCrc(body, 0, body.length) != crc) {
          err[0] = "snappy frame checksum mismatch";
          return null;
        }
        out.write(body, 0, body.length);
      } else if (type >= 0x02 && type <= 0x7f) {
        err[0] = "unsupported unskippable snappy frame type " + type;
        return null;
      }
      // 0x80..0xfe: skippable (padding etc.)
      p += flen;
    }
    if (!sawId) {
      err[0] = "empty snappy stream";
      return null;
    }
    return out.toByteArray();
  }

  private static boolean matches(byte[] a, int off, byte[] b, int boff, int n) {
    for (int i = 0; i < n; i++) {
      if (a[off + i] != b[boff + i]) {
        return false;
      }
    }
    return true;
  }

  /** Decodes one snappy block; returns null with the reason in {@code err[0]} when corrupt. */
  static byte[] decodeBlock(byte[] src, int off, int len, String[] err) {
    int p = off;
    int end = off + len;
    long n = 0;
    int shift = 0;
    while (true) {
      if (p >= end || shift > 28) {
        err[0] = "snappy block: bad length varint";
        return null;
      }
      int c = src[p++] & 0xff;
      n |= (long) (c & 0x7f) << shift;
      if (c < 0x80) {
        break;
      }
      shift += 7;
    }
    if (n > 1 << 24) {
      err[0] = "snappy block: decoded length " + n + " too large";
      return null;
    }
    byte[] dst = new byte[(int) n];
    int d = 0;
    while (p < end) {
      int tag = src[p] & 0xff;
      int length;
      int offset;
      switch (tag & 3) {
        case 0:
          {
            int x = tag >>> 2;
            p++;
            if (x >= 60) {
              int extra = x - 59;
              if (end - p < extra) {
                err[0] = "snappy block: truncated literal length";
                return null;
              }
              x = 0;
              for (int i = 0; i < extra; i++) {
                x |= (src[p + i] & 0xff) << (8 * i);
              }
              p += extra;
            }
            length = x + 1;
            if (length <= 0 || length > end - p || length > dst.length - d) {
              err[0] = "snappy block: literal overruns";
              return null;
            }
            System.arraycopy(src, p, dst, d, length);
            p += length;
            d += length;
            continue;
          }
        case 1:
          if (end - p < 2) {
            err[0] = "snappy block: truncated copy";
            return null;
          }
          length = 4 + ((tag >>> 2) & 7);
          offset = (tag & 0xe0) << 3 | (src[p + 1] & 0xff);
          p += 2;
          break;
        case 2:
          if (end - p < 3) {
            err[0] = "snappy block: truncated copy";
            return null;
          }
          length = 1 + (tag >>> 2);
          offset = (src[p + 1] & 0xff) | (src[p + 2] & 0xff) << 8;
          p += 3;
          break;
        default:
          if (end - p < 5) {
            err[0] = "snappy block: truncated copy";
            return null;
          }
          length = 1 + (tag >>> 2);
          offset = Bits.intLE(src, p + 1);
          p += 5;
      }
      if (offset <= 0 || offset > d || length > dst.length - d) {
        err[0] = "snappy block: bad copy offset " + offset;
        return null;
      }
      for (int i = 0; i < length; i++) {
        dst[d + i] = dst[d - offset + i];
      }
      d += length;
    }
    if (d != dst.length) {
      err[0] = "snappy block: decoded " + d + " bytes, header says " + dst.length;
      return null;
    }
    return dst;
  }
}
