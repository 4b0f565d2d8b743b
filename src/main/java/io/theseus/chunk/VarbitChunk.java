package io.theseus.chunk;

import java.util.Arrays;

/**
 * Cortex / Prometheus 1.x Varbit chunk (encoding 2): a fixed 1024-byte Gorilla-like chunk,
 * written with exactly the decisions of Cortex's {@code varbitChunk.Add} (value-encoding choice
 * at the third sample, transcoding, closing, footer handling), so bytes equal a Cortex
 * ingester's.
 *
 * <pre>
 * bit       size  content (big-endian)
 * 0         64    first time
 * 64        64    first value bits
 * 128       64    last time
 * 192       64    last value bits
 * 256       24    first delta t (t1-t0, unsigned)
 * 280       8     flags: bits 0-1 value encoding (0 zero, 1 int double-delta, 2 XOR,
 *                 3 direct); bit 7 closed
 * 288       16    bit offset of the next sample
 * 304       32    first delta v (int encoding) or start of payload
 * ...             payload: per sample a time ddt ('0'+7-bit repeat count of ddt=0 | '10'+6 |
 *                 '110'+17 | '111'+23 bits) then the value ('0' same / '10'+6 | '110'+13 |
 *                 '1110'+20 | '1111'+33 int dd; XOR '0' | '10' reuse window | '11'+5 leading
 *                 +6 (significant-1); direct 64 bits)
 * 8120      16    footer while open: bit offset of the current ddt=0 repeat counter
 * 8136      24    footer: last delta t
 * 8160      32    footer: last delta v (int) or leading zeros / significant bits (XOR)
 * </pre>
 *
 * <p>Not thread-safe; package-private, driven by {@link Prom1ChunkWriter}.
 */
final class VarbitChunk {
  static final int CHUNK_LEN = 1024;
  static final int ZERO = 0;
  static final int INT_DD = 1;
  static final int XOR = 2;
  static final int DIRECT = 3;
  static final int FLAG = 35;
  static final int NEXT_OFFSET = 36;
  static final int FIRST_VALUE_DELTA = 38;
  static final int COUNT_OFFSET = CHUNK_LEN - 9;
  static final int LAST_TIME_DELTA = CHUNK_LEN - 7;
  static final int LAST_VALUE_DELTA = CHUNK_LEN - 4;
  static final int LAST_LEADING = CHUNK_LEN - 4;
  static final int LAST_SIGNIFICANT = CHUNK_LEN - 3;
  static final int THIRD_OFFSET = FIRST_VALUE_DELTA * 8;
  static final int THRESHOLD = 8 * COUNT_OFFSET;
  static final long MAX_TIME_DELTA = 1 << 24;
  private static final int[] WORST_CASE = {27, 27 + 38, 27 + 13 + 64, 27 + 64};

  byte[] c;

  VarbitChunk(int enc) {
    c = new byte[CHUNK_LEN];
    setValueEncoding(enc);
  }

  /** Cortex's {@code New()} for Varbit: zero encoding. */
  static VarbitChunk create() {
    return new VarbitChunk(ZERO);
  }

  static int mask(int n, int pos) {
    // n consecutive bits starting at bit pos (0 = MSB) within one byte, clipped at the end.
    if (n == 0) {
      return 0;
    }
    int end = Math.min(8, pos + n);
    return (0xff >>> pos) & (0xff << (8 - end)) & 0xff;
  }

  int nextSampleOffset() {
    return Bits.u16BE(c, NEXT_OFFSET);
  }

  void setNextSampleOffset(int o) {
    Bits.putU16BE(c, NEXT_OFFSET, o);
  }

  int valueEncoding() {
    return c[FLAG] & 3;
  }

  void setValueEncoding(int enc) {
    c[FLAG] = (byte) ((c[FLAG] & ~3) | enc);
  }

  boolean closed() {
    return (c[FLAG] & 0x80) != 0;
  }

  long firstTime() {
    return Bits.longBE(c, 0);
  }

  long firstValueBits() {
    return Bits.longBE(c, 8);
  }

  long lastTime() {
    return Bits.longBE(c, 16);
  }

  long lastValueBits() {
    return Bits.longBE(c, 24);
  }

  long lastTimeDelta() {
    return u24(LAST_TIME_DELTA);
  }

  private long u24(int i) {
    return (c[i] & 0xffL) << 16 | (c[i + 1] & 0xff) << 8 | (c[i + 2] & 0xff);
  }

  void setLastTimeDelta(long dt) {
    c[LAST_TIME_DELTA] = (byte) (dt >> 16);
    c[LAST_TIME_DELTA + 1] = (byte) (dt >> 8);
    c[LAST_TIME_DELTA + 2] = (byte) dt;
  }

