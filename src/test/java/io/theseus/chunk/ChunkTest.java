package io.theseus.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.theseus.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ChunkTest {
  static final Labels METRIC =
      Labels.of("__name__", "http_requests_total", "job", "api", "method", "GET");
  static final long FROM = 1623753000000L;
  static final long THROUGH = 1623774600000L;

  static Chunk example() {
    BigChunk b = new BigChunk();
    for (long t = FROM; t <= THROUGH; t += 15_000) {
      b.append(t, (t - FROM) / 1000.0);
    }
    return Chunk.build(
        "t1", Fingerprint.fast(METRIC), METRIC, Chunk.BIGCHUNK, b.encode(), FROM, THROUGH);
  }

  @Test
  void build_workedExample_keyHasReferenceFields() {
    Chunk c = example();
    assertThat(c.key().toString()).startsWith("t1/417c51668d58e26b:17a0f388440:17a10821b40:");
    assertThat(c.key().checksum()).isEqualTo(Chunk.crc32c(c.blob()));
  }

  @Test
  void build_metadata_isCortexJsonLine() {
    Chunk c = example();
    byte[] blob = c.blob();
    int metaLen = (int) Bits.u32BE(blob, 0);
    String[] err = new String[1];
    byte[] json = Snappy.decodeFramed(blob, 4, metaLen - 4, err);
    assertThat(new String(json, StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"fingerprint\":4718736010477363819,\"userID\":\"t1\",\"from\":1623753000,"
                + "\"through\":1623774600,\"metric\":{\"__name__\":\"http_requests_total\","
                + "\"job\":\"api\",\"method\":\"GET\"},\"encoding\":3}\n");
    assertThat(Arrays.copyOfRange(blob, 4, 14)).isEqualTo(Snappy.STREAM_ID);
  }

  @Test
  void decode_builtChunk_roundTrips() {
    Chunk c = example();
    ChunkDecodeResult r = Chunk.decode(c.key().toString(), c.blob());
    assertThat(r.status()).isEqualTo(DecodeStatus.OK);
    assertThat(r.chunk()).isEqualTo(c);
    SampleIterator it = r.chunk().iterator();
    int n = 0;
    while (it.next()) {
      assertThat(it.timestamp()).isEqualTo(FROM + n * 15_000L);
      n++;
    }
    assertThat(n).isEqualTo(1441);
  }

  @Test
  void decode_flippedBit_isBadChecksum() {
    Chunk c = example();
    byte[] blob = c.blob();
    blob[blob.length - 5] ^= 1;
    ChunkDecodeResult r = Chunk.decode(c.key().toString(), blob);
    assertThat(r.status()).isEqualTo(DecodeStatus.BAD_CHECKSUM);
    assertThat(r.error()).contains("checksum");
  }

  @Test
  void decode_cutBlob_isTruncated() {
    Chunk c = example();
    byte[] blob = c.blob();
    for (int cut : new int[] {0, 3, 10, 100, blob.length - 1}) {
      ChunkDecodeResult r = Chunk.decode(c.key().toString(), Arrays.copyOf(blob, cut));
      assertThat(r.status()).as("cut at %d", cut).isEqualTo(DecodeStatus.TRUNCATED);
      assertThat(r.error()).contains("truncated");
    }
  }

  @Test
  void decode_keyDisagreeingWithMetadata_isWrongMetadata() {
    Chunk c = example();
    ExternalKey k = c.key();
    ExternalKey[] wrong = {
      new ExternalKey("t2", k.fingerprint(), k.from(), k.through(), k.checksum()),
      new ExternalKey(k.userId(), k.fingerprint() + 1, k.from(), k.through(), k.checksum()),
      new ExternalKey(k.userId(), k.fingerprint(), k.from() - 1, k.through(), k.checksum()),
      new ExternalKey(k.userId(), k.fingerprint(), k.from(), k.through() + 1, k.checksum())
    };
    for (ExternalKey w : wrong) {
      ChunkDecodeResult r = Chunk.decode(w.toString(), c.blob());
      assertThat(r.status()).as(w.toString()).isEqualTo(DecodeStatus.WRONG_METADATA);
    }
  }

  @Test
  void decode_unknownEncoding_isUnknownEncoding() {
    byte[] json =
        ("{\"fingerprint\":1,\"userID\":\"u\",\"from\":1,\"through\":2,\"metric\":{},"
                + "\"encoding\":9}\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] blob = blob(Snappy.encodeFramed(json), new byte[] {0, 0}, true);
    String key = new ExternalKey("u", 1, 1000, 2000, Chunk.crc32c(blob)).toString();
    ChunkDecodeResult r = Chunk.decode(key, blob);
    assertThat(r.status()).isEqualTo(DecodeStatus.UNKNOWN_ENCODING);
    assertThat(r.error()).contains("9");
  }

  @Test
  void decode_legacyLengthWithoutItself_andMissingEncoding_readsAsDoubleDelta() {
    byte[] json =
        ("{\"fingerprint\":18446744073709551615,\"userID\":\"u\",\"from\":1.5,"
                + "\"through\":2.25,\"metric\":{\"__name__\":\"m\"}}\n")
            .getBytes(StandardCharsets.UTF_8);
    Prom1ChunkWriter w = Prom1ChunkWriter.doubleDelta();
    w.append(1500, 7);
    w.append(2250, 8);
    byte[] blob = blob(Snappy.encodeFramed(json), w.chunk(0), false);
    String key = new ExternalKey("u", -1L, 1500, 2250, Chunk.crc32c(blob)).toString();
    ChunkDecodeResult r = Chunk.decode(key, blob);
    assertThat(r.error()).isNull();
    assertThat(r.chunk().encoding()).isEqualTo(Chunk.DOUBLE_DELTA);
    assertThat(r.chunk().metadataJson()).isEqualTo(new String(json, StandardCharsets.UTF_8));
    assertThat(r.chunk().key().fingerprint()).isEqualTo(-1L);
    assertThat(r.chunk().metric()).isEqualTo(Labels.of("__name__", "m"));
    SampleIterator it = r.chunk().iterator();
    assertThat(it.seek(2000)).isTrue();
    assertThat(it.timestamp()).isEqualTo(2250);
    assertThat(it.value()).isEqualTo(8.0);
  }

  @Test
  void decode_legacyKey_skipsChecksumButChecksStructure() {
    Chunk c = example();
    String legacy =
        Long.toUnsignedString(c.key().fingerprint())
            + ":"
            + c.key().from()
            + ":"
            + c.key().through();
    assertThat(Chunk.decode(legacy, c.blob()).status()).isEqualTo(DecodeStatus.OK);
  }

  @Test
  void decode_badKey_isBadKey() {
    ChunkDecodeResult r = Chunk.decode("t1/nothex:1:2:3", example().blob());
    assertThat(r.status()).isEqualTo(DecodeStatus.BAD_KEY);
    assertThat(r.error()).contains("t1/nothex:1:2:3");
  }

  @Test
  void decode_garbageMetadata_isBadMetadata() {
    byte[] blob = blob(new byte[] {1, 2, 3}, new byte[] {0, 0}, true);
    String key = new ExternalKey("u", 1, 1000, 2000, Chunk.crc32c(blob)).toString();
    assertThat(Chunk.decode(key, blob).status()).isEqualTo(DecodeStatus.BAD_METADATA);
  }

  @Test
  void build_unknownEncoding_throws() {
    assertThatThrownBy(() -> Chunk.build("u", 1, METRIC, 7, new byte[0], 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("7");
  }

  @Test
  void seconds_formatsLikeGoModelTime() {
    assertThat(ChunkMeta.seconds(1623753000000L)).isEqualTo("1623753000");
    assertThat(ChunkMeta.seconds(1795168800123L)).isEqualTo("1795168800.123");
    assertThat(ChunkMeta.seconds(1795168800120L)).isEqualTo("1795168800.12");
    assertThat(ChunkMeta.seconds(5)).isEqualTo("0.005");
    assertThat(ChunkMeta.seconds(-1500)).isEqualTo("-1.5");
    assertThat(ChunkMeta.seconds(0)).isEqualTo("0");
  }

  @Test
  void quote_escapesLikeGoEncodingJson() {
    StringBuilder sb = new StringBuilder();
    ChunkMeta.quote(sb, "a\"b\\c\nd\te<f>&\u0001\u007f\u2028\ud83d\ude80\b\f");
    assertThat(sb.toString())
        .isEqualTo(
            "\"a\\\"b\\\\c\\nd\\te\\u003cf\\u003e\\u0026\\u0001\u007f\\u2028\ud83d\ude80"
                + "\\u0008\\u000c\"");
  }

  /** Assembles a blob; {@code countsItself} selects the current metadata-length convention. */
  static byte[] blob(byte[] framed, byte[] data, boolean countsItself) {
    int metaEnd = 4 + framed.length;
    byte[] b = new byte[metaEnd + 4 + data.length];
    Bits.putU32BE(b, 0, countsItself ? metaEnd : framed.length);
    System.arraycopy(framed, 0, b, 4, framed.length);
    Bits.putU32BE(b, metaEnd, data.length);
    System.arraycopy(data, 0, b, metaEnd + 4, data.length);
    return b;
  }
}
