package io.theseus.chunk;

import io.theseus.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * One Cortex chunk: external key, series labels, encoding id, encoded sample data, and the blob
 * stored in the chunk table (whose CRC-32C is in the key).
 *
 * <p>Blob layout ({@code Chunk.EncodeTo} in Cortex {@code pkg/chunk/chunk.go}):
 *
 * <pre>
 * offset        size        content
 * 0             4           metadataLen, u32 BE; counts itself (end offset of the metadata).
 *                           Old writers did not count it: readers accept both.
 * 4             metaLen-4   metadata JSON ({@link ChunkMeta}) in snappy framing format
 * metadataLen   4           dataLen, u32 BE
 * metadataLen+4 dataLen     encoding-specific data
 * </pre>
 *
 * <p>Encodings: 0 (legacy Delta, read as DoubleDelta), 1 DoubleDelta, 2 Varbit, 3 Bigchunk, 4
 * PrometheusXorChunk. Immutable (arrays are never handed out unless copied); thread-safe.
 */
public final class Chunk {
  public static final int DOUBLE_DELTA = 1;
  public static final int VARBIT = 2;
  public static final int BIGCHUNK = 3;
  public static final int PROMETHEUS_XOR = 4;

  private final ExternalKey key;
  private final Labels metric;
  private final int encoding;
  private final byte[] data;
  private final byte[] blob;
  private final String metadataJson;

  private Chunk(
      ExternalKey key, Labels metric, int encoding, byte[] data, byte[] blob, String json) {
    this.key = key;
    this.metric = metric;
    this.encoding = encoding;
    this.data = data;
    this.blob = blob;
    this.metadataJson = json;
  }

  /**
   * Builds the blob exactly as Cortex v1.10 would and derives the key from its CRC-32C.
   *
   * @param fingerprint the (possibly remapped) series fingerprint, unsigned
   * @param from first sample timestamp, ms
   * @param through last sample timestamp, ms
   * @throws IllegalArgumentException on an unknown encoding or null arguments
   */
  public static Chunk build(
      String userId,
      long fingerprint,
      Labels metric,
      int encoding,
      byte[] data,
      long from,
      long through) {
    if (userId == null || metric == null || data == null) {
      throw new IllegalArgumentException("userId, metric and data must not be null");
    }
    if (encoding < 1 || encoding > 4) {
      throw new IllegalArgumentException("unknown chunk encoding " + encoding);
    }
    byte[] json = new ChunkMeta(fingerprint, userId, from, through, metric, encoding).toJson();
    byte[] framed = Snappy.encodeFramed(json);
    int metaLen = 4 + framed.length;
    byte[] blob = new byte[metaLen + 4 + data.length];
    Bits.putU32BE(blob, 0, metaLen);
    System.arraycopy(framed, 0, blob, 4, framed.length);
    Bits.putU32BE(blob, metaLen, data.length);
    System.arraycopy(data, 0, blob, metaLen + 4, data.length);
    int crc = crc32c(blob);
    ExternalKey key = new ExternalKey(userId, fingerprint, from, through, crc);
    return new Chunk(
        key, metric, encoding, data.clone(), blob, new String(json, StandardCharsets.UTF_8));
  }

  static int crc32c(byte[] b) {
    CRC32C c = new CRC32C();
    c.update(b, 0, b.length);
    return (int) c.getValue();
  }

  /**
   * Decodes a blob fetched under {@code key}. Checks, in order: key syntax, blob structure
   * (truncation), CRC-32C against the key (current keys only), metadata, metadata against the
   * key, encoding, and the chunk data's own structure. Never throws on bad input.
   */
  public static ChunkDecodeResult decode(String key, byte[] blob) {
    ExternalKey k;
    try {
      k = ExternalKey.parse(key);
    } catch (IllegalArgumentException e) {
      return ChunkDecodeResult.fail(DecodeStatus.BAD_KEY, e.getMessage());
    }
    boolean checksummed = !ExternalKey.isLegacy(key);
    return decode(k, checksummed, blob);
  }

