package io.theseus.chunk;

import java.util.Arrays;

/**
 * Cortex / Prometheus 1.x DoubleDelta chunk (encoding 1): one fixed 1024-byte buffer, written
 * with exactly the adaptive width, transcoding and overflow decisions of Cortex's {@code
 * doubleDeltaEncodedChunk.Add}, so a Java writer produces the same bytes as a Cortex ingester.
 *
 * <pre>
 * offset size  content (all little-endian)
 * 0      2     used bytes (written on marshal)
 * 2      1     time double-delta width tb: 1, 2, 4 or 8 (8 = absolute int64 timestamps)
 * 3      1     value double-delta width vb: 0, 1, 2, 4 or 8 (8 = absolute float64 values)
 * 4      1     is-int flag (1: value deltas are integers; only when vb &lt; 8)
 * 5      8     base time (sample 0)
 * 13     8     base value bits (sample 0)
 * 21     8     base time delta t1-t0 (or absolute t1 when tb = 8)
 * 29     8     base value delta bits v1-v0 (or absolute v1 when vb = 8)
 * 37     ...   samples 2..n: tb bytes of (t - (t0 + i*dt)), then vb bytes of
 *              (v - (v0 + i*dv)) as int8/16/32 (is-int) or float32 (vb = 4, float)
 * </pre>
 *
 * <p>All 1024 bytes are marshalled. Not thread-safe; package-private, driven by {@link
 * Prom1ChunkWriter}.
 */
final class DoubleDeltaChunk {
  static final int CHUNK_LEN = 1024;
  static final int HEADER = 37;
  static final int HEADER_MIN = 21;

  byte[] c;
  int len;

  DoubleDeltaChunk(int tb, int vb, boolean isInt, int cap) {
    c = new byte[cap];
    len = 5;
    c[2] = (byte) tb;
    c[3] = (byte) vb;
    c[4] = (byte) (vb < 8 && isInt ? 1 : 0);
  }

  /** Cortex's {@code New()} for DoubleDelta: d1, d0, int, 1024 bytes. */
  static DoubleDeltaChunk create() {
    return new DoubleDeltaChunk(1, 0, true, CHUNK_LEN);
  }

  int tb() {
    return c[2];
  }

  int vb() {
    return c[3];
  }

  boolean isInt() {
    return c[4] == 1;
  }

  long baseTime() {
    return Bits.longLE(c, 5);
  }

  double baseValue() {
    return Double.longBitsToDouble(Bits.longLE(c, 13));
  }

  long baseTimeDelta() {
    return len < 29 ? 0 : Bits.longLE(c, 21);
  }

  double baseValueDelta() {
    return len < 37 ? 0 : Double.longBitsToDouble(Bits.longLE(c, 29));
  }

  int numSamples() {
    if (len <= 5) {
      return 0;
    }
    if (len <= 21) {
      return 1;
    }
    return (len - HEADER) / (tb() + vb()) + 2;
  }

  /**
   * Adds a sample as Cortex does. Returns null when it fit (possibly after transcoding this
   * chunk in place), or the overflow chunk that now holds the sample (a fresh chunk, or the
   * second half of a transcode).
   */
  DoubleDeltaChunk add(long t, long vBits) {
    double v = Double.longBitsToDouble(vBits);
    int n = numSamples();
    if (n == 0) {
      len = 21;
      putLongLE(5, t);
      putLongLE(13, vBits);
      return null;
    }
    int tb = tb();
    int vb = vb();
    if (n == 1) {
      addSecond(t, vBits, v, tb, vb);
      return null;
    }
    int remaining = c.length - len;
    int sampleSize = tb + vb;
    if (remaining < sampleSize) {
      return overflow(t, vBits);
    }
    long projectedTime = baseTime() + n * baseTimeDelta();
    long ddt = t - projectedTime;
    double projectedValue = baseValue() + (double) n * baseValueDelta();
    double ddv = v - projectedValue;

    int ntb = tb;
    int nvb = vb;
    boolean nInt = isInt();
    if (isInt() && !isInt64(ddv)) {
      nvb = 4;
      nInt = false;
    } else if (!isInt() && vb == 4 && projectedValue + (double) (float) ddv != v) {
      nvb = 8;
    } else {
      if (tb < 8) {
        ntb = Math.max(tb, bytesForSignedTimeDelta(ddt));
      }
      if (isInt() && vb < 8) {
        nvb = Math.max(vb, bytesForIntValueDelta(ddv));
      }
    }
    if (tb != ntb || vb != nvb || isInt() != nInt) {
      if (len * 2 < c.length) {
        DoubleDeltaChunk[] result =
            transcodeAndAdd(new DoubleDeltaChunk(ntb, nvb, nInt, c.length), t, vBits);
        if (result.length == 1) {
          replaceWith(result[0]);
          return null;
        } else if (result.length == 2) {
          replaceWith(result[0]);
          return result[1];
        }
      }
      return overflow(t, vBits);
    }
    int off = len;
    len += sampleSize;
    switch (tb) {
      case 1:
        c[off] = (byte) ddt;
        break;
      case 2:
        Bits.putU16LE(c, off, (int) ddt);
        break;
      case 4:
        putIntLE(off, (int) ddt);
        break;
      default:
        putLongLE(off, t);
    }
    off += tb;
    if (isInt()) {
      switch (vb) {
        case 0:
          break;
        case 1:
          c[off] = (byte) (long) ddv;
          break;
        case 2:
          Bits.putU16LE(c, off, (int) (long) ddv);
          break;
        default:
          putIntLE(off, (int) (long) ddv);
      }
    } else if (vb == 4) {
      putIntLE(off, Float.floatToRawIntBits((float) ddv));
    } else {
      putLongLE(off, vBits);
    }
    return null;
  }

