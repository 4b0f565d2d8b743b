package io.theseus.chunk;

/**
 * Iterator over a DoubleDelta chunk (layout in {@link DoubleDeltaChunk}), reading samples by
 * index as Cortex's {@code doubleDeltaEncodedIndexAccessor} does, with the same floating-point
 * reconstruction ({@code v0 + i*dv + dd}). Widths and the used length are validated on {@link
 * #reset}; problems are reported through {@link #error()}. Reusable; not thread-safe.
 */
public final class DoubleDeltaIterator extends CurrentSample {
  private byte[] c;
  private int off;
  private int n;
  private int idx;
  private int tb;
  private int vb;
  private boolean isInt;
  private long baseT;
  private long baseDt;
  private long baseVBits;
  private long baseDvBits;

  /** Resets onto marshalled chunk data as stored in a blob (any length; 1024 expected). */
  public DoubleDeltaIterator reset(byte[] data) {
    byte[] buf = data;
    if (data.length < DoubleDeltaChunk.CHUNK_LEN) {
      buf = java.util.Arrays.copyOf(data, DoubleDeltaChunk.CHUNK_LEN);
    }
    int used = Bits.u16LE(buf, 0);
    return reset(buf, 0, used, true);
  }

  DoubleDeltaIterator reset(byte[] data, int offset, int used, boolean check) {
    c = data;
    off = offset;
    idx = -1;
    error = null;
    n = 0;
    if (check) {
      error = validate(data, offset, used);
      if (error != null) {
        return this;
      }
    }
    tb = data[offset + 2];
    vb = data[offset + 3];
    isInt = data[offset + 4] == 1;
    if (used <= 5) {
      n = 0;
    } else if (used <= 21) {
      n = 1;
    } else {
      n = (used - DoubleDeltaChunk.HEADER) / (tb + vb) + 2;
    }
    baseT = n > 0 ? Bits.longLE(data, offset + 5) : 0;
    baseVBits = n > 0 ? Bits.longLE(data, offset + 13) : 0;
    baseDt = used >= 29 ? Bits.longLE(data, offset + 21) : 0;
    baseDvBits = used >= 37 ? Bits.longLE(data, offset + 29) : 0;
    return this;
  }

  /** Cortex's {@code setLen} checks; null when sound. */
  static String validate(byte[] data, int offset, int used) {
    if (used > DoubleDeltaChunk.CHUNK_LEN || used > data.length - offset) {
      return "doubledelta chunk length exceeded: " + used;
    }
    if (used < DoubleDeltaChunk.HEADER_MIN) {
      return "doubledelta chunk length less than header size: " + used + " < 21";
    }
    int tb = data[offset + 2];
    int vb = data[offset + 3];
    if (tb != 1 && tb != 2 && tb != 4 && tb != 8) {
      return "invalid number of time bytes in doubledelta chunk: " + tb;
    }
    if (vb != 0 && vb != 1 && vb != 2 && vb != 4 && vb != 8) {
      return "invalid number of value bytes in doubledelta chunk: " + vb;
    }
    if (data[offset + 4] == 1 && vb == 8) {
      return "doubledelta chunk: integer values with 8-byte deltas";
    }
    return null;
  }

  public int numSamples() {
    return n;
  }

  @Override
  public boolean next() {
    if (error != null || idx + 1 >= n) {
      idx = n;
      return false;
    }
    idx++;
    if (idx == 0) {
      t = baseT;
      vBits = baseVBits;
      return true;
    }
    double baseV = Double.longBitsToDouble(baseVBits);
    double baseDv = Double.longBitsToDouble(baseDvBits);
    if (idx == 1) {
      t = tb == 8 ? baseDt : baseT + baseDt;
      vBits = vb == 8 ? baseDvBits : Double.doubleToRawLongBits(baseV + baseDv);
      return true;
    }
    int o = off + DoubleDeltaChunk.HEADER + (idx - 2) * (tb + vb);
    switch (tb) {
      case 1:
        t = baseT + idx * baseDt + c[o];
        break;
      case 2:
        t = baseT + idx * baseDt + (short) Bits.u16LE(c, o);
        break;
      case 4:
        t = baseT + idx * baseDt + Bits.intLE(c, o);
        break;
      default:
        t = Bits.longLE(c, o);
    }
    o += tb;
    if (isInt) {
      double dd;
      switch (vb) {
        case 0:
          dd = 0;
          vBits = Double.doubleToRawLongBits(baseV + (double) idx * baseDv);
          return true;
        case 1:
          dd = c[o];
          break;
        case 2:
          dd = (short) Bits.u16LE(c, o);
          break;
        default:
          dd = Bits.intLE(c, o);
      }
      vBits = Double.doubleToRawLongBits(baseV + (double) idx * baseDv + dd);
    } else if (vb == 4) {
      double dd = Float.intBitsToFloat(Bits.intLE(c, o));
      vBits = Double.doubleToRawLongBits(baseV + (double) idx * baseDv + dd);
    } else {
      vBits = Bits.longLE(c, o);
    }
    return true;
  }

  @Override
  public boolean seek(long target) {
    if (error != null) {
      return false;
    }
    while (idx < 0 || (idx < n && t < target)) {
      if (!next()) {
        return false;
      }
    }
    return idx < n;
  }
}
