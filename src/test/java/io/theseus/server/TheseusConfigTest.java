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
}
