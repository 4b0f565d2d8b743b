package io.theseus.chunk;

import java.util.Arrays;

/**
 * Prometheus TSDB XOR chunk ({@code tsdb/chunkenc/xor.go}) appender, byte-exact with Prometheus.
 *
 * <p>Layout (bits are written most-significant first into consecutive bytes; the last byte is
 * zero-padded; like Go's bstream, a write of a multiple of 8 bits that ends byte-aligned leaves one
 * extra zero byte, which is part of the chunk):
 *
 * <pre>
 * bytes 0-1  sample count, uint16 big-endian
 * sample 0   t0 as signed (zig-zag) varint, then v0 as 64 raw bits
 * sample 1   t1-t0 as unsigned varint, then v1 XOR-encoded
 * sample n   dod = (tn-tn-1)-(tn-1 - tn-2):
 *              '0'                    dod == 0
 *              '10'   + 14 bits       -8191 .. 8192
 *              '110'  + 17 bits       -65535 .. 65536
 *              '1110' + 20 bits       -524287 .. 524288
 *              '1111' + 64 bits       anything else
 *            then vn XOR-encoded against vn-1:
 *              '0'                    same bits
 *              '10' + meaningful bits reuse previous leading/trailing-zero window
 *              '11' + 5 bits leading zeros (clamped to 31) + 6 bits significant-bit count
 *                   (64 written as 0) + the significant bits
 * </pre>
 *
 * <p>Invariants: bytes of {@code buf} beyond the written bit position are zero; {@code buf} keeps
 * at least 8 spare bytes so the word-wide store never runs off the end. At most 65535 samples.
 * Not thread-safe; reuse an instance with {@link #reset()} (no allocation per sample once the
 * buffer has grown).
 */
public final class XorChunk {
  /** Prometheus's own limit before it cuts a new chunk in the head; informational. */
  public static final int MAX_SAMPLES = 0xffff;

  private byte[] buf = new byte[64];
  private int bitPos = 16;
  private int num;
  private long firstT;
  private long t;
  private long tDelta;
  private long vBits;
  private int leading = 0xff;
  private int trailing;
  /**
   * Go's bstream keeps an extra, completely free trailing byte after a multi-byte {@code
   * writeBits} call whose bit count is a multiple of 8 ends byte-aligned; Prometheus's {@code
   * Bytes()} includes it. True while the stream is in that state.
   */
  private boolean padByte;

  /** Clears the chunk for reuse, keeping its buffer. */
  public void reset() {
    Arrays.fill(buf, 0, Math.min(buf.length, (bitPos >>> 3) + 9), (byte) 0);
    bitPos = 16;
    num = 0;
    t = 0;
    tDelta = 0;
    vBits = 0;
    leading = 0xff;
    trailing = 0;
    padByte = false;
  }

  /** Appends a sample; timestamps should not decrease (not enforced, as in Prometheus). */
  public void append(long ts, double v) {
    appendBits(ts, Double.doubleToRawLongBits(v));
  }

  /** Appends a sample given the raw IEEE-754 bits of its value. */
  public void appendBits(long ts, long bits) {
    if (num == MAX_SAMPLES) {
      throw new IllegalStateException("XOR chunk is full (" + MAX_SAMPLES + " samples)");
    }
    ensure(bitPos + 128 + 16);
    if (num == 0) {
      writeUvarint((ts << 1) ^ (ts >> 63));
      writeBits(bits >>> 32, 32);
      writeBits(bits, 32);
      padByte = (bitPos & 7) == 0;
      firstT = ts;
    } else if (num == 1) {
      long d = ts - t;
      writeUvarint(d);
      writeValue(bits);
      tDelta = d;
    } else {
      long d = ts - t;
      long dod = d - tDelta;
      if (dod == 0) {
        writeBits(0, 1);
      } else if (-8191 <= dod && dod <= 8192) {
        writeBits((0b10L << 14) | (dod & 0x3fff), 16);
      } else if (-65535 <= dod && dod <= 65536) {
        writeBits((0b110L << 17) | (dod & 0x1ffff), 20);
      } else if (-524287 <= dod && dod <= 524288) {
        writeBits((0b1110L << 20) | (dod & 0xfffff), 24);
      } else {
        writeBits(0b1111, 4);
        writeBits(dod >>> 32, 32);
        writeBits(dod, 32);
      }
      writeValue(bits);
      tDelta = d;
    }
    t = ts;
    vBits = bits;
    num++;
    buf[0] = (byte) (num >>> 8);
    buf[1] = (byte) num;
  }

