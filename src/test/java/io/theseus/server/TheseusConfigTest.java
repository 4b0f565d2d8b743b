package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TheseusConfigTest {
  @Test
  void load_unknownKey_namesKeyPathAndFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "cassandra:\n  keyspace: x\n  replicaton: {}\n");
    assertThatThrownBy(() -> TheseusConfig.load(f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'replicaton'")
        .hasMessageContaining("cassandra.replicaton")
        .hasMessageContaining(f.toString());
  }

  @Test
  void load_emptyFile_givesDefaults(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "\n");
    TheseusConfig c = TheseusConfig.load(f);
    assertThat(c.server().listen()).isEqualTo("127.0.0.1:9009");
    assertThat(c.server().dataDir()).isEqualTo("./data");
    assertThat(c.cassandra().embedded()).isTrue();
    assertThat(c.cassandra().consistency()).isEqualTo("LOCAL_QUORUM");
  }

  @Test
  void load_values_override(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(
        f,
        "server:\n  listen: 0.0.0.0:9100\ncassandra:\n  contact_points: [10.0.0.1:9042]\n"
            + "  replication: {class: NetworkTopologyStrategy, dc1: 3}\n");
    TheseusConfig c = TheseusConfig.load(f);
    assertThat(c.server().listen()).isEqualTo("0.0.0.0:9100");
    assertThat(c.cassandra().embedded()).isFalse();
    assertThat(c.cassandra().replication()).containsEntry("dc1", 3);
  }

  @Test
  void load_slowClientBounds_parsedAndChecked(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "server:\n  header_timeout_ms: 1500\n  body_timeout_ms: 2500\n"
        + "  body_min_bytes_per_sec: 100\n");
    TheseusConfig c = TheseusConfig.load(f);
    assertThat(c.server().headerTimeoutMs()).isEqualTo(1500L);
    assertThat(c.server().bodyTimeoutMs()).isEqualTo(2500L);
    assertThat(c.server().bodyMinBytesPerSec()).isEqualTo(100L);
    assertThat(TheseusConfig.defaults().server().headerTimeoutMs()).isEqualTo(20_000L);
    Files.writeString(f, "server:\n  header_timeout_ms: 0\n");
    assertThatThrownBy(() -> TheseusConfig.load(f)).hasMessageContaining("server.header_timeout_ms");
  }

  @Test
  void load_badListen_namesField(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "server:\n  listen: nope\n");
    assertThatThrownBy(() -> TheseusConfig.load(f)).hasMessageContaining("server.listen");
  }

  @Test
  void load_badKeyspace_namesValue(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "cassandra:\n  keyspace: 'drop table'\n");
    assertThatThrownBy(() -> TheseusConfig.load(f)).hasMessageContaining("'drop table'");
  }

  @Test
  void toYaml_roundTrips(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, TheseusConfig.defaults().toYaml());
    assertThat(TheseusConfig.load(f)).isEqualTo(TheseusConfig.defaults());
  }

  @Test
  void load_querier_defaultsAndOverrides(@TempDir Path dir) throws Exception {
    assertThat(TheseusConfig.defaults().querier())
        .isEqualTo(
            new TheseusConfig.Querier(
                50_000_000L, 1_000_000L, 0, 0L, 120_000L, 300_000L, 5_000L, 50_000_000L,
                256L << 20, false, 64L << 20));
    Path f = dir.resolve("c.yaml");
    Files.writeString(
        f,
        "querier:\n  max_samples: 1000\n  max_fetched_series_per_query: 7\n"
            + "  max_fetched_chunks_per_query: 9\n  max_query_length_ms: 86400000\n"
            + "  timeout_ms: 30000\n  lookback_delta_ms: 60000\n  peer_timeout_ms: 250\n"
            + "  remote_read_max_samples: 5\n  chunk_cache_max_size_bytes: 0\n"
            + "  index_cache_enabled: true\n  index_cache_max_size_bytes: 1048576\n");
    TheseusConfig.Querier q = TheseusConfig.load(f).querier();
    assertThat(q)
        .isEqualTo(
            new TheseusConfig.Querier(
                1000L, 7L, 9, 86_400_000L, 30_000L, 60_000L, 250L, 5L, 0L, true, 1L << 20));
    assertThat(QueryLimits.of(q))
        .isEqualTo(new QueryLimits(1000, 7, 86_400_000, 30_000, 5, 60_000));
  }

  @Test
  void load_querierBadValues_nameTheKey(@TempDir Path dir) throws Exception {
    String[][] cases = {
      {"max_samples: -1", "querier.max_samples"},
      {"timeout_ms: 0", "querier.timeout_ms"},
      {"lookback_delta_ms: -5", "querier.lookback_delta_ms"},
      {"peer_timeout_ms: 0", "querier.peer_timeout_ms"},
      {"chunk_cache_max_size_bytes: -1", "querier.chunk_cache_max_size_bytes"},
      {"max_fetched_chunks_per_query: -3", "querier.max_fetched_chunks_per_query"},
      {"index_cache_max_size_bytes: 0", "querier.index_cache_max_size_bytes"},
      {"max_samples: lots", "max_samples"},
      {"max_sample: 3", "'max_sample'"},
    };
    for (String[] c : cases) {
      Path f = dir.resolve("c.yaml");
      Files.writeString(f, "querier:\n  " + c[0] + "\n");
      assertThatThrownBy(() -> TheseusConfig.load(f))
          .as(c[0])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(c[1]);
    }
  }
}