  int lastValueDelta() {
    return (int) Bits.u32BE(c, LAST_VALUE_DELTA);
  }

  void setLastValueDelta(int dv) {
    Bits.putU32BE(c, LAST_VALUE_DELTA, dv & 0xffffffffL);
  }

  /**
   * Adds a sample as Cortex does: null when it went into this chunk (possibly transcoded in
   * place), else the overflow chunk now holding it.
   */
  VarbitChunk add(long t, long vBits) {
    int offset = nextSampleOffset();
    if (closed()) {
      return overflow(t, vBits);
    }
    if (offset > THRESHOLD) {
      addLastSample(t, vBits);
      return null;
    }
    if (offset == 0) {
      Bits.putLongBE(c, 0, t);
      Bits.putLongBE(c, 8, vBits);
      setLastSample(t, vBits);
      setNextSampleOffset(1);
      return null;
    }
    if (offset == 1) {
      long d = t - firstTime();
      if (d < 0) {
        throw new IllegalArgumentException("first delta t is less than zero: " + d);
      }
      if (d > MAX_TIME_DELTA) {
        addLastSample(t, vBits);
        return null;
      }
      c[32] = (byte) (d >> 16);
      c[33] = (byte) (d >> 8);
      c[34] = (byte) d;
      setLastTimeDelta(d);
      setLastSample(t, vBits);
      setNextSampleOffset(THIRD_OFFSET);
      return null;
    }
    return addLater(t, vBits, offset);
  }

  private void setLastSample(long t, long vBits) {
    Bits.putLongBE(c, 16, t);
    Bits.putLongBE(c, 24, vBits);
  }

  private void addLastSample(long t, long vBits) {
    setLastSample(t, vBits);
    c[FLAG] |= (byte) 0x80;
  }

  private static VarbitChunk overflow(long t, long vBits) {
    VarbitChunk o = create();
    o.add(t, vBits);
    return o;
  }

  private VarbitChunk addLater(long t, long vBits, int offset) {
    long lastTime = lastTime();
    long lastTimeDelta = lastTimeDelta();
    long newTimeDelta = t - lastTime;
    long lastValueBits = lastValueBits();
    double lastValue = Double.longBitsToDouble(lastValueBits);
    double v = Double.longBitsToDouble(vBits);
    int encoding = valueEncoding();
    if (newTimeDelta < 0) {
      throw new IllegalArgumentException("delta t is less than zero: " + newTimeDelta);
    }
    if (offset == THIRD_OFFSET) {
      long r = prepForThirdSample(lastValueBits, vBits, encoding);
      offset = (int) (r >>> 8);
      encoding = (int) (r & 0xff);
    }
    if (newTimeDelta > MAX_TIME_DELTA) {
      addLastSample(t, vBits);
      return null;
    }
    if (offset + WORST_CASE[encoding] > CHUNK_LEN * 8) {
      addLastSample(t, vBits);
      return null;
    }
    if ((encoding == ZERO && v != lastValue) || (encoding == INT_DD && !isInt32(v - lastValue))) {
      if (offset <= CHUNK_LEN * 4) {
        int target = encoding == ZERO && isInt32(v - lastValue) ? INT_DD : XOR;
        VarbitChunk[] result = transcodeAndAdd(new VarbitChunk(target), t, vBits);
        if (result.length == 1) {
          c = result[0].c;
          return null;
        } else if (result.length == 2) {
          c = result[0].c;
          return result[1];
        }
      }
      return overflow(t, vBits);
    }
    int o = addDDTime(offset, lastTimeDelta, newTimeDelta);
    if (o < 0) {
      addLastSample(t, vBits);
      return null;
    }
    switch (encoding) {
      case ZERO:
        break;
      case INT_DD:
        o = addDDValue(o, lastValue, v);
        break;
      case XOR:
        o = addXORValue(o, lastValueBits, vBits);
        break;
      default:
        o = addBitPattern(o, vBits, 64);
    }
    setNextSampleOffset(o);
    setLastSample(t, vBits);
    return null;
  }

