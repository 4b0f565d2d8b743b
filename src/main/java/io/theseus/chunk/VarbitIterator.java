package io.theseus.chunk;

/**
 * Iterator over a Varbit chunk (layout in {@link VarbitChunk}), following Cortex's {@code
 * varbitChunkIterator.Scan}: header samples, the payload, and for a closed chunk the last sample
 * kept only in the header. Values are tracked as raw bits except in integer double-delta mode
 * (where Cortex adds deltas in float64 arithmetic). Reading past the 1024 bytes sets {@link
 * #error()}. Reusable; not thread-safe.
 */
public final class VarbitIterator extends CurrentSample {
  private byte[] c;
  private int base;
  private int pos;
  private int len;
  private long dT;
  private int repeats;
  private long dV;
  private int leading;
  private int significant;
  private int enc;
  private boolean closed;
  private boolean started;

  /** Resets onto marshalled chunk data as stored in a blob. */
  public VarbitIterator reset(byte[] data) {
    byte[] buf = data;
    if (data.length < VarbitChunk.CHUNK_LEN) {
      buf = java.util.Arrays.copyOf(data, VarbitChunk.CHUNK_LEN);
    }
    return reset(buf, 0);
  }

  VarbitIterator reset(byte[] data, int offset) {
    c = data;
    base = offset;
    len = Bits.u16BE(data, offset + VarbitChunk.NEXT_OFFSET);
    enc = data[offset + VarbitChunk.FLAG] & 3;
    closed = (data[offset + VarbitChunk.FLAG] & 0x80) != 0;
    pos = 0;
    t = Long.MIN_VALUE;
    dT = 0;
    repeats = 0;
    vBits = 0;
    dV = 0;
    leading = 0;
    significant = 1;
    started = false;
    error = null;
    if (len > VarbitChunk.CHUNK_LEN * 8) {
      error = "varbit chunk: next-sample offset " + len + " beyond the chunk";
    }
    return this;
  }

  /** Cortex's UnmarshalFromBuf length rule; null when acceptable. */
  static String validate(byte[] data) {
    if (data.length >= VarbitChunk.CHUNK_LEN) {
      return null;
    }
    if (data.length < VarbitChunk.NEXT_OFFSET + 2) {
      return "varbit chunk truncated: " + data.length + " bytes";
    }
    int bits = Math.max(Bits.u16BE(data, VarbitChunk.NEXT_OFFSET), VarbitChunk.THIRD_OFFSET);
    int want = Math.min(bits / 8 + 1, VarbitChunk.CHUNK_LEN);
    return data.length == want
        ? null
        : "varbit chunk truncated: " + data.length + " bytes, want " + want + " or 1024";
  }

  private long longAt(int byteOff) {
    return Bits.longBE(c, base + byteOff);
  }

  @Override
  public boolean next() {
    if (error != null) {
      return false;
    }
    if (pos > len) {
      return false;
    }
    if (pos == len && repeats == 0) {
      pos = len + 1;
      if (!closed) {
        return false;
      }
      t = longAt(16);
      vBits = longAt(24);
      started = true;
      return true;
    }
    started = true;
    if (pos == 0) {
      t = longAt(0);
      vBits = longAt(8);
      pos = 1;
      return true;
    }
    if (pos == 1) {
      if (len == VarbitChunk.THIRD_OFFSET && !closed) {
        t = longAt(16);
        vBits = longAt(24);
        pos = len + 1;
        return true;
      }
      dT = (c[base + 32] & 0xffL) << 16 | (c[base + 33] & 0xff) << 8 | (c[base + 34] & 0xff);
      t += dT;
      switch (enc) {
        case VarbitChunk.ZERO:
          pos = VarbitChunk.THIRD_OFFSET;
          break;
        case VarbitChunk.INT_DD:
          dV = (int) Bits.u32BE(c, base + VarbitChunk.FIRST_VALUE_DELTA);
          vBits = Double.doubleToRawLongBits(Double.longBitsToDouble(vBits) + (double) dV);
          pos = VarbitChunk.THIRD_OFFSET + 32;
          break;
        case VarbitChunk.XOR:
          pos = VarbitChunk.THIRD_OFFSET;
          readXOR();
          break;
        default:
          vBits = longAt(VarbitChunk.THIRD_OFFSET / 8);
          pos = VarbitChunk.THIRD_OFFSET + 64;
      }
      return error == null;
    }
    readDDT();
    switch (enc) {
      case VarbitChunk.ZERO:
        break;
      case VarbitChunk.INT_DD:
        readDDV();
        break;
      case VarbitChunk.XOR:
        readXOR();
        break;
      default:
        vBits = readBitPattern(64);
    }
    return error == null;
  }

  private void readDDT() {
    if (repeats > 0) {
      repeats--;
    } else {
      switch (readControlBits(3)) {
        case 0:
          repeats = (int) readBitPattern(7);
          break;
        case 1:
          dT += readSignedInt(6);
          break;
        case 2:
          dT += readSignedInt(17);
          break;
        default:
          dT += readSignedInt(23);
      }
    }
    t += dT;
  }

  private void readDDV() {
    switch (readControlBits(4)) {
      case 0:
        break;
      case 1:
        dV += readSignedInt(6);
        break;
      case 2:
        dV += readSignedInt(13);
        break;
      case 3:
        dV += readSignedInt(20);
        break;
      default:
        dV += readSignedInt(33);
    }
    vBits = Double.doubleToRawLongBits(Double.longBitsToDouble(vBits) + (double) dV);
  }

  private void readXOR() {
    switch (readControlBits(2)) {
      case 0:
        return;
      case 1:
        break;
      default:
        leading = (int) readBitPattern(5);
        significant = (int) readBitPattern(6) + 1;
    }
    int shift = 64 - significant - leading;
    if (shift < 0) {
      error = "varbit chunk corrupt: leading " + leading + " + significant " + significant;
      return;
    }
    long p = readBitPattern(significant);
    vBits ^= p << shift;
  }

  private int readControlBits(int max) {
    int count = 0;
    while (count < max && pos / 8 < VarbitChunk.CHUNK_LEN) {
      int b = c[base + pos / 8] & VarbitChunk.mask(1, pos % 8);
      pos++;
      if (b == 0) {
        return count;
      }
      count++;
    }
    if (pos / 8 >= VarbitChunk.CHUNK_LEN) {
      error = "varbit chunk bounds exceeded";
    }
    return count;
  }

  private long readBitPattern(int n) {
    if (VarbitChunk.CHUNK_LEN * 8 < pos + n) {
      error = "varbit chunk bounds exceeded";
      return 0;
    }
    long u = VarbitChunk.readBitPattern(c, base, pos, n);
    pos += n;
    return u;
  }

  private long readSignedInt(int n) {
    long u = readBitPattern(n);
    if (n < 64 && u >= 1L << (n - 1)) {
      u -= 1L << n;
    }
    return u;
  }

  @Override
  public boolean seek(long target) {
    while (!started || t < target) {
      if (!next()) {
        return false;
      }
    }
    return error == null;
  }
}
