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
}