  /** Returns (offset << 8) | encoding. */
  private long prepForThirdSample(long lastValueBits, long newValueBits, int encoding) {
    int offset = THIRD_OFFSET;
    long firstValueBits = firstValueBits();
    double firstValue = Double.longBitsToDouble(firstValueBits);
    double lastValue = Double.longBitsToDouble(lastValueBits);
    double newValue = Double.longBitsToDouble(newValueBits);
    double firstValueDelta = lastValue - firstValue;
    int firstSig = significantBits(firstValueBits ^ lastValueBits);
    int secondSig = significantBits(lastValueBits ^ newValueBits);
    if (encoding == ZERO && lastValue == firstValue && lastValue == newValue) {
      // stay at zero encoding
    } else if (encoding <= INT_DD && isInt32(firstValueDelta)) {
      encoding = INT_DD;
      Bits.putU32BE(c, FIRST_VALUE_DELTA, ((int) firstValueDelta) & 0xffffffffL);
      setLastValueDelta((int) firstValueDelta);
      offset += 32;
    } else if (encoding == DIRECT || firstSig + secondSig > 100) {
      encoding = DIRECT;
      Bits.putLongBE(c, FIRST_VALUE_DELTA, lastValueBits);
      offset += 64;
    } else {
      encoding = XOR;
      offset = addXORValue(offset, firstValueBits, lastValueBits);
    }
    setValueEncoding(encoding);
    setNextSampleOffset(offset);
    return ((long) offset << 8) | encoding;
  }

  private VarbitChunk[] transcodeAndAdd(VarbitChunk dst, long t, long vBits) {
    VarbitChunk[] out = new VarbitChunk[4];
    int n = 0;
    VarbitChunk head = dst;
    VarbitIterator it = new VarbitIterator().reset(c, 0);
    while (it.next()) {
      VarbitChunk next = head.add(it.timestamp(), it.valueBits());
      if (next != null) {
        if (n == out.length) {
          out = Arrays.copyOf(out, n * 2);
        }
        out[n++] = head;
        head = next;
      }
    }
    VarbitChunk next = head.add(t, vBits);
    if (next != null) {
      if (n == out.length) {
        out = Arrays.copyOf(out, n * 2);
      }
      out[n++] = head;
      head = next;
    }
    VarbitChunk[] r = Arrays.copyOf(out, n + 1);
    r[n] = head;
    return r;
  }

  /** Returns the new offset, or -1 on overflow (ddt needs more than 23 bits). */
  private int addDDTime(int offset, long lastTimeDelta, long newTimeDelta) {
    long dd = newTimeDelta - lastTimeDelta;
    if (!isSignedIntN(dd, 23)) {
      return -1;
    }
    setLastTimeDelta(newTimeDelta);
    int repeatsOffset = Bits.u16BE(c, COUNT_OFFSET);
    long repeats = repeatsOffset == 0 ? 0 : readBitPattern(repeatsOffset, 7) + 1;
    if (dd == 0) {
      if (repeats == 0 || repeats == 128) {
        offset = addZeroBit(offset);
        repeatsOffset = offset;
        offset += 7;
        repeats = 0;
      }
      setZeroDDTRepeats(repeats + 1, repeatsOffset);
      return offset;
    }
    setZeroDDTRepeats(0, repeatsOffset);
    if (isSignedIntN(dd, 6)) {
      offset = addOneBitsWithTrailingZero(offset, 1);
      offset = addSignedInt(offset, dd, 6);
    } else if (isSignedIntN(dd, 17)) {
      offset = addOneBitsWithTrailingZero(offset, 2);
      offset = addSignedInt(offset, dd, 17);
    } else {
      offset = addOneBits(offset, 3);
      offset = addSignedInt(offset, dd, 23);
    }
    return offset;
  }

  private void setZeroDDTRepeats(long repeats, int offset) {
    if (repeats == 0) {
      Bits.putU16BE(c, COUNT_OFFSET, 0);
      return;
    }
    if (repeats == 1) {
      if (offset + 7 <= THRESHOLD) {
        Bits.putU16BE(c, COUNT_OFFSET, offset);
      }
    } else {
      int pos = offset % 8;
      c[offset / 8] &= (byte) ~mask(7, pos);
      if (pos > 1) {
        c[offset / 8 + 1] &= (byte) ~mask(pos - 1, 0);
      }
    }
    addBitPattern(offset, repeats - 1, 7);
  }

  private int addDDValue(int offset, double lastValue, double newValue) {
    long newValueDelta = (long) (newValue - lastValue);
    long dd = newValueDelta - lastValueDelta();
    setLastValueDelta((int) newValueDelta);
    if (dd == 0) {
      return addZeroBit(offset);
    } else if (isSignedIntN(dd, 6)) {
      offset = addOneBitsWithTrailingZero(offset, 1);
      return addSignedInt(offset, dd, 6);
    } else if (isSignedIntN(dd, 13)) {
      offset = addOneBitsWithTrailingZero(offset, 2);
      return addSignedInt(offset, dd, 13);
    } else if (isSignedIntN(dd, 20)) {
      offset = addOneBitsWithTrailingZero(offset, 3);
      return addSignedInt(offset, dd, 20);
    } else {
      offset = addOneBits(offset, 4);
      return addSignedInt(offset, dd, 33);
    }
  }

