package io.theseus.cli.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class WorkloadYamlTest {
  private static Workload parse(String yaml) throws Exception {
    Workload.Builder b = new Workload.Builder();
    WorkloadYaml.apply(new ObjectMapper(new YAMLFactory()).readTree(yaml), b);
    return b.build();
  }

  @Test
  void apply_everyExampleFileParses() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("user.dir"), "loadtest"))) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(4);
    for (Path f : files) {
      Workload.Builder b = new Workload.Builder();
      WorkloadYaml.apply(f, b);
      assertThat(b.build().targets()).as(f.toString()).isNotEmpty();
    }
  }

  @Test
  void apply_readsTargetsProfileAndShape() throws Exception {
    Workload w = parse("""
        series: 77
        protocol: rw2
        interval: 1m30s
        mode: closed
        mix: {gauge: 1}
        profile: {type: step, steps: [{rate: 10, for: 2s}, {rate: 20, for: 1s}]}
        targets:
          - {name: a, url: "http://h:1/api/v1/push", tenant: t1, headers: {X-A: b}, rate: 5}
        """);
    assertThat(w.series()).isEqualTo(77);
    assertThat(w.protocol()).isEqualTo(Workload.Protocol.RW2);
    assertThat(w.intervalMs()).isEqualTo(90_000);
    assertThat(w.closedLoop()).isTrue();
    assertThat(w.mix()).containsExactly(0, 1, 0, 0);
    assertThat(w.profile().samplesDue(3)).isEqualTo(40);
    Target t = w.targets().get(0);
    assertThat(t.queryUrl()).isEqualTo("http://h:1");
    assertThat(t.tenant()).isEqualTo("t1");
    assertThat(t.headers()).containsEntry("X-A", "b");
    assertThat(w.rateFor(t)).isEqualTo(5);
  }

  @Test
  void apply_badInputNamesTheKeyAndValue() {
    assertThatThrownBy(() -> parse("seriess: 5\ntargets: [{url: discard}]"))
        .hasMessageContaining("unknown key 'seriess'");
    assertThatThrownBy(() -> parse("targets: [{url: discard, tenantt: x}]"))
        .hasMessageContaining("unknown key 'targets[0].tenantt'");
    assertThatThrownBy(() -> parse("interval: 5 minutes\ntargets: [{url: discard}]"))
        .hasMessageContaining("interval").hasMessageContaining("'5 minutes'");
    assertThatThrownBy(() -> parse("jitter: 20s\ninterval: 10s\ntargets: [{url: discard}]"))
        .hasMessageContaining("jitter: 20000");
    assertThatThrownBy(() -> parse("targets: [{url: 'ftp://x'}]")).hasMessageContaining("'ftp://x'");
    assertThatThrownBy(() -> parse("protocol: rw3\ntargets: [{url: discard}]")).hasMessageContaining("'rw3'");
    assertThatThrownBy(() -> parse("series: 10")).hasMessageContaining("no target");
  }

  @Test
  void apply_queryBenchExprs() throws Exception {
    Workload w = parse("""
        stop_at_now: true
        queries:
          repeats: 7
          flush: true
          flush_wait: 2s
          baseline: prom
          exprs:
            - {name: a, expr: 'rate($counter[5m])', range: 24h, step: 1m}
        targets: [{url: discard}]
        """);
    assertThat(w.stopAtNow()).isTrue();
    assertThat(w.queries().repeats()).isEqualTo(7);
    assertThat(w.queries().flush()).isTrue();
    assertThat(w.queries().flushWaitMs()).isEqualTo(2000);
    assertThat(w.queries().baseline()).isEqualTo("prom");
    assertThat(w.queries().exprs())
        .containsExactly(new Workload.BenchQuery("a", "rate($counter[5m])", 86_400_000, 60_000));
  }

  @Test
  void apply_queryBenchBadInput_namesTheKey() {
    assertThatThrownBy(() -> parse("queries: {exprs: [{name: a, expr: x, range: 1h}]}\n"
        + "targets: [{url: discard}]"))
        .hasMessageContaining("queries.exprs[0].step: required");
    assertThatThrownBy(() -> parse("queries: {exprs: [{name: a, expr: x, range: 1h, step: 1s,"
        + " stepp: 2}]}\ntargets: [{url: discard}]"))
        .hasMessageContaining("unknown key 'queries.exprs[0].stepp'");
    assertThatThrownBy(() -> parse("queries: {exprs: [{name: a, expr: x, range: 24h, step: 1s}]}\n"
        + "targets: [{url: discard}]"))
        .hasMessageContaining("queries.exprs.a.step: 1000 is invalid");
    assertThatThrownBy(() -> parse("queries: {exprs: [{name: a, expr: x, range: 1h, step: 1m},"
        + " {name: a, expr: y, range: 1h, step: 1m}]}\ntargets: [{url: discard}]"))
        .hasMessageContaining("'a' is used twice");
    assertThatThrownBy(() -> parse("queries: {repeats: 0}\ntargets: [{url: discard}]"))
        .hasMessageContaining("queries.repeats: 0");
  }
}
