package io.theseus.chunk;

/**
 * Iterator over an encoded Cortex Bigchunk (layout in {@link BigChunk}).
 *
 * <p>The header and every sub-chunk length are validated lazily as iteration reaches them; a
 * length that runs past the data sets {@link #error()}. Reusable via {@link #reset}; not
 * thread-safe; no allocation per sample.
 */
public final class BigChunkIterator implements SampleIterator {
  private final XorIterator sub = new XorIterator();
  private byte[] b;
  private int pos;
  private int end;
  private int subsLeft;
  private boolean inSub;
  private boolean started;
  private boolean done;
  private String error;

  public BigChunkIterator reset(byte[] data, int off, int len) {
    b = data;
    pos = off;
    end = off + len;
    inSub = false;
    started = false;
    done = false;
    error = null;
    if (len < 2) {
      error = "bigchunk shorter than its 2-byte header (" + len + " bytes)";
      done = true;
    } else {
      subsLeft = Bits.u16LE(data, off);
      pos += 2;
    }
    return this;
  }

  @Override
  public boolean next() {
    if (inSub && sub.next()) {
      started = true;
      return true;
    }
    return advance();
  }

  private boolean advance() {
    if (done) {
      return false;
    }
    while (true) {
      if (inSub) {
        if (sub.next()) {
          started = true;
          return true;
        }
        if (sub.error() != null) {
          error = "bigchunk: " + sub.error();
          done = true;
          return false;
        }
        inSub = false;
      }
      if (subsLeft == 0) {
        done = true;
        return false;
      }
      if (end - pos < 2) {
        error = "bigchunk truncated: missing sub-chunk length";
        done = true;
        return false;
      }
      int n = Bits.u16LE(b, pos);
      pos += 2;
      if (end - pos < n) {
        error = "bigchunk truncated: sub-chunk of " + n + " bytes, " + (end - pos) + " left";
        done = true;
        return false;
      }
      sub.reset(b, pos, n);
      pos += n;
      subsLeft--;
      inSub = true;
    }
  }

  /**
   * Seeks to the first sample at or after {@code t}. Whole sub-chunks are skipped without
   * decoding when the following sub-chunk already starts before {@code t} (its first timestamp is
   * a byte-aligned varint right after its header).
   */
  @Override
  public boolean seek(long t) {
    if (done) {
      return false;
    }
    if (started && sub.timestamp() >= t) {
      return true;
    }
    while (subsLeft > 0 && end - pos >= 2) {
      int n = Bits.u16LE(b, pos);
      if (n < 3 || end - pos - 2 < n || Bits.u16BE(b, pos + 2) == 0) {
        break;
      }
      long first = firstTimestamp(b, pos + 4, pos + 2 + n);
      if (first == Long.MIN_VALUE || first >= t) {
        break;
      }
      sub.reset(b, pos + 2, n);
      pos += 2 + n;
      subsLeft--;
      inSub = true;
    }
    do {
      if (!next()) {
        return false;
      }
    } while (sub.timestamp() < t);
    return true;
  }

  /** Zig-zag varint at {@code p} (before {@code limit}); Long.MIN_VALUE when unreadable. */
  private static long firstTimestamp(byte[] b, int p, int limit) {
    long x = 0;
    int shift = 0;
    for (int i = 0; i < 10 && p < limit; i++, p++) {
      int c = b[p] & 0xff;
      x |= (long) (c & 0x7f) << shift;
      if (c < 0x80) {
        long v = (x >>> 1) ^ -(x & 1);
        return v == Long.MIN_VALUE ? Long.MIN_VALUE + 1 : v;
      }
      shift += 7;
    }
    return Long.MIN_VALUE;
  }

  @Override
  public long timestamp() {
    return sub.timestamp();
  }

  @Override
  public double value() {
    return sub.value();
  }

  @Override
  public long valueBits() {
    return sub.valueBits();
  }

  @Override
  public String error() {
    return error;
  }

  /** Checks the sub-chunk framing of encoded bigchunk data; null when sound. */
  static String validate(byte[] data) {
    if (data.length < 2) {
      return "bigchunk truncated: " + data.length + " bytes, need 2";
    }
    int n = Bits.u16LE(data, 0);
    int p = 2;
    for (int i = 0; i < n; i++) {
      if (data.length - p < 2) {
        return "bigchunk truncated: missing length of sub-chunk " + i + " of " + n;
      }
      int len = Bits.u16LE(data, p);
      p += 2;
      if (data.length - p < len) {
        return "bigchunk truncated: sub-chunk " + i + " needs " + len + " bytes, "
            + (data.length - p) + " left";
      }
      if (len < 2) {
        return "bigchunk corrupt: sub-chunk " + i + " has " + len + " bytes";
      }
      p += len;
    }
    return null;
  }
}