  /** As {@link #decode(String, byte[])} for an already parsed current-form key. */
  public static ChunkDecodeResult decode(ExternalKey key, byte[] blob) {
    return decode(key, true, blob);
  }

  /**
   * Decodes a blob without a key (e.g. a value pulled out of cqlsh on its own): structure,
   * metadata, encoding and data are checked; the key is derived from the metadata and the blob's
   * CRC-32C.
   */
  public static ChunkDecodeResult decodeBlob(byte[] blob) {
    return decode(null, false, blob);
  }

  private static ChunkDecodeResult decode(ExternalKey k, boolean checksummed, byte[] blob) {
    if (blob == null || blob.length < 4) {
      return ChunkDecodeResult.fail(
          DecodeStatus.TRUNCATED,
          "chunk blob truncated: " + (blob == null ? 0 : blob.length) + " bytes, need at least 4");
    }
    int len = blob.length;
    long m = Bits.u32BE(blob, 0);
    int metaEnd;
    if (m + 4 <= len && Bits.u32BE(blob, (int) m) == len - m - 4) {
      metaEnd = (int) m;
    } else if (m + 8 <= len && Bits.u32BE(blob, (int) m + 4) == len - m - 8) {
      metaEnd = (int) m + 4;
    } else if (m + 4 > len) {
      return ChunkDecodeResult.fail(
          DecodeStatus.TRUNCATED,
          "chunk blob truncated: metadata length " + m + " but blob has " + len + " bytes");
    } else if (m < 4) {
      return ChunkDecodeResult.fail(
          DecodeStatus.CORRUPT_DATA, "chunk blob corrupt: metadata length " + m);
    } else {
      long dataLen = Bits.u32BE(blob, (int) m);
      if (dataLen > len - m - 4) {
        return ChunkDecodeResult.fail(
            DecodeStatus.TRUNCATED,
            "chunk blob truncated: data length "
                + dataLen
                + " but only "
                + (len - m - 4)
                + " bytes follow");
      }
      return ChunkDecodeResult.fail(
          DecodeStatus.CORRUPT_DATA,
          "chunk data length mismatch: header says " + dataLen + ", " + (len - m - 4) + " follow");
    }
    if (checksummed && k != null) {
      int crc = crc32c(blob);
      if (crc != k.checksum()) {
        return ChunkDecodeResult.fail(
            DecodeStatus.BAD_CHECKSUM,
            "invalid chunk checksum: key says "
                + Integer.toHexString(k.checksum())
                + ", blob has "
                + Integer.toHexString(crc));
      }
    }
    String[] err = new String[1];
    int metaStart = 4;
    int streamEnd = metaEnd;
    byte[] json = Snappy.decodeFramed(blob, metaStart, streamEnd - metaStart, err);
    if (json == null) {
      return ChunkDecodeResult.fail(DecodeStatus.BAD_METADATA, "chunk metadata: " + err[0]);
    }
    ChunkMeta meta;
    try {
      meta = ChunkMeta.parse(json);
    } catch (ChunkMeta.BadMetadata e) {
      return ChunkDecodeResult.fail(DecodeStatus.BAD_METADATA, e.getMessage());
    }
    if (checksummed && k != null) {
      if (!k.userId().equals(meta.userId())
          || k.fingerprint() != meta.fingerprint()
          || !ChunkMeta.sameTime(k.from(), meta.from())
          || !ChunkMeta.sameTime(k.through(), meta.through())) {
        ExternalKey mk =
            new ExternalKey(meta.userId(), meta.fingerprint(), meta.from(), meta.through(), 0);
        ExternalKey kk = new ExternalKey(k.userId(), k.fingerprint(), k.from(), k.through(), 0);
        return ChunkDecodeResult.fail(
            DecodeStatus.WRONG_METADATA,
            "wrong chunk metadata: key " + kk + " vs metadata " + mk);
      }
    }
    int enc = meta.encoding();
    if (enc < 1 || enc > 4) {
      return ChunkDecodeResult.fail(
          DecodeStatus.UNKNOWN_ENCODING, "unknown chunk encoding " + enc);
    }
    byte[] data = Arrays.copyOfRange(blob, metaEnd + 4, len);
    String bad = validate(enc, data);
    if (bad != null) {
      DecodeStatus s =
          bad.contains("truncated") ? DecodeStatus.TRUNCATED : DecodeStatus.CORRUPT_DATA;
      return ChunkDecodeResult.fail(s, bad);
    }
    ExternalKey finalKey =
        checksummed && k != null
            ? k
            : new ExternalKey(
                meta.userId(), meta.fingerprint(), meta.from(), meta.through(), crc32c(blob));
    return ChunkDecodeResult.ok(
        new Chunk(
            finalKey,
            meta.metric(),
            enc,
            data,
            blob.clone(),
            new String(json, StandardCharsets.UTF_8)));
  }