  private int addXORValue(int offset, long lastBits, long newBits) {
    long xor = lastBits ^ newBits;
    if (xor == 0) {
      return addZeroBit(offset);
    }
    int lastLeading = c[LAST_LEADING] & 0xff;
    int lastSig = c[LAST_SIGNIFICANT] & 0xff;
    int newLeading = leadingBits(xor);
    int newSig = significantBits(xor);
    if (newLeading >= lastLeading
        && newLeading + newSig <= lastLeading + lastSig
        && ((lastSig - newSig) & 0xff) < 10) {
      offset = addOneBitsWithTrailingZero(offset, 1);
      return addBitPattern(offset, xor >>> (64 - lastLeading - lastSig), lastSig);
    }
    c[LAST_LEADING] = (byte) newLeading;
    c[LAST_SIGNIFICANT] = (byte) newSig;
    offset = addOneBits(offset, 2);
    offset = addBitPattern(offset, newLeading, 5);
    offset = addBitPattern(offset, newSig - 1, 6);
    return addBitPattern(offset, xor >>> (64 - newLeading - newSig), newSig);
  }

  /** Go's countBits: leading zeros capped at 31 (excess counted as significant). */
  static int leadingBits(long pattern) {
    if (pattern == 0) {
      return 0;
    }
    return Math.min(31, Long.numberOfLeadingZeros(pattern));
  }

  static int significantBits(long pattern) {
    if (pattern == 0) {
      return 0;
    }
    int lead = Long.numberOfLeadingZeros(pattern);
    int sig = 64 - lead - Long.numberOfTrailingZeros(pattern);
    if (lead > 31) {
      sig += lead - 31;
    }
    return sig;
  }

  private int addZeroBit(int offset) {
    if (offset < THRESHOLD) {
      return offset + 1;
    }
    c[offset / 8] &= (byte) ~mask(1, offset % 8);
    return offset + 1;
  }

  private int addOneBits(int offset, int n) {
    int b = 8 - offset % 8;
    if (b > n) {
      b = n;
    }
    c[offset / 8] |= (byte) mask(b, offset % 8);
    offset += b;
    b = n - b;
    if (b > 0) {
      c[offset / 8] |= (byte) mask(b, 0);
      offset += b;
    }
    return offset;
  }

  private int addOneBitsWithTrailingZero(int offset, int n) {
    return addZeroBit(addOneBits(offset, n));
  }

  private int addSignedInt(int offset, long i, int n) {
    if (i < 0 && n < 64) {
      i += 1L << n;
    }
    return addBitPattern(offset, i, n);
  }

  private int addBitPattern(int offset, long pattern, int n) {
    int byteOffset = offset / 8;
    int bitsToWrite = 8 - offset % 8;
    int newOffset = offset + n;
    if (newOffset > THRESHOLD) {
      int pos = Math.max(offset, THRESHOLD);
      while (pos < newOffset) {
        int posInByte = pos % 8;
        int bitsToClear = Math.min(newOffset - pos, 8 - posInByte);
        c[pos / 8] &= (byte) ~mask(bitsToClear, posInByte);
        pos += bitsToClear;
      }
    }
    while (n > 0) {
      if (n <= bitsToWrite) {
        c[byteOffset] |= (byte) (pattern << (bitsToWrite - n));
        break;
      }
      c[byteOffset] |= (byte) (pattern >>> (n - bitsToWrite));
      n -= bitsToWrite;
      bitsToWrite = 8;
      byteOffset++;
    }
    return newOffset;
  }

  long readBitPattern(int offset, int n) {
    return readBitPattern(c, 0, offset, n);
  }

  static long readBitPattern(byte[] c, int base, int offset, int n) {
    long result = 0;
    int byteOffset = base + offset / 8;
    int bitOffset = offset % 8;
    while (n > 0) {
      int trailing = 0;
      int toRead = 8 - bitOffset;
      if (toRead > n) {
        trailing = toRead - n;
        toRead = n;
      }
      result <<= toRead;
      result |= ((c[byteOffset] & mask(toRead, bitOffset)) >>> trailing);
      n -= toRead;
      byteOffset++;
      bitOffset = 0;
    }
    return result;
  }

  static boolean isInt32(double v) {
    return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE && (double) (int) v == v;
  }

  static boolean isSignedIntN(long i, int n) {
    long upper = 1L << (n - 1);
    if (i >= upper) {
      return false;
    }
    long lower = upper - (1L << n);
    return i >= lower;
  }

  byte[] marshal() {
    return c.clone();
  }
}
