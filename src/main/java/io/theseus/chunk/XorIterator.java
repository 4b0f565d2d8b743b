package io.theseus.chunk;

/**
 * Iterator over a Prometheus XOR chunk (format in {@link XorChunk}).
 *
 * <p>Reads bits with one unaligned 64-bit big-endian load per field where the array allows it.
 * Never reads past {@code off + len} logically: a field that would cross the end sets {@link
 * #error()}. Reusable through {@link #reset(byte[], int, int)}; not thread-safe; no allocation per
 * sample.
 */
public final class XorIterator extends CurrentSample {
  private byte[] b;
  private int pos;
  private int end;
  private int total;
  private int read;
  private boolean done;
  private long tDelta;
  private int leading;
  private int trailing;

  /** Points this iterator at a whole chunk held in {@code data}. */
  public XorIterator reset(byte[] data) {
    return reset(data, 0, data.length);
  }

  /** Points this iterator at the chunk held in {@code data[off, off+len)}. */
  public XorIterator reset(byte[] data, int off, int len) {
    b = data;
    pos = (off + 2) * 8;
    end = (off + len) * 8;
    read = 0;
    done = false;
    t = 0;
    tDelta = 0;
    vBits = 0;
    leading = 0;
    trailing = 0;
    error = null;
    if (len < 2) {
      total = 0;
      error = "xor chunk shorter than its 2-byte header (" + len + " bytes)";
      done = true;
    } else {
      total = Bits.u16BE(data, off);
    }
    return this;
  }

  /** Sample count from the header. */
  public int numSamples() {
    return total;
  }

  @Override
  public boolean next() {
    if (read >= 2 && read < total && !done) {
      readSteadySample();
      return endSample();
    }
    return nextSlow();
  }

  private boolean nextSlow() {
    if (done) {
      return false;
    }
    if (read == total) {
      done = true;
      return false;
    }
    if (read == 0) {
      long zz = readUvarint();
      t = (zz >>> 1) ^ -(zz & 1);
      long hi = readBits(32);
      vBits = (hi << 32) | readBits(32);
    } else if (read == 1) {
      tDelta = readUvarint();
      t += tDelta;
      readValue();
    } else {
      readSteadySample();
    }
    return endSample();
  }

  /** Third sample onward: delta-of-delta timestamp, then XOR value. */
  private void readSteadySample() {
    long dod;
    switch (peekPrefix()) {
      case 0:
        dod = 0;
        break;
      case 1:
        dod = signed(readBits(14), 14);
        break;
      case 2:
        dod = signed(readBits(17), 17);
        break;
      case 3:
        dod = signed(readBits(20), 20);
        break;
      default:
        long hi = readBits(32);
        dod = (hi << 32) | readBits(32);
    }
    tDelta += dod;
    t += tDelta;
    readValue();
  }

  /** Ends a sample read: stops on a decoding error, otherwise counts the sample. */
  private boolean endSample() {
    if (error != null) {
      done = true;
      return false;
    }
    read++;
    return true;
  }

  /** Reads the 1-4 bit timestamp prefix; returns the number of leading 1s (0..4). */
  private int peekPrefix() {
    int avail = end - pos;
    if (avail >= 4) {
      int bits = (int) readBitsFast(4);
      if ((bits & 0b1000) == 0) {
        pos -= 3;
        return 0;
      }
      if ((bits & 0b0100) == 0) {
        pos -= 2;
        return 1;
      }
      if ((bits & 0b0010) == 0) {
        pos -= 1;
        return 2;
      }
      return (bits & 1) == 0 ? 3 : 4;
    }
    int n = 0;
    while (n < 4) {
      if (readBits(1) == 0) {
        break;
      }
      n++;
    }
    return n;
  }

  private static long signed(long bits, int sz) {
    if (bits > (1L << (sz - 1))) {
      bits -= 1L << sz;
    }
    return bits;
  }

  private void readValue() {
    int control;
    if (end - pos >= 2) {
      control = (int) readBitsFast(2);
      if (control < 2) {
        pos--; // '0': value unchanged, only one bit consumed
        return;
      }
    } else {
      if (readBits(1) == 0) {
        return;
      }
      control = 2 | (int) readBits(1);
    }
    if (control == 3) {
      long lm = readBits(11);
      leading = (int) (lm >>> 6);
      int mbits = (int) (lm & 0x3f);
      if (mbits == 0) {
        mbits = 64;
      }
      trailing = 64 - leading - mbits;
      if (trailing < 0) {
        fail("xor chunk corrupt: leading " + leading + " + significant " + mbits + " > 64");
        return;
      }
    }
    int mbits = 64 - leading - trailing;
    long v;
    if (mbits > 56) {
      long hi = readBits(mbits - 32);
      v = (hi << 32) | readBits(32);
    } else {
      v = readBits(mbits);
    }
    vBits ^= v << trailing;
  }

  private long readUvarint() {
    long x = 0;
    int s = 0;
    for (int i = 0; i < 10; i++) {
      long c = readBits(8);
      if (error != null) {
        return 0;
      }
      if (c < 0x80) {
        if (i == 9 && c > 1) {
          fail("xor chunk corrupt: varint overflows 64 bits");
          return 0;
        }
        return x | c << s;
      }
      x |= (c & 0x7f) << s;
      s += 7;
    }
    fail("xor chunk corrupt: varint overflows 64 bits");
    return 0;
  }

  /** Reads {@code n} (1..56) bits; on overrun sets the error and returns 0. */
  private long readBits(int n) {
    if (end - pos < n) {
      fail("xor chunk truncated after " + read + " of " + total + " samples");
      pos = end;
      return 0;
    }
    return readBitsFast(n);
  }

  private long readBitsFast(int n) {
    int p = pos;
    int idx = p >>> 3;
    pos = p + n;
    if (idx + 8 <= b.length) {
      return (Bits.longBE(b, idx) << (p & 7)) >>> (64 - n);
    }
    long v = 0;
    int remaining = n;
    while (remaining > 0) {
      int i = p >>> 3;
      int avail = 8 - (p & 7);
      int take = Math.min(avail, remaining);
      int bits = ((b[i] & 0xff) >>> (avail - take)) & ((1 << take) - 1);
      v = (v << take) | bits;
      remaining -= take;
      p += take;
    }
    return v;
  }

  private void fail(String message) {
    if (error == null) {
      error = message;
    }
  }

  @Override
  public boolean seek(long target) {
    if (done) {
      return false;
    }
    while (read == 0 || t < target) {
      if (!next()) {
        return false;
      }
    }
    return true;
  }
}
