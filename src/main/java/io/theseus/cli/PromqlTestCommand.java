package io.theseus.cli;

import io.theseus.query.promql.ScriptRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code theseus promql-test DIR_OR_FILE...}: runs PromQL test scripts ({@code *.test}) through the
 * engine over in-memory storage, prints each failure and ends with {@code N passed, M failed}. Exit
 * code 0 only when nothing failed.
 */
@Command(
    name = "promql-test",
    mixinStandardHelpOptions = true,
    description = "Run Prometheus PromQL test scripts (*.test) through Theseus's engine.")
final class PromqlTestCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "DIR_OR_FILE", description = "Scripts or folders.")
  List<Path> paths;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          s.filter(f -> f.getFileName().toString().endsWith(".test")).sorted().forEach(files::add);
        }
      } else if (Files.isRegularFile(p)) {
        files.add(p);
      } else {
        throw new IllegalArgumentException("no such file or directory: " + p);
      }
    }
    int passed = 0;
    int failed = 0;
    for (Path f : files) {
      ScriptRunner.Outcome o = ScriptRunner.runFile(f);
      for (ScriptRunner.Failure fl : o.failures()) {
        out.println("FAIL " + fl);
      }
      passed += o.passed();
      failed += o.failed();
    }
    out.println(passed + " passed, " + failed + " failed");
    out.flush();
    return failed == 0 ? 0 : 1;
  }
}
