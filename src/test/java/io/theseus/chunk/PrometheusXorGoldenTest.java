package io.theseus.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * XOR chunks captured from a real Prometheus 2.42 (remote read, STREAMED_XOR_CHUNKS; see {@link
 * PrometheusCapture}) must equal, byte for byte, what {@link XorChunk} writes for the same
 * samples, and {@link XorIterator} must read them back exactly.
 */
class PrometheusXorGoldenTest {

  @Test
  void xorChunk_samePushedSamples_equalsPrometheusBytes() throws Exception {
    ObjectMapper json = new ObjectMapper();
    HexFormat hex = HexFormat.of();
    int chunks = 0;
    int series = 0;
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                getClass().getResourceAsStream("prometheus-2.42-xor.jsonl"),
                StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        JsonNode s = json.readTree(line);
        JsonNode samples = s.get("samples");
        int covered = 0;
        for (JsonNode c : s.get("chunks")) {
          assertThat(c.get("type").asInt()).isEqualTo(1);
          long min = c.get("min_time_ms").asLong();
          long max = c.get("max_time_ms").asLong();
          XorChunk x = new XorChunk();
          for (JsonNode smp : samples) {
            long t = smp.get(0).asLong();
            if (t >= min && t <= max) {
              x.appendBits(t, Long.parseUnsignedLong(smp.get(1).asText(), 16));
            }
          }
          covered += x.numSamples();
          String expected = c.get("data").asText();
          assertThat(hex.formatHex(x.bytes()))
              .as("%s chunk [%d, %d]", s.get("name").asText(), min, max)
              .isEqualTo(expected);
          XorIterator it = new XorIterator().reset(hex.parseHex(expected));
          int n = 0;
          while (it.next()) {
            n++;
          }
          assertThat(it.error()).isNull();
          assertThat(n).isEqualTo(x.numSamples());
          chunks++;
        }
        assertThat(covered).as("all pushed samples are in some chunk").isEqualTo(samples.size());
        series++;
      }
    }
    assertThat(series).isEqualTo(4);
    assertThat(chunks).isGreaterThanOrEqualTo(10);
  }
}
