package io.theseus.chunk;

/** Outcome of {@link Chunk#decode}: each failure mode has its own status. */
public enum DecodeStatus {
  OK,
  /** The external key does not parse. */
  BAD_KEY,
  /** The blob ends before a length field or a declared section ends. */
  TRUNCATED,
  /** CRC-32C of the blob differs from the checksum in the key. */
  BAD_CHECKSUM,
  /** The snappy-framed JSON metadata is corrupt or not the expected JSON. */
  BAD_METADATA,
  /** Metadata user / fingerprint / from / through differ from the key. */
  WRONG_METADATA,
  /** Encoding id that Cortex does not define (not 0..4). */
  UNKNOWN_ENCODING,
  /** Structure is complete but inconsistent (data length, trailing bytes, bad chunk data). */
  CORRUPT_DATA
}
