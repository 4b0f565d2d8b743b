package io.theseus.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitsTest {
  @Test
  void parse_empty_cortexDefaults() {
    Limits l = Limits.parse(Map.of()).forTenant("x");
    assertThat(l.ingestionRate()).isEqualTo(25_000);
    assertThat(l.ingestionBurstSize()).isEqualTo(50_000);
    assertThat(l.maxLabelNamesPerSeries()).isEqualTo(30);
    assertThat(l.maxLabelNameLength()).isEqualTo(1024);
    assertThat(l.maxLabelValueLength()).isEqualTo(2048);
    assertThat(l.creationGracePeriodMs()).isEqualTo(600_000);
    assertThat(l.rejectOldSamples()).isFalse();
    assertThat(l.rejectOldSamplesMaxAgeMs()).isEqualTo(14 * 86_400_000L);
    assertThat(l.maxSeriesPerUser()).isEqualTo(5_000_000);
    assertThat(l.maxSeriesPerMetric()).isEqualTo(50_000);
  }

  @Test
  void parse_overrides_layeredOverDefaults() {
    Limits.Config c =
        Limits.parse(
            Map.of(
                "max_label_names_per_series", 10,
                "creation_grace_period", "1h30m",
                "overrides", Map.of("team-a", Map.of("ingestion_rate", 5))));
    assertThat(c.forTenant("other").maxLabelNamesPerSeries()).isEqualTo(10);
    assertThat(c.forTenant("other").creationGracePeriodMs()).isEqualTo(5_400_000);
    assertThat(c.forTenant("team-a").ingestionRate()).isEqualTo(5);
    assertThat(c.forTenant("team-a").maxLabelNamesPerSeries()).isEqualTo(10);
  }

  @Test
  void parse_unknownKey_namesIt() {
    assertThatThrownBy(() -> Limits.parse(Map.of("ingestion_rat", 1)))
        .hasMessageContaining("unknown key 'ingestion_rat' at limits");
    assertThatThrownBy(() -> Limits.parse(Map.of("overrides", Map.of("t", Map.of("x", 1)))))
        .hasMessageContaining("unknown key 'x' at limits.overrides.t");
    assertThatThrownBy(() -> Limits.parse(Map.of("creation_grace_period", "soon")))
        .hasMessageContaining("creation_grace_period").hasMessageContaining("soon");
    assertThatThrownBy(() -> Limits.parse(Map.of("overrides", Map.of("a/b", Map.of()))))
        .hasMessageContaining("bad tenant 'a/b'");
  }

  @Test
  void tenants_resolveMatrix() {
    Tenants off = new Tenants(false, null);
    assertThat(off.resolve("whatever", null).tenant()).isEqualTo("fake");
    Tenants on = new Tenants(true, null);
    assertThat(on.resolve(null, null).status()).isEqualTo(401);
    assertThat(on.resolve("a/b", null).status()).isEqualTo(400);
    assertThat(on.resolve("..", null).status()).isEqualTo(400);
    assertThat(on.resolve("x".repeat(151), null).status()).isEqualTo(400);
    assertThat(on.resolve("team-A_1.(x)'!", null).tenant()).isEqualTo("team-A_1.(x)'!");
    assertThat(on.resolve(".*", null).status()).isEqualTo(400);
    assertThat(on.resolve("a|b", null).status()).isEqualTo(400);
    Tenants tokens = new Tenants(true, Map.of("s3cret", "team-a"));
    assertThat(tokens.resolve(null, "Bearer s3cret").tenant()).isEqualTo("team-a");
    assertThat(tokens.resolve("team-a", "Bearer s3cret").tenant()).isEqualTo("team-a");
    assertThat(tokens.resolve("team-b", "Bearer s3cret").status()).isEqualTo(403);
    assertThat(tokens.resolve("../team-b", "Bearer s3cret").status()).isEqualTo(400);
    assertThat(tokens.resolve(".*", "Bearer s3cret").status()).isEqualTo(400);
    assertThat(tokens.resolve("team-a", null).status()).isEqualTo(401);
    assertThat(tokens.resolve(null, "Bearer nope").status()).isEqualTo(401);
  }

  @Test
  void protoVersion_negotiation() {
    assertThat(IngestService.protoVersion(null)).isFalse();
    assertThat(IngestService.protoVersion("application/x-protobuf")).isFalse();
    assertThat(IngestService.protoVersion("application/x-protobuf;proto=prometheus.WriteRequest"))
        .isFalse();
    assertThat(
            IngestService.protoVersion(
                "application/x-protobuf; proto=io.prometheus.write.v2.Request"))
        .isTrue();
    assertThat(IngestService.protoVersion("application/x-protobuf;proto=foo.Bar")).isNull();
    assertThat(IngestService.protoVersion("application/json")).isNull();
  }
}
