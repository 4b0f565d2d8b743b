package io.theseus.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The local 3-node cluster: addresses, mutual visibility, and RF 3 QUORUM with a node down. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CassandraClusterTest {
  @Test
  @Order(1)
  void start_threeNodesOnLoopbackSeeEachOther() throws Exception {
    TestCassandraCluster t = TestCassandraCluster.get();
    List<InetSocketAddress> cps = t.cluster().contactPoints();
    assertThat(cps)
        .extracting(InetSocketAddress::getHostString)
        .containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3");
    assertThat(cps).extracting(InetSocketAddress::getPort).containsOnly(cps.get(0).getPort());
    CqlSession s = t.session();
    for (Node n : s.getMetadata().getNodes().values()) {
      Set<InetAddress> peers = new HashSet<>();
      for (Row r : s.execute(SimpleStatement.newInstance("SELECT peer FROM system.peers").setNode(n))) {
        peers.add(r.getInetAddress("peer"));
      }
      InetAddress self = ((InetSocketAddress) n.getEndPoint().resolve()).getAddress();
      assertThat(peers).hasSize(2).doesNotContain(self);
    }
    for (int i = 1; i <= 3; i++) {
      assertThat(t.cluster().node(i).options().dataDir().getFileName().toString())
          .isEqualTo("node" + i);
    }
  }

  @Test
  @Order(2)
  void quorumWrite_survivesOneNodeKilled_withRf3() {
    TestCassandraCluster t = TestCassandraCluster.get();
    String ks = TestCassandraCluster.keyspaceName("cluster_rf3");
    CqlSession s = t.session();
    s.execute(
        "CREATE KEYSPACE " + ks
            + " WITH replication = {'class': 'NetworkTopologyStrategy', 'datacenter1': 3}");
    s.execute("CREATE TABLE " + ks + ".t (hash text, range blob, value blob, PRIMARY KEY (hash, range))");
    assertThat(s.checkSchemaAgreement()).isTrue();
    t.cluster().kill(3);
    assertThat(t.cluster().node(3).isAlive()).isFalse();
    try {
      for (int i = 0; i < 50; i++) {
        s.execute(
            SimpleStatement.newInstance(
                "INSERT INTO " + ks + ".t (hash, range, value) VALUES (?, 0x00, 0x01)", "k" + i));
      }
      // Every row reads back at QUORUM from the two live replicas. A single-partition read lets
      // the coordinator speculate past the dead replica; until gossip convicts it, a read may
      // still time out, so each read is retried until the cluster has noticed (bounded wait).
      for (int i = 0; i < 50; i++) {
        String key = "k" + i;
        Row row =
            org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofMinutes(2))
                .ignoreExceptionsInstanceOf(
                    com.datastax.oss.driver.api.core.servererrors.QueryConsistencyException.class)
                .until(
                    () ->
                        s.execute(
                                SimpleStatement.newInstance(
                                        "SELECT value FROM " + ks + ".t WHERE hash = ?", key)
                                    .setConsistencyLevel(
                                        com.datastax.oss.driver.api.core.DefaultConsistencyLevel
                                            .QUORUM))
                            .one(),
                    r -> r != null);
        assertThat(row.getByteBuffer("value").get(0)).isEqualTo((byte) 1);
      }
    } finally {
      t.cluster().restart(3, 180_000);
      t.cluster().awaitAllUp(180_000);
    }
    s.execute("DROP KEYSPACE " + ks);
  }

  @Test
  @Order(3)
  void schemaApply_networkTopologyRf3_agreesOnEveryNode() {
    TestCassandraCluster t = TestCassandraCluster.get();
    String ks = TestCassandraCluster.keyspaceName("cluster_apply");
    String cps =
        t.cluster().contactPoints().stream()
            .map(a -> a.getHostString() + ":" + a.getPort())
            .collect(java.util.stream.Collectors.joining(","));
    String[] args = {
      "schema", "apply", "--config", "schema/examples/v11.yaml", "--from", "2024-01-01",
      "--through", "2024-01-02", "--keyspace", ks, "--replication", "datacenter1:3",
      "--cassandra", cps, "--consistency", "QUORUM"
    };
    var out = new java.io.StringWriter();
    var err = new java.io.StringWriter();
    var cl = io.theseus.cli.Main.commandLine();
    cl.setOut(new java.io.PrintWriter(out));
    cl.setErr(new java.io.PrintWriter(err));
    assertThat(cl.execute(args)).as(err.toString()).isZero();
    assertThat(out.toString()).contains("as version 1");
    CqlSession s = t.session();
    // Every node answers from its own system_schema with the same tables and replication.
    for (Node n : s.getMetadata().getNodes().values()) {
      List<String> tables =
          s.execute(
                  SimpleStatement.newInstance(
                          "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", ks)
                      .setNode(n))
              .all().stream().map(r -> r.getString(0)).toList();
      assertThat(tables).contains("index_2817", "chunk_2817", "theseus_schema_migrations");
      var repl =
          s.execute(
                  SimpleStatement.newInstance(
                          "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?", ks)
                      .setNode(n))
              .one().getMap(0, String.class, String.class);
      assertThat(repl).containsEntry("datacenter1", "3");
    }
    s.execute("DROP KEYSPACE " + ks);
  }

  @Test
  @Order(4)
  void schemaMigrate_v6ToV11OnRf3AtQuorum_verifiesOnTheCluster() throws Exception {
    TestCassandraCluster t = TestCassandraCluster.get();
    String ks = TestCassandraCluster.keyspaceName("cluster_migrate");
    String cps =
        t.cluster().contactPoints().stream()
            .map(a -> a.getHostString() + ":" + a.getPort())
            .collect(java.util.stream.Collectors.joining(","));
    java.nio.file.Path config = java.nio.file.Files.createTempFile("migrate", ".yaml");
    String yaml =
        """
        configs:
          - from: 2026-11-02
            store: cassandra
            schema: v6
            index: {prefix: index_, period: 168h}
            chunks: {prefix: chunk_, period: 168h}
          - from: 2026-11-05
            store: cassandra
            schema: v11
            index: {prefix: index11_, period: 168h}
            chunks: {prefix: chunk11_, period: 168h}
        """;
    java.nio.file.Files.writeString(config, yaml);
    CqlSession s = t.session();
    s.execute(
        "CREATE KEYSPACE " + ks
            + " WITH replication = {'class': 'NetworkTopologyStrategy', 'datacenter1': 3}");
    RowStore rows = RowStore.builder(s, ks).consistency("QUORUM").build();
    ChunkStore store =
        ChunkStore.builder(rows, new TableManager(s, ks, x -> ""), io.theseus.schema.SchemaConfig.parse(yaml))
            .build();
    long t0 = java.time.Instant.parse("2026-11-02T03:00:00Z").toEpochMilli();
    List<java.util.concurrent.CompletableFuture<Void>> puts = new java.util.ArrayList<>();
    for (String job : List.of("api", "db", "web")) {
      io.theseus.model.Labels ls =
          io.theseus.model.Labels.of("__name__", "up", "instance", job + ":9100", "job", job);
      for (long from = t0; from < t0 + 60 * 3_600_000L; from += 6 * 3_600_000L) {
        io.theseus.chunk.BigChunk b = new io.theseus.chunk.BigChunk();
        for (int i = 0; i < 24; i++) {
          b.append(from + i * 900_000L, i);
        }
        puts.add(
            store
                .put(
                    io.theseus.chunk.Chunk.build(
                        "tenant-a", io.theseus.chunk.Fingerprint.fast(ls), ls,
                        io.theseus.chunk.Chunk.BIGCHUNK, b.encode(), from, from + 23 * 900_000L))
                .toCompletableFuture());
      }
    }
    java.util.concurrent.CompletableFuture.allOf(
            puts.toArray(java.util.concurrent.CompletableFuture[]::new))
        .join();
    var out = new java.io.StringWriter();
    var err = new java.io.StringWriter();
    var cl = io.theseus.cli.Main.commandLine();
    cl.setOut(new java.io.PrintWriter(out));
    cl.setErr(new java.io.PrintWriter(err));
    int code =
        cl.execute(
            "schema", "migrate", "--config", config.toString(), "--keyspace", ks,
            "--cassandra", cps, "--consistency", "QUORUM",
            "--from-period", "2026-11-02", "--to", "v11", "--target-chunk-prefix", "chunk_v11_",
            "--verify", "full", "--yes");
    System.out.println(out + "\n" + err);
    assertThat(code).as(out + "\n" + err).isZero();
    assertThat(out.toString()).contains("verify (full)", "0 mismatches", "OK");
    // The new tables exist on every node.
    for (Node n : s.getMetadata().getNodes().values()) {
      List<String> tables =
          s.execute(
                  SimpleStatement.newInstance(
                          "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", ks)
                      .setNode(n))
              .all().stream().map(r -> r.getString(0)).toList();
      assertThat(tables).contains("index_v11_2965", "chunk_v11_2965");
    }
    rows.close();
    s.execute("DROP KEYSPACE " + ks);
  }
}
