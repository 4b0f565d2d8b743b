package io.theseus.chunk;

/**
 * Result of {@link Chunk#decode}: a status, a human-readable error (null when OK) and the chunk
 * (null unless OK). Immutable.
 */
public record ChunkDecodeResult(DecodeStatus status, String error, Chunk chunk) {
  static ChunkDecodeResult ok(Chunk c) {
    return new ChunkDecodeResult(DecodeStatus.OK, null, c);
  }

  static ChunkDecodeResult fail(DecodeStatus s, String error) {
    return new ChunkDecodeResult(s, error, null);
  }

  public boolean ok() {
    return status == DecodeStatus.OK;
  }
}
