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
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The read side against the rows the real Cortex v1.10 wrote: every series of the dataset is looked
 * up with the queries of its version (equality lookups, whole label rows filtered in the client,
 * series→chunk rows, v11 label names), evaluated over the dumped rows with Cassandra's semantics
 * (prefix, unsigned range start, value filter), and must find exactly the chunks a brute-force
 * match over the dataset finds.
 */
class CortexVectorsReadTest {
  static final ObjectMapper JSON = new ObjectMapper();

  record Row(String table, String hash, byte[] range, byte[] value) {}

  /** Rows by table + newline + hash. */
  static Map<String, List<Row>> byPartition(List<Row> rows) {
    Map<String, List<Row>> out = new HashMap<>();
    for (Row r : rows) {
      out.computeIfAbsent(r.table() + "\n" + r.hash(), k -> new ArrayList<>()).add(r);
    }
    return out;
  }

  static List<Row> dump(Path dir) throws IOException {
    HexFormat hex = HexFormat.of();
    List<Row> rows = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("dump.jsonl"))) {
      JsonNode r = JSON.readTree(line);
      String v = r.get("value_hex").textValue();
      rows.add(
          new Row(
              r.get("table").textValue(),
              r.get("hash").textValue(),
              hex.parseHex(r.get("range_hex").textValue()),
              v.isEmpty() ? null : hex.parseHex(v)));
    }
    return rows;
  }

  /** Cassandra's evaluation of one index query. */
  static List<Row> run(Map<String, List<Row>> rows, IndexQuery q) {
    List<Row> out = new ArrayList<>();
    for (Row r : rows.getOrDefault(q.table() + "\n" + q.hash(), List.of())) {
      if (q.rangePrefix() != null) {
        byte[] upper = Arrays.copyOf(q.rangePrefix(), q.rangePrefix().length + 1);
        upper[upper.length - 1] = (byte) 0xFF;
        if (Arrays.compareUnsigned(r.range(), q.rangePrefix()) < 0
            || Arrays.compareUnsigned(r.range(), upper) >= 0) {
          continue;
        }
      }
      if (q.rangeStart() != null && Arrays.compareUnsigned(r.range(), q.rangeStart()) < 0) {
        continue;
      }
      if (q.valueEqual() != null && !Arrays.equals(q.valueEqual(), r.value())) {
        continue;
      }
      out.add(r);
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"v6", "v9", "v11"})
  void lookups_findExactlyTheMatchingChunks(String version) throws IOException {
    Path dir = CortexVectorsTest.vectors().resolve(version);
    SchemaConfig config = SchemaConfig.load(dir.resolve("schema-config.yaml"));
    IndexSchema schema = config.periods().get(0).indexSchema();
    List<Row> all = dump(dir);
    Map<String, List<Row>> rows = byPartition(all);
    List<CortexVectorsTest.Series> series = CortexVectorsTest.dataset();

    // chunk keys per series, from the dump (matched by tenant + fingerprint)
    Map<CortexVectorsTest.Series, Set<String>> chunks = new HashMap<>();
    long from = Long.MAX_VALUE;
    long through = Long.MIN_VALUE;
    for (Row r : all) {
      if (!r.table().startsWith("chunk_")) {
        continue;
      }
      CortexVectorsTest.ChunkKey k = CortexVectorsTest.ChunkKey.parse(r.hash());
      from = Math.min(from, k.from());
      through = Math.max(through, k.through());
      for (CortexVectorsTest.Series s : series) {
        if (s.tenant().equals(k.user())
            && Long.toHexString(Fingerprint.fast(s.labels())).equals(k.fp())) {
          chunks.computeIfAbsent(s, x -> new TreeSet<>()).add(r.hash());
        }
      }
    }

    for (CortexVectorsTest.Series s : series) {
      Labels want = s.labels();
      String name = want.metricName();
      // brute force: chunks of series of the same tenant carrying all of s's labels
      Set<String> expected = new TreeSet<>();
      for (CortexVectorsTest.Series o : series) {
        boolean match = o.tenant().equals(s.tenant());
        for (int i = 0; i < want.size() && match; i++) {
          match = o.labels().get(want.name(i)).equals(want.value(i));
        }
        if (match) {
          expected.addAll(chunks.get(o));
        }
      }
      // index lookups: metric row, then every label by value query and by whole label row
      Set<String> ids = ids(rows, schema.metricNameQueries(s.tenant(), from, through, name), null);
      for (int i = 0; i < want.size(); i++) {
        if (want.name(i).equals(Labels.METRIC_NAME)) {
          continue;
        }
        String l = want.name(i);
        String v = want.value(i);
        ids.retainAll(
            ids(rows, schema.labelValueQueries(s.tenant(), from, through, name, l, v), v));
        ids.retainAll(ids(rows, schema.labelNameQueries(s.tenant(), from, through, name, l), v));
      }
      Set<String> found = new TreeSet<>();
      if (schema.indexesSeries()) {
        for (String sid : ids) {
          for (IndexQuery q : schema.seriesChunkQueries(s.tenant(), from, through, sid)) {
            for (Row r : run(rows, q)) {
              found.add(RangeValues.parse(r.range(), r.value()).chunkId());
            }
          }
        }
        if (version.equals("v11")) {
          Set<String> names = new TreeSet<>();
          for (IndexQuery q :
              schema.labelNamesQueries(s.tenant(), from, through, Keys.seriesId(want))) {
            for (Row r : run(rows, q)) {
              names.addAll(RangeValues.parseLabelNames(r.value()));
            }
          }
          assertThat(names)
              .isEqualTo(new TreeSet<>(want.without(Labels.METRIC_NAME).toMap().keySet()));
        }
      } else {
        found.addAll(ids);
      }
      assertThat(found).as(version + " " + s).isNotEmpty().isEqualTo(expected);
    }
  }

  /** Chunk IDs (v1–v6) or seriesIDs (v9+) of the rows the queries return, values tested. */
  static Set<String> ids(Map<String, List<Row>> rows, List<IndexQuery> queries, String value) {
    Set<String> out = new TreeSet<>();
    for (IndexQuery q : queries) {
      for (Row r : run(rows, q)) {
        RangeValues.Parsed p = RangeValues.parse(r.range(), r.value());
        if (value != null && !value.equals(p.labelValue())) {
          continue;
        }
        out.add(p.seriesId() != null ? p.seriesId() : p.chunkId());
      }
    }
    return out;
  }
}
