package io.theseus.query.promql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs Prometheus 2.42's own PromQL test scripts (read from ../shared/promql-tests/v2.42.0, never
 * copied here) and Theseus's scripts under src/test/resources/promql through the engine.
 */
class ConformanceTest {
  /** Known failing upstream cases as "file:line"; must stay empty unless documented. */
  private static final List<String> KNOWN_FAILURES = List.of();

  private static final int UPSTREAM_CASES = 566;

  private static List<ScriptRunner.Outcome> runAll(Path dir) throws IOException {
    assertThat(dir).as("PromQL scripts folder").isDirectory();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".test")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    List<ScriptRunner.Outcome> out = new ArrayList<>();
    for (Path f : files) {
      out.add(ScriptRunner.runFile(f));
    }
    return out;
  }

  @Test
  void upstreamScripts_allPass() throws IOException {
    Path dir =
        Path.of(System.getProperty("user.dir"))
            .resolve("../shared/promql-tests/v2.42.0")
            .normalize();
    int passed = 0;
    List<String> failed = new ArrayList<>();
    for (ScriptRunner.Outcome o : runAll(dir)) {
      passed += o.passed();
      for (ScriptRunner.Failure f : o.failures()) {
        failed.add(Path.of(f.file()).getFileName() + ":" + f.line());
      }
    }
    assertThat(failed).as("failing upstream cases").containsExactlyElementsOf(KNOWN_FAILURES);
    assertThat(passed + failed.size()).isEqualTo(UPSTREAM_CASES);
    assertThat(passed).isEqualTo(UPSTREAM_CASES - KNOWN_FAILURES.size());
  }

  @Test
  void theseusScripts_allPass() throws IOException {
    Path dir = Path.of(System.getProperty("user.dir")).resolve("src/test/resources/promql");
    int passed = 0;
    List<ScriptRunner.Failure> failed = new ArrayList<>();
    for (ScriptRunner.Outcome o : runAll(dir)) {
      passed += o.passed();
      failed.addAll(o.failures());
    }
    assertThat(failed).isEmpty();
    assertThat(passed).isGreaterThanOrEqualTo(40);
  }

  @Test
  void runner_reportsWrongExpectation() {
    ScriptRunner.Outcome o =
        ScriptRunner.runText(
            "inline",
            "load 1m\n  m{a=\"1\"} 1 2 3\n\neval instant at 2m m\n  m{a=\"1\"} 4\n\n"
                + "eval instant at 2m m\n  m{a=\"1\"} 3\n\neval_fail instant at 0m m\n\n"
                + "eval_ordered instant at 0m sort_desc(m or vector(5))\n  m{a=\"1\"} 1\n  {} 5\n");
    assertThat(o.passed()).isEqualTo(1);
    assertThat(o.failures()).extracting(ScriptRunner.Failure::line).containsExactly(4, 10, 12);
    assertThat(o.failures().get(0).message()).contains("expected 4.0").contains("got 3.0");
  }
}
