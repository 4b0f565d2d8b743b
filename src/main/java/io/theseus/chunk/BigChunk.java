package io.theseus.chunk;

import java.util.Arrays;

/**
 * Cortex Bigchunk (encoding 3) writer: a list of Prometheus XOR sub-chunks of at most {@value
 * #SAMPLES_PER_SUBCHUNK} samples each, as written by {@code pkg/chunk/encoding/bigchunk.go}.
 *
 * <p>Encoded layout:
 *
 * <pre>
 * u16 LE   number of sub-chunks
 * repeated:
 *   u16 LE   length of the sub-chunk in bytes
 *   bytes    one Prometheus XOR chunk (see {@link XorChunk})
 * </pre>
 *
 * <p>No size cap (Cortex's {@code -store.bigchunk-size-cap-bytes} defaults to 0). The sub-chunk
 * objects are pooled across {@link #reset()}, so a reused writer allocates nothing per sample.
 * Not thread-safe.
 */
public final class BigChunk {
  /** Samples per XOR sub-chunk, as Cortex's {@code samplesPerChunk}. */
  public static final int SAMPLES_PER_SUBCHUNK = 120;

  private XorChunk[] subs = new XorChunk[4];
  private int used;
  private int count;
  private long firstT;
  private long lastT;

  /** Clears all samples, keeping the sub-chunk buffers for reuse. */
  public void reset() {
    for (int i = 0; i < used; i++) {
      subs[i].reset();
    }
    used = 0;
    count = 0;
  }

  public void append(long t, double v) {
    appendBits(t, Double.doubleToRawLongBits(v));
  }

  /** Appends a sample given its raw IEEE-754 value bits. */
  public void appendBits(long t, long bits) {
    if (count % SAMPLES_PER_SUBCHUNK == 0) {
      nextSub();
    }
    subs[used - 1].appendBits(t, bits);
    if (count == 0) {
      firstT = t;
    }
    lastT = t;
    count++;
  }

  private void nextSub() {
    if (used == 0xffff) {
      throw new IllegalStateException("bigchunk holds at most 65535 sub-chunks");
    }
    if (used == subs.length) {
      subs = Arrays.copyOf(subs, used * 2);
    }
    if (subs[used] == null) {
      subs[used] = new XorChunk();
    } else {
      subs[used].reset();
    }
    used++;
  }

  public int numSamples() {
    return count;
  }

  /** Number of XOR sub-chunks. */
  public int numSubChunks() {
    return used;
  }

  /** First sample timestamp; undefined when empty. */
  public long firstTimestamp() {
    return firstT;
  }

  /** Last sample timestamp; undefined when empty. */
  public long lastTimestamp() {
    return lastT;
  }

  /** Encoded size in bytes. */
  public int encodedSize() {
    int n = 2;
    for (int i = 0; i < used; i++) {
      n += 2 + subs[i].size();
    }
    return n;
  }

  /** The encoded bytes, as Cortex's {@code bigchunk.Marshal}. */
  public byte[] encode() {
    byte[] out = new byte[encodedSize()];
    encodeTo(out, 0);
    return out;
  }

  /** Encodes into {@code dst} at {@code off}; returns the number of bytes written. */
  public int encodeTo(byte[] dst, int off) {
    int p = off;
    Bits.putU16LE(dst, p, used);
    p += 2;
    for (int i = 0; i < used; i++) {
      int n = subs[i].size();
      if (n > 0xffff) {
        throw new IllegalStateException("sub-chunk of " + n + " bytes exceeds u16 length");
      }
      Bits.putU16LE(dst, p, n);
      p += 2;
      p += subs[i].writeTo(dst, p);
    }
    return p - off;
  }

  /** Sub-chunk {@code i} (0 = oldest), for in-place reads under the writer's lock. */
  public XorChunk subChunk(int i) {
    if (i < 0 || i >= used) {
      throw new IndexOutOfBoundsException("sub-chunk " + i + " of " + used);
    }
    return subs[i];
  }

  /** An iterator over the encoded form of {@code data}. */
  public static BigChunkIterator iterator(byte[] data) {
    return new BigChunkIterator().reset(data, 0, data.length);
  }
}
