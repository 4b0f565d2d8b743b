package io.theseus.chunk;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes one series into Cortex's fixed-size 1024-byte chunk encodings, DoubleDelta (1) or
 * Varbit (2), cutting and transcoding chunks exactly where a Cortex ingester configured with
 * that encoding would ({@code Chunk.Add} returning an overflow chunk starts a new head).
 *
 * <p>Usage: {@link #append} samples in timestamp order, then read {@link #chunk(int)} (the
 * marshalled 1024 bytes, ready for {@link Chunk#build}) with its {@link #firstTimestamp(int)} /
 * {@link #lastTimestamp(int)}. Not thread-safe. Unlike {@link BigChunk} this writer allocates
 * when a chunk is cut or transcoded (rare, legacy formats).
 */
public final class Prom1ChunkWriter {
  private final int encoding;
  private final List<Object> chunks = new ArrayList<>();

  private Prom1ChunkWriter(int encoding) {
    this.encoding = encoding;
  }

  public static Prom1ChunkWriter doubleDelta() {
    return new Prom1ChunkWriter(Chunk.DOUBLE_DELTA);
  }

  public static Prom1ChunkWriter varbit() {
    return new Prom1ChunkWriter(Chunk.VARBIT);
  }

  public int encoding() {
    return encoding;
  }

  public void append(long t, double v) {
    appendBits(t, Double.doubleToRawLongBits(v));
  }

  /**
   * Appends a sample (raw value bits).
   *
   * @throws IllegalArgumentException when timestamps go backwards (Cortex rejects those too)
   */
  public void appendBits(long t, long bits) {
    if (chunks.isEmpty()) {
      chunks.add(encoding == Chunk.VARBIT ? VarbitChunk.create() : DoubleDeltaChunk.create());
    }
    Object head = chunks.get(chunks.size() - 1);
    Object next =
        head instanceof VarbitChunk
            ? ((VarbitChunk) head).add(t, bits)
            : ((DoubleDeltaChunk) head).add(t, bits);
    if (next != null) {
      chunks.add(next);
    }
  }

  public int numChunks() {
    return chunks.size();
  }

  /** Marshalled bytes of chunk {@code i} (always 1024). */
  public byte[] chunk(int i) {
    Object c = chunks.get(i);
    return c instanceof VarbitChunk
        ? ((VarbitChunk) c).marshal()
        : ((DoubleDeltaChunk) c).marshal();
  }

  /** First sample timestamp of chunk {@code i}. */
  public long firstTimestamp(int i) {
    SampleIterator it = Chunk.iterator(encoding, chunk(i));
    it.next();
    return it.timestamp();
  }

  /** Last sample timestamp of chunk {@code i}. */
  public long lastTimestamp(int i) {
    SampleIterator it = Chunk.iterator(encoding, chunk(i));
    long last = Long.MIN_VALUE;
    while (it.next()) {
      last = it.timestamp();
    }
    return last;
  }
}
