package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import io.theseus.schema.SchemaConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Theseus reads tables written by the real Cortex v1.10: every row of a Cortex dump
 * (../shared/vectors/cortex-v1.10/&lt;version&gt;/dump.jsonl) is inserted into a fresh keyspace
 * under the dump's own table names, then the input series are queried through {@link ChunkStore}
 * and must come back exactly (timestamps and raw value bits, NaN payloads included). Fails, never
 * skips, when the vectors are absent.
 */
@ExtendWith(CassandraExtension.class)
class CortexDumpReadTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HexFormat HEX = HexFormat.of();

  static Path vectors() {
    Path p = Path.of(System.getProperty("user.dir")).resolve("../shared/vectors/cortex-v1.10");
    assertThat(p).as("Cortex v1.10 vectors must exist at ../shared").isDirectory();
    return p;
  }

  /** One input series: tenant, labels and every sample (both phases) by timestamp. */
  record Input(String tenant, Labels labels, TreeMap<Long, Long> samples) {}

  static List<Input> inputs() throws IOException {
    JsonNode root = JSON.readTree(vectors().resolve("input-dataset.json").toFile());
    List<Input> out = new ArrayList<>();
    for (JsonNode s : root.get("series")) {
      Map<String, String> m = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = s.get("labels").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        m.put(e.getKey(), e.getValue().textValue());
      }
      TreeMap<Long, Long> samples = new TreeMap<>();
      for (String ph : List.of("phase1", "phase2")) {
        JsonNode arr = s.get(ph);
        if (arr == null) {
          continue;
        }
        for (JsonNode p : arr) {
          long bits = Long.parseUnsignedLong(p.get(1).asText(), 16);
          Long prev = samples.put(p.get(0).asLong(), cortexStored(bits));
          assertThat(prev).as("duplicate timestamp in the input").isNull();
        }
      }
      out.add(new Input(s.get("tenant").textValue(), Labels.of(m), samples));
    }
    return out;
  }

  /**
   * Cortex's distributor forwards samples as gogo-protobuf, whose proto3 encoder omits a double
   * equal to 0, so an input -0.0 reached Cortex's chunks as +0.0 (see ChunkVectorsTest). Every
   * other bit pattern, NaN payloads included, is stored unchanged.
   */
  static long cortexStored(long bits) {
    return bits == 0x8000000000000000L ? 0 : bits;
  }

  /** Creates the dump's tables in {@code keyspace} and inserts every row. */
  static void load(CassandraExtension.CassandraKeyspace ks, String keyspace, Path dump)
      throws IOException {
    RowStore rows = RowStore.builder(ks.session(), keyspace).maxInFlightWrites(64).build();
    TableManager tables = new TableManager(ks.session(), keyspace, t -> "");
    List<CompletableFuture<Void>> fs = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(dump)) {
      String line;
      while ((line = r.readLine()) != null) {
        JsonNode n = JSON.readTree(line);
        String table = n.get("table").asText();
        String hash = n.get("hash").asText();
        byte[] range = HEX.parseHex(n.get("range_hex").asText());
        String v = n.get("value_hex").asText();
        byte[] value = v.isEmpty() ? null : HEX.parseHex(v);
        fs.add(
            tables
                .ensure(table)
                .thenCompose(x -> rows.insert(table, hash, range, value))
                .toCompletableFuture());
      }
    }
    CompletableFuture.allOf(fs.toArray(CompletableFuture<?>[]::new)).join();
    assertThat(fs).hasSizeGreaterThan(100);
    rows.close();
  }

  static List<StoredSeries> expected(List<Input> in, String tenant, List<Matcher> ms) {
    List<StoredSeries> out = new ArrayList<>();
    for (Input i : in) {
      if (!i.tenant().equals(tenant)
          || !ms.stream().allMatch(m -> m.matches(i.labels().get(m.name())))) {
        continue;
      }
      long[] ts = new long[i.samples().size()];
      double[] vs = new double[ts.length];
      int k = 0;
      for (Map.Entry<Long, Long> e : i.samples().entrySet()) {
        ts[k] = e.getKey();
        vs[k++] = Double.longBitsToDouble(e.getValue());
      }
      out.add(new StoredSeries(i.labels(), ts, vs));
    }
    out.sort((a, b) -> a.labels().compareTo(b.labels()));
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"v6", "v9", "v11"})
  void cortexWrittenTables_readBackExactly(String version, CassandraExtension.CassandraKeyspace ks)
      throws IOException {
    Path dir = vectors().resolve(version);
    String keyspace = ks.cassandra().createKeyspace("cortexdump_" + version);
    try {
      load(ks, keyspace, dir.resolve("dump.jsonl"));
      SchemaConfig cfg = SchemaConfig.load(dir.resolve("schema-config.yaml"));
      RowStore rows = RowStore.builder(ks.session(), keyspace).build();
      ChunkStore store =
          ChunkStore.builder(rows, new TableManager(ks.session(), keyspace, t -> ""), cfg).build();
      List<Input> in = inputs();
      long min = in.stream().mapToLong(i -> i.samples().firstKey()).min().orElseThrow();
      long max = in.stream().mapToLong(i -> i.samples().lastKey()).max().orElseThrow();

      // every series by all of its labels, over exactly its own time range
      for (Input i : in) {
        List<Matcher> ms = new ArrayList<>();
        for (int k = 0; k < i.labels().size(); k++) {
          ms.add(Matcher.eq(i.labels().name(k), i.labels().value(k)));
        }
        List<StoredSeries> got =
            store.select(i.tenant(), i.samples().firstKey(), i.samples().lastKey(), ms);
        ChunkStoreVersionsTest.assertSameSeries(
            got, expected(List.of(i), i.tenant(), List.of()), version + " " + i.labels());
      }
      // every metric of every tenant by name, over the whole range
      for (String tenant : List.of("t1", "t2")) {
        TreeSet<String> names = new TreeSet<>();
        in.stream()
            .filter(i -> i.tenant().equals(tenant))
            .forEach(i -> names.add(i.labels().metricName()));
        for (String name : names) {
          List<Matcher> ms = List.of(Matcher.eq("__name__", name));
          ChunkStoreVersionsTest.assertSameSeries(
              store.select(tenant, min, max, ms),
              expected(in, tenant, ms),
              version + " " + tenant + " " + name);
        }
      }
      // a few matcher types against brute force
      for (List<Matcher> ms :
          List.of(
              List.of(
                  Matcher.eq("__name__", "http_requests_total"),
                  Matcher.of(Matcher.Type.NEQ, "code", "200")),
              List.of(
                  Matcher.eq("__name__", "rpc_duration_seconds_bucket"),
                  Matcher.of(Matcher.Type.RE, "le", "0\\.1|\\+Inf")),
              List.of(Matcher.eq("__name__", "up"), Matcher.of(Matcher.Type.NRE, "job", "x.*")),
              List.of(Matcher.eq("__name__", "a"), Matcher.of(Matcher.Type.RE, "a0", "x|y")),
              List.of(Matcher.eq("__name__", "a"), Matcher.of(Matcher.Type.NEQ, "a", "")))) {
        ChunkStoreVersionsTest.assertSameSeries(
            store.select("t1", min, max, ms), expected(in, "t1", ms), version + " " + ms);
      }
      rows.close();
    } finally {
      ks.cassandra().dropKeyspace(keyspace);
    }
  }
}
