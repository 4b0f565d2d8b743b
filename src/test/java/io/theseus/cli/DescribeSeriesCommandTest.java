package io.theseus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code theseus schema describe-series} on the worked example of cortex-chunks.md §3.5: the
 * printed rows must be the documented rows (typed in from the document), with {@code <crc>} in
 * place of the chunk checksum.
 */
class DescribeSeriesCommandTest {
  static final String C = "t1/417c51668d58e26b:17a0f388440:17a10821b40:<crc>";
  static final String S = "WQBioVV+x501O4kVwKKxUAwD+YyVc1SHj181suPV2T4";
  static final String H_API = "FMJSnrRJjF0f/WkV0Fv1ipG92nlq9Z9B1IDRHAmdBHk";
  static final String H_GET = "FOMM0WPHMpEuBIxMg34VxOkMBi67eVq5R9V3BuLRDdg";
  static final String M = "t1:d18793:http_requests_total";
  static final String SELECTOR = "http_requests_total{job=\"api\",method=\"GET\"}";

  record Result(int exit, String out, String err) {}

  static Result run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  static Result example(String version, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "schema",
                "describe-series",
                "--schema",
                version,
                "--tenant",
                "t1",
                "--from",
                "2021-06-15T10:30:00Z",
                "--through",
                "2021-06-15T16:30:00Z"));
    args.addAll(List.of(extra));
    args.add(SELECTOR);
    return run(args.toArray(String[]::new));
  }

  /** The printed index rows as "table|hash|range_hex|value_hex". */
  static List<String> rows(String out) {
    List<String> rows = new ArrayList<>();
    String[] lines = out.split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].matches("\\[\\d+]")) {
        rows.add(
            field(lines[i + 1], "table")
                + "|"
                + field(lines[i + 2], "hash")
                + "|"
                + field(lines[i + 4], "range_hex")
                + "|"
                + field(lines[i + 6], "value_hex"));
      }
    }
    return rows;
  }

  static String field(String line, String name) {
    assertThat(line).startsWith(name + " ");
    return line.substring(name.length()).trim();
  }

  /** A documented row: {@code \0} = NUL, null value = "null". */
  static String row(String hash, String range, String value) {
    HexFormat hex = HexFormat.of();
    return "index_2684|"
        + hash
        + "|"
        + hex.formatHex(range.replace("\\0", "\0").getBytes(StandardCharsets.UTF_8))
        + "|"
        + (value == null ? "null" : hex.formatHex(value.getBytes(StandardCharsets.UTF_8)));
  }

  static final String EXT = row("t1:d18793:~names", "http_requests_total\\0\\0\\0t\\0", "-");

  @Test
  void describeSeries_v1FourteenRows() {
    Result r = example("v1", "--no-extension");
    assertThat(r.exit()).isZero();
    List<String> expected = new ArrayList<>();
    for (int h = 451042; h <= 451048; h++) {
      expected.add(row("t1:" + h + ":http_requests_total", "job\\0api\\0" + C + "\\0", null));
      expected.add(row("t1:" + h + ":http_requests_total", "method\\0GET\\0" + C + "\\0", null));
    }
    assertThat(rows(r.out())).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void describeSeries_v6ThreeRowsPlusExtension() {
    Result r = example("v6");
    assertThat(r.exit()).isZero();
    assertThat(rows(r.out()))
        .containsExactlyInAnyOrder(
            row(M, "038a5f40\\0\\0" + C + "\\03\\0", null),
            row(M + ":job", "038a5f40\\0\\0" + C + "\\05\\0", "api"),
            row(M + ":method", "038a5f40\\0\\0" + C + "\\05\\0", "GET"),
            EXT);
  }

  @Test
  void describeSeries_v9() {
    Result r = example("v9", "--no-extension");
    assertThat(rows(r.out()))
        .containsExactly(
            row(M, S + "\\0\\0\\07\\0", "-"),
            row(M + ":job", H_API + "\\0" + S + "\\0\\08\\0", "api"),
            row(M + ":method", H_GET + "\\0" + S + "\\0\\08\\0", "GET"),
            row("t1:d18793:" + S, "038a5f40\\0\\0" + C + "\\03\\0", null));
    assertThat(r.out())
        .contains(
            "dedupe key " + HexFormat.of().formatHex(("index_2684-t1:d18793-" + S).getBytes()));
  }

  @Test
  void describeSeries_v10AndV11() {
    List<String> v10 =
        List.of(
            row("09:" + M, S + "\\0\\0\\07\\0", "-"),
            row("09:" + M + ":job", H_API + "\\0" + S + "\\0\\08\\0", "api"),
            row("09:" + M + ":method", H_GET + "\\0" + S + "\\0\\08\\0", "GET"),
            row("t1:d18793:" + S, "038a5f40\\0\\0" + C + "\\03\\0", "-"));
    assertThat(rows(example("v10", "--no-extension").out())).containsExactlyElementsOf(v10);
    List<String> v11 = new ArrayList<>(v10);
    v11.add(3, row(S, "\\0\\0\\09\\0", "[\"job\",\"method\"]"));
    v11.add(EXT);
    assertThat(rows(example("v11").out())).containsExactlyElementsOf(v11);
  }

  @Test
  void describeSeries_chunkRowAndHeader() {
    String out = example("v11").out();
    assertThat(out)
        .contains("fingerprint  417c51668d58e26b")
        .contains("seriesID     " + S)
        .contains("chunk ID     " + C)
        .contains("== chunk row\ntable        chunk_2684\nhash         " + C + "\n")
        .contains("range_hex    00\n")
        .contains("<crc> = CRC-32C");
  }

  @Test
  void describeSeries_unixSecondsEqualsRfc3339() {
    Result unix =
        run(
            "schema",
            "describe-series",
            "--schema",
            "v6",
            "--tenant",
            "t1",
            "--from",
            "1623753000",
            "--through",
            "1623774600.000",
            SELECTOR);
    assertThat(unix.exit()).isZero();
    assertThat(rows(unix.out())).isEqualTo(rows(example("v6").out()));
  }

  @Test
  void describeSeries_schemaConfigSplitsPeriods() {
    // migrate-v6-v9-v11.yaml: v9 until 2024-01-04, v11 after; a chunk across the change.
    Result r =
        run(
            "schema",
            "describe-series",
            "--schema-config",
            "schema/examples/migrate-v6-v9-v11.yaml",
            "--tenant",
            "t1",
            "--from",
            "2024-01-03T23:00:00Z",
            "--through",
            "2024-01-04T01:00:00Z",
            "up{job=\"a\"}");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("index schema v9").contains("index schema v11, row_shards 16");
    assertThat(rows(r.out()))
        .anyMatch(x -> x.contains("|t1:d19725:up|"))
        .anyMatch(x -> x.matches("index_\\d+\\|\\d\\d:t1:d19726:up\\|.*"));
  }

  @Test
  void describeSeries_badInputClearErrors() {
    Result r =
        run(
            "schema",
            "describe-series",
            "--schema",
            "v12",
            "--tenant",
            "t1",
            "--from",
            "0",
            "--through",
            "1",
            SELECTOR);
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--schema 'v12'");
    r =
        run(
            "schema",
            "describe-series",
            "--schema",
            "v9",
            "--tenant",
            "t1",
            "--from",
            "yesterday",
            "--through",
            "1",
            SELECTOR);
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--from: 'yesterday'");
    r =
        run(
            "schema",
            "describe-series",
            "--schema",
            "v9",
            "--tenant",
            "t1",
            "--from",
            "0",
            "--through",
            "1",
            "up{job=~\"a\"}");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("only = matchers");
    r =
        run(
            "schema",
            "describe-series",
            "--schema",
            "v9",
            "--tenant",
            "t1",
            "--from",
            "10",
            "--through",
            "1",
            SELECTOR);
    assertThat(r.err()).contains("before --from");
  }
}
