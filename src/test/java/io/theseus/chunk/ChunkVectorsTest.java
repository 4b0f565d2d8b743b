package io.theseus.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every chunk the real Cortex v1.10 wrote decodes to its input and re-encodes byte for byte. */
class ChunkVectorsTest {

  @Test
  void decode_everyCortexChunkRow_yieldsInputSamplesBitForBit() throws Exception {
    Map<String, CortexVectors.Phase> phases = CortexVectors.phases();
    int checked = 0;
    for (String v : CortexVectors.VERSIONS) {
      List<CortexVectors.ChunkRow> rows = CortexVectors.chunkRows(v);
      assertThat(rows).as("chunk rows in %s", v).hasSize(46);
      for (CortexVectors.ChunkRow row : rows) {
        ChunkDecodeResult r = Chunk.decode(row.key(), row.blob());
        assertThat(r.error()).as(row.key()).isNull();
        Chunk c = r.chunk();
        assertThat(c.key().toString()).isEqualTo(row.key());
        CortexVectors.Phase p =
            phases.get(CortexVectors.phaseKey(c.key().userId(), c.metric(), c.key().from()));
        assertThat(p).as("input phase for %s %s", row.key(), c.metric()).isNotNull();
        assertThat(c.key().fingerprint()).isEqualTo(Fingerprint.fast(p.labels()));
        SampleIterator it = c.iterator();
        int i = 0;
        while (it.next()) {
          assertThat(i).as(row.key()).isLessThan(p.ts().length);
          assertThat(it.timestamp()).as("%s ts #%d", row.key(), i).isEqualTo(p.ts()[i]);
          assertThat(it.valueBits())
              .as("%s value #%d", row.key(), i)
              .isEqualTo(cortexStored(p.bits()[i]));
          i++;
        }
        assertThat(it.error()).isNull();
        assertThat(i).as(row.key()).isEqualTo(p.ts().length);
        assertThat(c.key().through()).isEqualTo(p.ts()[p.ts().length - 1]);
        checked++;
      }
    }
    assertThat(checked).isEqualTo(3 * 46);
  }

  /**
   * Cortex's distributor forwards samples to ingesters as gogo-protobuf, whose proto3 encoder
   * omits a double that compares equal to 0, so an input -0.0 reaches the chunk as +0.0. Every
   * other bit pattern (NaN payloads included) is stored unchanged.
   */
  static long cortexStored(long bits) {
    return bits == 0x8000000000000000L ? 0 : bits;
  }

  @Test
  void build_fromInputSamples_reproducesCortexBlobAndKey() throws Exception {
    Map<String, CortexVectors.Phase> phases = CortexVectors.phases();
    BigChunk big = new BigChunk();
    int compressedMeta = 0;
    for (CortexVectors.ChunkRow row : CortexVectors.chunkRows("v9")) {
      Chunk decoded = Chunk.decode(row.key(), row.blob()).chunk();
      CortexVectors.Phase p =
          phases.get(
              CortexVectors.phaseKey(
                  decoded.key().userId(), decoded.metric(), decoded.key().from()));
      big.reset();
      for (int i = 0; i < p.ts().length; i++) {
        big.appendBits(p.ts()[i], cortexStored(p.bits()[i]));
      }
      Chunk built =
          Chunk.build(
              p.tenant(),
              Fingerprint.fast(p.labels()),
              p.labels(),
              Chunk.BIGCHUNK,
              big.encode(),
              big.firstTimestamp(),
              big.lastTimestamp());
      assertThat(HexFormat.of().formatHex(built.blob()))
          .as(row.key())
          .isEqualTo(HexFormat.of().formatHex(row.blob()));
      assertThat(built.key().toString()).isEqualTo(row.key());
      if (row.blob()[4 + 10] == 0x00) {
        compressedMeta++;
      }
    }
    assertThat(compressedMeta).as("chunks whose metadata frame is snappy-compressed").isEqualTo(4);
  }
}
