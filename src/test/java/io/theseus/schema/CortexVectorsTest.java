package io.theseus.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.theseus.chunk.Fingerprint;
import io.theseus.model.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The index rows the real Cortex v1.10 wrote for the 23-series dataset
 * (../shared/vectors/cortex-v1.10/, see its README) must come out of Theseus row for row. Chunk
 * keys are taken from the dump's chunk rows (their CRC depends on the compressor) and matched to
 * series by tenant + FastFingerprint; everything else is computed. Null values are dumped as empty
 * hex. Fails (does not skip) when the vectors are absent.
 */
class CortexVectorsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static Path vectors() {
    Path p = Path.of(System.getProperty("user.dir")).resolve("../shared/vectors/cortex-v1.10");
    assertThat(p).as("Cortex v1.10 vectors must exist at ../shared").isDirectory();
    return p;
  }

  record Series(String tenant, Labels labels) {}

  static List<Series> dataset() throws IOException {
    JsonNode root = JSON.readTree(vectors().resolve("input-dataset.json").toFile());
    List<Series> out = new ArrayList<>();
    for (JsonNode s : root.get("series")) {
      Map<String, String> m = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = s.get("labels").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        m.put(e.getKey(), e.getValue().textValue());
      }
      out.add(new Series(s.get("tenant").textValue(), Labels.of(m)));
    }
    return out;
  }

  static String row(String table, String hash, String rangeHex, String valueHex) {
    return table + " | " + hash + " | " + rangeHex + " | " + valueHex;
  }

  @ParameterizedTest
  @ValueSource(strings = {"v6", "v9", "v11"})
  void indexRows_equalCortexDump(String version) throws IOException {
    Path dir = vectors().resolve(version);
    SchemaConfig config = SchemaConfig.load(dir.resolve("schema-config.yaml"));
    assertThat(config.periods())
        .singleElement()
        .extracting(PeriodConfig::schema)
        .isEqualTo(version);

    TreeSet<String> expected = new TreeSet<>();
    List<String> chunkKeys = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("dump.jsonl"))) {
      JsonNode r = JSON.readTree(line);
      String table = r.get("table").textValue();
      if (table.startsWith("chunk_")) {
        chunkKeys.add(r.get("hash").textValue());
        assertThat(table)
            .isEqualTo(config.chunkTableFor(ChunkKey.parse(r.get("hash").textValue()).from));
      } else {
        expected.add(
            row(
                table,
                r.get("hash").textValue(),
                r.get("range_hex").textValue(),
                r.get("value_hex").isNull() ? "" : r.get("value_hex").textValue()));
      }
    }
    assertThat(chunkKeys).hasSize(46);

    HexFormat hex = HexFormat.of();
    TreeSet<String> actual = new TreeSet<>();
    int matched = 0;
    for (Series s : dataset()) {
      String fp = Long.toHexString(Fingerprint.fast(s.labels()));
      for (String key : chunkKeys) {
        ChunkKey k = ChunkKey.parse(key);
        if (!k.user.equals(s.tenant()) || !k.fp.equals(fp)) {
          continue;
        }
        matched++;
        for (SchemaConfig.PeriodRange pr : config.split(k.from, k.through)) {
          for (IndexEntry e :
              pr.period()
                  .indexSchema()
                  .chunkEntries(s.tenant(), pr.from(), pr.through(), s.labels(), key)) {
            actual.add(
                row(
                    e.table(),
                    e.hash(),
                    hex.formatHex(e.range()),
                    e.value() == null ? "" : hex.formatHex(e.value())));
          }
        }
      }
    }
    assertThat(matched).as("chunk keys matched to dataset series").isEqualTo(46);
    assertThat(actual).containsExactlyElementsOf(expected);
  }

  /** {@code <user>/<fp hex>:<from hex>:<through hex>:<crc hex>}. */
  record ChunkKey(String user, String fp, long from, long through) {
    static ChunkKey parse(String key) {
      int slash = key.indexOf('/');
      String[] p = key.substring(slash + 1).split(":");
      assertThat(p).hasSize(4);
      return new ChunkKey(
          key.substring(0, slash), p[0], Long.parseLong(p[1], 16), Long.parseLong(p[2], 16));
    }
  }
}