  private void writeValue(long bits) {
    long delta = bits ^ vBits;
    if (delta == 0) {
      writeBits(0, 1);
      padByte = false;
      return;
    }
    int lead = Long.numberOfLeadingZeros(delta);
    int trail = Long.numberOfTrailingZeros(delta);
    if (lead >= 32) {
      lead = 31;
    }
    if (leading != 0xff && lead >= leading && trail >= trailing) {
      int sig = 64 - leading - trailing;
      writeBits(0b10, 2);
      writeLong(delta >>> trailing, sig);
      padByte = (sig & 7) == 0 && (bitPos & 7) == 0;
      return;
    }
    leading = lead;
    trailing = trail;
    int sig = 64 - lead - trail;
    // '11' + 5 bits leading + 6 bits sig (64 wraps to 0): 13 bits in one go.
    writeBits((0b11L << 11) | ((long) lead << 6) | (sig & 0x3f), 13);
    writeLong(delta >>> trail, sig);
    padByte = (sig & 7) == 0 && (bitPos & 7) == 0;
  }

  private void writeLong(long v, int n) {
    if (n > 56) {
      writeBits(v >>> 32, n - 32);
      writeBits(v, 32);
    } else {
      writeBits(v, n);
    }
  }

  private void writeUvarint(long v) {
    while ((v & ~0x7fL) != 0) {
      writeBits((v & 0x7f) | 0x80, 8);
      v >>>= 7;
    }
    writeBits(v, 8);
  }

  /** Writes the low {@code n} (1..56) bits of {@code v}; capacity already ensured. */
  private void writeBits(long v, int n) {
    int p = bitPos;
    int idx = p >>> 3;
    int off = p & 7;
    long w = Bits.longBE(buf, idx);
    w |= (v << (64 - n)) >>> off;
    Bits.putLongBE(buf, idx, w);
    bitPos = p + n;
  }

  private void ensure(int bits) {
    int need = (bits >>> 3) + 16;
    if (need > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
    }
  }

  public int numSamples() {
    return num;
  }

  /** First timestamp; undefined when empty. */
  public long firstTimestamp() {
    return firstT;
  }

  /** Last timestamp; undefined when empty. */
  public long lastTimestamp() {
    return t;
  }

  /** Encoded length in bytes (header included). */
  public int size() {
    return padByte ? (bitPos >>> 3) + 1 : (bitPos + 7) >>> 3;
  }

  /** Copies the encoded chunk into {@code dst} at {@code off}; returns the number of bytes. */
  public int writeTo(byte[] dst, int off) {
    int n = size();
    System.arraycopy(buf, 0, dst, off, n);
    return n;
  }

  /** A copy of the encoded chunk, as Prometheus's {@code Chunk.Bytes()}. */
  public byte[] bytes() {
    return Arrays.copyOf(buf, size());
  }

  /**
   * Points {@code it} at this chunk's own buffer (no copy) and returns it. The iterator sees the
   * samples present now; it is valid only until the next append or reset, so the caller must hold
   * the writer's lock for the whole iteration.
   */
  public XorIterator iterateInPlace(XorIterator it) {
    return it.reset(buf, 0, size());
  }

  /** An iterator over a snapshot of the current contents. */
  public XorIterator iterator() {
    return new XorIterator().reset(bytes());
  }
}
