package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs here, so the compose file is checked statically: every file it builds
 * from or mounts exists, and it holds the promised services.
 */
class DockerComposeTest {
  private static final Path DOCKER = Paths.get("docker");

  @Test
  void compose_everyBuiltOrMountedFileExists() throws Exception {
    JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(DOCKER.resolve("compose.yaml").toFile());
    JsonNode services = compose.get("services");
    List<String> missing = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> svc = it.next();
      JsonNode build = svc.getValue().get("build");
      if (build != null) {
        Path ctx = DOCKER.resolve(build.get("context").asText()).normalize();
        Path dockerfile = ctx.resolve(build.get("dockerfile").asText());
        if (!Files.isRegularFile(dockerfile)) {
          missing.add(svc.getKey() + " dockerfile " + dockerfile);
        }
        for (String copied : List.of("pom.xml", "cassandra/pom.xml", "src")) {
          if (!Files.exists(ctx.resolve(copied))) {
            missing.add(svc.getKey() + " build input " + ctx.resolve(copied));
          }
        }
      }
      JsonNode volumes = svc.getValue().get("volumes");
      if (volumes != null) {
        for (JsonNode v : volumes) {
          String src = v.asText().split(":")[0];
          if (src.startsWith(".") || src.startsWith("/")) {
            Path p = DOCKER.resolve(src).normalize();
            if (!Files.exists(p)) {
              missing.add(svc.getKey() + " mount " + p);
            }
          }
        }
      }
    }
    assertThat(missing).isEmpty();
  }

  @Test
  void compose_hasThreeCassandrasTwoTheseusAndPrometheus() throws Exception {
    JsonNode services =
        new ObjectMapper(new YAMLFactory()).readTree(DOCKER.resolve("compose.yaml").toFile()).get("services");
    List<String> names = new ArrayList<>();
    services.fieldNames().forEachRemaining(names::add);
    assertThat(names)
        .contains("cassandra-1", "cassandra-2", "cassandra-3", "theseus-1", "theseus-2", "prometheus");
    assertThat(TheseusConfig.load(DOCKER.resolve("theseus.yaml")).cassandra().contactPoints()).hasSize(3);
  }
}
