package io.theseus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Golden outputs of {@code theseus schema print} for every example config under schema/examples,
 * kept in schema/print/. Regenerate with {@code -Dgolden.update=true} and review the diff.
 */
class SchemaPrintCommandTest {
  private static final Path EXAMPLES = Paths.get("schema", "examples");
  private static final Path GOLDEN = Paths.get("schema", "print");

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** The golden cases: file name → arguments. */
  static List<String[]> cases() throws IOException {
    List<String[]> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(EXAMPLES)) {
      for (Path p : s.sorted().toList()) {
        String n = p.getFileName().toString();
        if (!n.matches("v\\d+\\.yaml")) {
          continue;
        }
        out.add(
            new String[] {
              n.replace(".yaml", ".cql"), "schema", "print", "--config", p.toString(),
              "--from", "2024-01-01", "--through", "2024-01-14"
            });
      }
    }
    out.add(
        new String[] {
          "migrate-v6-v9-v11.cql", "schema", "print", "--config",
          EXAMPLES.resolve("migrate-v6-v9-v11.yaml").toString(), "--from", "2021-12-25",
          "--through", "2022-01-08"
        });
    out.add(
        new String[] {
          "v11-nts-ttl.cql", "schema", "print", "--config", EXAMPLES.resolve("v11.yaml").toString(),
          "--options", EXAMPLES.resolveSibling("ddl-options.yaml").toString(), "--from", "2024-01-01",
          "--through", "2024-01-10"
        });
    return out;
  }

  @Test
  void print_examples_matchGoldenFiles() throws IOException {
    boolean update = Boolean.getBoolean("golden.update");
    List<String[]> cases = cases();
    assertThat(cases).hasSizeGreaterThanOrEqualTo(13);
    for (String[] c : cases) {
      String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
      Run r = run(args);
      assertThat(r.code()).as(r.err()).isZero();
      Path golden = GOLDEN.resolve(c[0]);
      if (update) {
        Files.createDirectories(GOLDEN);
        Files.writeString(golden, r.out());
      }
      assertThat(Files.exists(golden)).as("golden file " + golden).isTrue();
      assertThat(r.out()).as(c[0]).isEqualTo(Files.readString(golden));
    }
  }

  @Test
  void print_ttlOverFiftyWindows_warns() {
    Run r =
        run("schema", "print", "--config", EXAMPLES.resolve("v11.yaml").toString(), "--options",
            EXAMPLES.resolveSibling("ddl-options.yaml").toString(), "--from", "2024-01-01", "--through",
            "2024-01-02");
    assertThat(r.out())
        .contains("-- WARNING: chunk tables chunk_*: 90 TWCS windows per TTL (over 50)")
        .contains("'class': 'NetworkTopologyStrategy', 'dc1': '3', 'dc2': '3'")
        .contains("default_time_to_live = 7776000")
        .contains("CREATE KEYSPACE IF NOT EXISTS metrics");
  }

  @Test
  void print_badReplication_failsNamingTheValue() {
    Run r =
        run("schema", "print", "--config", EXAMPLES.resolve("v11.yaml").toString(),
            "--replication", "dc1=3");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--replication 'dc1=3'");
  }

  @Test
  void print_badDate_failsNamingTheValue() {
    Run r =
        run("schema", "print", "--config", EXAMPLES.resolve("v11.yaml").toString(), "--from",
            "2024-13-01");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--from '2024-13-01'");
  }

  @Test
  void print_unknownOptionKey_failsNamingIt(@org.junit.jupiter.api.io.TempDir Path dir)
      throws IOException {
    Path o = dir.resolve("o.yaml");
    Files.writeString(o, "chunk_tables: {compactoin: TWCS}\n");
    Run r =
        run("schema", "print", "--config", EXAMPLES.resolve("v11.yaml").toString(), "--options",
            o.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("unknown key 'compactoin'");
  }
}