  /** Structural check of chunk data as Cortex's UnmarshalFromBuf does; null when sound. */
  static String validate(int encoding, byte[] data) {
    switch (encoding) {
      case BIGCHUNK:
        return BigChunkIterator.validate(data);
      case PROMETHEUS_XOR:
        return data.length < 2 ? "xor chunk truncated: " + data.length + " bytes" : null;
      case VARBIT:
        return VarbitIterator.validate(data);
      default:
        if (data.length < DoubleDeltaChunk.HEADER_MIN) {
          return "doubledelta chunk truncated: " + data.length + " bytes";
        }
        int used = Bits.u16LE(data, 0);
        if (used > data.length && used <= DoubleDeltaChunk.CHUNK_LEN) {
          return "doubledelta chunk truncated: uses " + used + " bytes, " + data.length
              + " present";
        }
        return DoubleDeltaIterator.validate(
            java.util.Arrays.copyOf(data, Math.max(data.length, DoubleDeltaChunk.CHUNK_LEN)),
            0,
            used);
    }
  }

  public ExternalKey key() {
    return key;
  }

  public Labels metric() {
    return metric;
  }

  /** Encoding id (1..4; a stored 0 reads as 1). */
  public int encoding() {
    return encoding;
  }

  /** A copy of the encoded sample data. */
  public byte[] data() {
    return data.clone();
  }

  /** A copy of the whole blob as stored in the chunk table's {@code value} column. */
  public byte[] blob() {
    return blob.clone();
  }

  /** Human name of an encoding id. */
  public static String encodingName(int encoding) {
    switch (encoding) {
      case 0:
        return "Delta (read as DoubleDelta)";
      case DOUBLE_DELTA:
        return "DoubleDelta";
      case VARBIT:
        return "Varbit";
      case BIGCHUNK:
        return "Bigchunk";
      case PROMETHEUS_XOR:
        return "PrometheusXorChunk";
      default:
        return "unknown";
    }
  }

  /** The metadata JSON exactly as stored in the blob (normally one line ending in LF). */
  public String metadataJson() {
    return metadataJson;
  }

  /** A fresh iterator over the samples. */
  public SampleIterator iterator() {
    return iterator(encoding, data);
  }

  /** A fresh iterator over {@code data} of the given encoding. */
  public static SampleIterator iterator(int encoding, byte[] data) {
    switch (encoding) {
      case BIGCHUNK:
        return new BigChunkIterator().reset(data, 0, data.length);
      case PROMETHEUS_XOR:
        return new XorIterator().reset(data);
      case VARBIT:
        return new VarbitIterator().reset(data);
      case 0:
      case DOUBLE_DELTA:
        return new DoubleDeltaIterator().reset(data);
      default:
        return SampleIterator.failedWith("unknown chunk encoding " + encoding);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Chunk)) {
      return false;
    }
    Chunk c = (Chunk) o;
    return key.equals(c.key)
        && metric.equals(c.metric)
        && encoding == c.encoding
        && Arrays.equals(data, c.data);
  }

  @Override
  public int hashCode() {
    return key.hashCode() * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Chunk[" + key + ", " + metric + ", encoding=" + encoding + ", " + data.length + " B]";
  }
}
