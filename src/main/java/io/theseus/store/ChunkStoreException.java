package io.theseus.store;

/**
 * A read or write of the chunk store failed: a chunk listed in the index is missing or corrupt
 * (checksum or metadata mismatch), an index row cannot be parsed, Cassandra failed, or the query
 * itself is invalid ({@link #badQuery()}: the caller should answer 4xx).
 */
public final class ChunkStoreException extends RuntimeException {
  private final boolean badQuery;

  ChunkStoreException(String message, boolean badQuery, Throwable cause) {
    super(message, cause);
    this.badQuery = badQuery;
  }

  static ChunkStoreException badQuery(String message) {
    return new ChunkStoreException(message, true, null);
  }

  static ChunkStoreException failed(String message, Throwable cause) {
    return new ChunkStoreException(message, false, cause);
  }

  /** True when the query was invalid (a client error), false for storage failures. */
  public boolean badQuery() {
    return badQuery;
  }
}
