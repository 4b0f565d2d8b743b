package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.chunk.BigChunk;
import io.theseus.chunk.Chunk;
import io.theseus.chunk.Fingerprint;
import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import io.theseus.schema.PeriodConfig;
import io.theseus.schema.PeriodicTableConfig;
import io.theseus.schema.SchemaConfig;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Write-then-read on real Cassandra for every schema version: a generated dataset of 1,000+ series
 * (several metrics, labels absent on some series, special characters, chunks crossing a day
 * boundary and a schema-period boundary where the version changes, overlapping replica chunks, a
 * second tenant) is stored through {@link ChunkStore}, then every matcher type is queried, with and
 * without a metric name, and compared with a brute-force evaluation over the same samples in
 * memory.
 */
@ExtendWith(CassandraExtension.class)
class ChunkStoreVersionsTest {
  static final long HOUR = 3_600_000L;
  static final long MIN = 60_000L;
  static final LocalDate D0 = LocalDate.of(2026, 11, 2);

  /** A day boundary inside the first period (for "vA>vB") or the first period change. */
  static final long B1 = ms(D0.plusDays(1));

  /** The (last) schema-period change. */
  static final long B2 = ms(D0.plusDays(2));

  static final long STALE = 0x7ff0000000000002L;
  static final String[] METRICS = {
    "http_requests_total", "node_cpu_seconds_total", "up", "queue_depth"
  };
  static final String[] JOBS = {"api", "db", "web", "cache", "batch"};

  static RowStore rows;
  static TableManager tables;

  @BeforeAll
  static void setUp(CassandraExtension.CassandraKeyspace ks) {
    rows = RowStore.builder(ks.session(), ks.name()).maxInFlightWrites(128).build();
    tables = new TableManager(ks.session(), ks.name(), t -> "");
  }

  @AfterAll
  static void tearDown() {
    rows.close();
  }