  private void addSecond(long t, long vBits, double v, int tb, int vb) {
    long baseTimeDelta = t - baseTime();
    if (baseTimeDelta < 0) {
      throw new IllegalArgumentException("base time delta is less than zero: " + baseTimeDelta);
    }
    len = HEADER;
    if (tb >= 8 || bytesForUnsignedTimeDelta(baseTimeDelta) >= 8) {
      c[2] = 8;
      putLongLE(21, t);
    } else {
      putLongLE(21, baseTimeDelta);
    }
    double baseValue = baseValue();
    double baseValueDelta = v - baseValue;
    if (vb >= 8 || baseValue + baseValueDelta != v) {
      c[3] = 8;
      c[4] = 0;
      putLongLE(29, vBits);
    } else {
      putLongLE(29, Double.doubleToRawLongBits(baseValueDelta));
    }
  }

  private DoubleDeltaChunk[] transcodeAndAdd(DoubleDeltaChunk dst, long t, long vBits) {
    DoubleDeltaChunk[] body = new DoubleDeltaChunk[4];
    int nb = 0;
    DoubleDeltaChunk head = dst;
    DoubleDeltaIterator it = new DoubleDeltaIterator().reset(c, 0, len, false);
    while (it.next()) {
      DoubleDeltaChunk next = head.add(it.timestamp(), it.valueBits());
      if (next != null) {
        if (nb == body.length) {
          body = Arrays.copyOf(body, nb * 2);
        }
        body[nb++] = head;
        head = next;
      }
    }
    DoubleDeltaChunk next = head.add(t, vBits);
    if (next != null) {
      if (nb == body.length) {
        body = Arrays.copyOf(body, nb * 2);
      }
      body[nb++] = head;
      head = next;
    }
    DoubleDeltaChunk[] out = Arrays.copyOf(body, nb + 1);
    out[nb] = head;
    return out;
  }

  private static DoubleDeltaChunk overflow(long t, long vBits) {
    DoubleDeltaChunk o = create();
    o.add(t, vBits);
    return o;
  }

  private void replaceWith(DoubleDeltaChunk o) {
    c = o.c;
    len = o.len;
  }

  /** The 1024 marshalled bytes (used-length header filled in). */
  byte[] marshal() {
    byte[] out = c.clone();
    Bits.putU16LE(out, 0, len);
    return out;
  }

  static boolean isInt64(double v) {
    return v >= -0x1p63 && v < 0x1p63 && (double) (long) v == v;
  }

  static int bytesForUnsignedTimeDelta(long d) {
    if (d > 0xffffffffL) {
      return 8;
    }
    if (d > 0xffff) {
      return 4;
    }
    if (d > 0xff) {
      return 2;
    }
    return 1;
  }

  static int bytesForSignedTimeDelta(long d) {
    if (d > Integer.MAX_VALUE || d < Integer.MIN_VALUE) {
      return 8;
    }
    if (d > Short.MAX_VALUE || d < Short.MIN_VALUE) {
      return 4;
    }
    if (d > Byte.MAX_VALUE || d < Byte.MIN_VALUE) {
      return 2;
    }
    return 1;
  }

  static int bytesForIntValueDelta(double d) {
    if (d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) {
      return 8;
    }
    if (d < Short.MIN_VALUE || d > Short.MAX_VALUE) {
      return 4;
    }
    if (d < Byte.MIN_VALUE || d > Byte.MAX_VALUE) {
      return 2;
    }
    if (d != 0) {
      return 1;
    }
    return 0;
  }

  private void putLongLE(int i, long v) {
    Bits.LONG_LE.set(c, i, v);
  }

  private void putIntLE(int i, int v) {
    Bits.INT_LE.set(c, i, v);
  }
}