  static long ms(LocalDate d) {
    return d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  /** "vA>vB": vA from D0, vB from D0+2d. "vA>vB>vC": vA from D0, vB from D0+1d, vC from D0+2d. */
  static Stream<String> specs() {
    // -Dspecs=v1>v11,v9>v6 runs a subset while developing
    if (System.getProperty("specs") != null) {
      return Stream.of(System.getProperty("specs").split(","));
    }
    return Stream.of(
        "v1>v11",
        "v2>v11",
        "v3>v9",
        "v4>v10",
        "v5>v11",
        "v6>v9",
        "v7>v11",
        "v8>v11",
        "v9>v6",
        "v10>v4",
        "v11>v9",
        "v6>v9>v11");
  }

  static SchemaConfig config(String spec, String prefix) {
    String[] vs = spec.split(">");
    List<PeriodConfig> ps = new ArrayList<>();
    for (int i = 0; i < vs.length; i++) {
      LocalDate from = vs.length == 2 ? D0.plusDays(2L * i) : D0.plusDays(i);
      int shards = vs[i].equals("v10") || vs[i].equals("v11") ? 16 : 0;
      ps.add(
          new PeriodConfig(
              from,
              "cassandra",
              "cassandra",
              vs[i],
              new PeriodicTableConfig(prefix + "i_", 7 * 24 * HOUR),
              new PeriodicTableConfig(prefix + "c_", 7 * 24 * HOUR),
              shards));
    }
    return SchemaConfig.of(ps);
  }

  /** The generated data: chunks to write and, per tenant and series, the expected samples. */
  record Dataset(List<Chunk> chunks, Map<String, Map<Labels, TreeMap<Long, Long>>> expected) {}

  static Dataset dataset() {
    List<Chunk> chunks = new ArrayList<>();
    Map<String, Map<Labels, TreeMap<Long, Long>>> expected = new HashMap<>();
    for (String tenant : List.of("t1", "t2")) {
      int n = tenant.equals("t1") ? 1000 : 40;
      for (int i = 0; i < n; i++) {
        Labels ls = labels(i);
        Map<Labels, TreeMap<Long, Long>> m = expected.computeIfAbsent(tenant, k -> new HashMap<>());
        TreeMap<Long, Long> samples = m.computeIfAbsent(ls, k -> new TreeMap<>());
        long jitter = (i % 10) * 1000L;
        int salt = tenant.equals("t1") ? 0 : 7;
        if (i % 6 == 0) {
          chunks.add(
              chunk(
                  tenant,
                  ls,
                  i + salt,
                  B1 - 3 * HOUR + jitter,
                  B1 - 2 * HOUR,
                  10 * MIN,
                  i % 97 == 0,
                  samples));
        } else {
          // crosses the day boundary B1 (and the first period change in "vA>vB>vC")
          chunks.add(
              chunk(
                  tenant,
                  ls,
                  i + salt,
                  B1 - 30 * MIN + jitter,
                  B1 + 30 * MIN,
                  10 * MIN,
                  false,
                  samples));
        }
        if (i % 2 == 0) {
          // crosses the last schema-period change B2
          chunks.add(
              chunk(
                  tenant,
                  ls,
                  i + salt,
                  B2 - 40 * MIN + jitter,
                  B2 + 20 * MIN,
                  10 * MIN,
                  false,
                  samples));
        }
        if (i % 10 == 4) {
          // a second writer's overlapping chunk, interleaved timestamps
          chunks.add(
              chunk(
                  tenant,
                  ls,
                  i + salt,
                  B2 - 25 * MIN + jitter,
                  B2 + 35 * MIN,
                  5 * MIN,
                  false,
                  samples));
        }
        if (i % 5 == 0) {
          chunks.add(
              chunk(
                  tenant,
                  ls,
                  i + salt,
                  B2 + HOUR + jitter,
                  B2 + 2 * HOUR,
                  15 * MIN,
                  false,
                  samples));
        }
      }
    }
    return new Dataset(chunks, expected);
  }

  static Labels labels(int i) {
    List<String> kv = new ArrayList<>();
    kv.addAll(List.of("__name__", METRICS[i % METRICS.length], "job", JOBS[i % JOBS.length]));
    kv.addAll(List.of("instance", "host-" + (i / 4)));
    if (i % 3 == 1) {
      kv.addAll(List.of("env", "prod"));
    } else if (i % 3 == 2) {
      kv.addAll(List.of("env", "dev"));
    }
    if (i % 50 == 7) {
      kv.addAll(List.of("path", "/a\\b\"q\"\nline2 \u00fc \ud83d\ude00"));
    }
    return Labels.of(kv.toArray(String[]::new));
  }

  /** A Bigchunk of samples every {@code step} in [start, end]; records them in {@code into}. */
  static Chunk chunk(
      String tenant,
      Labels ls,
      int i,
      long start,
      long end,
      long step,
      boolean staleLast,
      TreeMap<Long, Long> into) {
    BigChunk bc = new BigChunk();
    long last = start;
    for (long t = start; t <= end; t += step) {
      long bits = Double.doubleToRawLongBits(i * 1000.0 + (t - B1) / 1000.0);
      if (staleLast && t + step > end) {
        bits = STALE;
      }
      bc.appendBits(t, bits);
      into.putIfAbsent(t, bits);
      last = t;
    }
    return Chunk.build(tenant, Fingerprint.fast(ls), ls, Chunk.BIGCHUNK, bc.encode(), start, last);
  }

  static Matcher m(String name, String op, String value) {
    Matcher.Type t =
        switch (op) {
          case "=" -> Matcher.Type.EQ;
          case "!=" -> Matcher.Type.NEQ;
          case "=~" -> Matcher.Type.RE;
          default -> Matcher.Type.NRE;
        };
    return Matcher.of(t, name, value);
  }

  /** Label matcher sets, each run with a metric name and, unless marked, without one. */
  static List<List<Matcher>> labelMatcherSets() {
    return List.of(
        List.of(),
        List.of(m("job", "=", "api")),
        List.of(m("job", "!=", "api")),
        List.of(m("job", "=~", "api|db")),
        List.of(m("job", "=~", "ca.*|w.b")),
        List.of(m("job", "!~", "api|web")),
        List.of(m("env", "=", ""), m("job", "=", "db")),
        List.of(m("env", "!=", "")),
        List.of(m("env", "=~", "prod|"), m("job", "=~", "web|cache")),
        List.of(m("env", "!~", "prod"), m("job", "=", "db")),
        List.of(m("instance", "=~", "host-1.*"), m("job", "=", "db")),
        List.of(m("job", "=", "nope")),
        List.of(m("path", "=~", ".*\n.*")),
        List.of(m("path", "=", "/a\\b\"q\"\nline2 \u00fc \ud83d\ude00")),
        List.of(m("instance", "!~", "host-.*0")));
  }

  static List<List<Matcher>> queries() {
    List<List<Matcher>> out = new ArrayList<>();
    for (List<Matcher> ls : labelMatcherSets()) {
      List<Matcher> with = new ArrayList<>(ls);
      with.add(0, m("__name__", "=", "http_requests_total"));
      out.add(with);
      if (!ls.isEmpty()) {
        // Without a name every metric is looked up: keep broad sets lean by adding a selective
        // regex (44 series), except for the plain lookups that are selective already.
        boolean selective =
            ls.stream().anyMatch(x -> x.type() == Matcher.Type.EQ && !x.value().isEmpty());
        List<Matcher> without = new ArrayList<>(ls);
        if (!selective) {
          without.add(m("instance", "=~", "host-2.?"));
        }
        out.add(without);
      }
    }
    out.add(List.of(m("job", "!=", "db"))); // one broad query without a name
    out.add(List.of(m("__name__", "=", "up")));
    out.add(List.of(m("__name__", "=~", "up|queue_depth"), m("job", "=", "web")));
    out.add(List.of(m("__name__", "=~", "node_.*")));
    out.add(List.of(m("__name__", "!=", "up"), m("job", "=", "batch")));
    out.add(List.of(m("__name__", "!~", "up|http_.*"), m("env", "=", "prod")));
    return out;
  }

  static List<StoredSeries> bruteForce(
      Map<Labels, TreeMap<Long, Long>> data, long from, long through, List<Matcher> ms) {
    List<StoredSeries> out = new ArrayList<>();
    for (Map.Entry<Labels, TreeMap<Long, Long>> e : data.entrySet()) {
      Labels l = e.getKey();
      if (!ms.stream().allMatch(x -> x.matches(l.get(x.name())))) {
        continue;
      }
      var sub = e.getValue().subMap(from, true, through, true);
      if (sub.isEmpty()) {
        continue;
      }
      long[] ts = new long[sub.size()];
      double[] vs = new double[sub.size()];
      int k = 0;
      for (Map.Entry<Long, Long> s : sub.entrySet()) {
        ts[k] = s.getKey();
        vs[k++] = Double.longBitsToDouble(s.getValue());
      }
      out.add(new StoredSeries(l, ts, vs));
    }
    out.sort((a, b) -> a.labels().compareTo(b.labels()));
    return out;
  }

  static void assertSameSeries(List<StoredSeries> got, List<StoredSeries> want, String what) {
    assertThat(got.stream().map(s -> s.labels().toString()).toList())
        .as(what)
        .containsExactlyElementsOf(want.stream().map(s -> s.labels().toString()).toList());
    for (int i = 0; i < want.size(); i++) {
      assertThat(got.get(i).timestamps())
          .as(what + " " + want.get(i).labels())
          .containsExactly(want.get(i).timestamps());
      assertThat(bits(got.get(i).values()))
          .as(what + " " + want.get(i).labels())
          .containsExactly(bits(want.get(i).values()));
    }
  }

  static long[] bits(double[] vs) {
    long[] b = new long[vs.length];
    for (int i = 0; i < vs.length; i++) {
      b[i] = Double.doubleToRawLongBits(vs[i]);
    }
    return b;
  }

  static final Dataset DATA = dataset();

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void everyMatcher_equalsBruteForce(String spec) {
    String prefix = spec.replace(">", "_");
    SchemaConfig cfg = config(spec, prefix);
    ChunkStore store = ChunkStore.builder(rows, tables, cfg).fetchConcurrency(64).build();
    CompletableFuture<?>[] puts =
        DATA.chunks().stream()
            .map(c -> store.put(c).toCompletableFuture())
            .toArray(CompletableFuture<?>[]::new);
    CompletableFuture.allOf(puts).join();

    Map<Labels, TreeMap<Long, Long>> t1 = DATA.expected().get("t1");
    long[][] ranges = {
      {B1 - 4 * HOUR, B2 + 3 * HOUR},
      {B2 - 15 * MIN, B2 + 15 * MIN},
      {B1 - 150 * MIN, B1 + 5 * MIN},
    };
    for (List<Matcher> q : queries()) {
      long[] r = ranges[0];
      assertSameSeries(
          store.select("t1", r[0], r[1], q), bruteForce(t1, r[0], r[1], q), spec + " " + q);
    }
    for (int k = 1; k < ranges.length; k++) {
      long[] r = ranges[k];
      for (List<Matcher> q :
          List.of(
              List.of(m("__name__", "=", "up")),
              List.of(m("__name__", "=", "queue_depth"), m("env", "!=", "dev")))) {
        assertSameSeries(
            store.select("t1", r[0], r[1], q),
            bruteForce(t1, r[0], r[1], q),
            spec + " " + q + " in [" + r[0] + ", " + r[1] + "]");
      }
    }
    // the whole range of every series, written across the period change, comes back exactly
    assertSameSeries(
        store.select("t1", B1 - 4 * HOUR, B2 + 3 * HOUR, List.of()),
        bruteForce(t1, B1 - 4 * HOUR, B2 + 3 * HOUR, List.of()),
        spec + " all series");
    // tenants are isolated
    Map<Labels, TreeMap<Long, Long>> t2 = DATA.expected().get("t2");
    List<Matcher> q = List.of(m("job", "=", "api"));
    assertSameSeries(
        store.select("t2", B1 - 4 * HOUR, B2 + 3 * HOUR, q),
        bruteForce(t2, B1 - 4 * HOUR, B2 + 3 * HOUR, q),
        spec + " tenant t2");
  }
}
