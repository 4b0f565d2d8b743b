package io.theseus.chunk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.theseus.model.Labels;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Loads the real Cortex v1.10 vectors from ../shared (fails, never skips, when absent). */
final class CortexVectors {
  static final String[] VERSIONS = {"v6", "v9", "v11"};
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One chunk row of a dump. */
  record ChunkRow(String version, String table, String key, byte[] blob) {}

  /** One phase of one input series: expected samples (ts, raw value bits). */
  record Phase(String tenant, Labels labels, long[] ts, long[] bits) {}

  private CortexVectors() {}

  static Path dir() {
    Path p = Path.of(System.getProperty("user.dir")).resolve("../shared/vectors/cortex-v1.10");
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException("Cortex vectors missing at " + p.toAbsolutePath());
    }
    return p;
  }

  static List<ChunkRow> chunkRows(String version) throws IOException {
    List<ChunkRow> rows = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(dir().resolve(version).resolve("dump.jsonl"))) {
      String line;
      while ((line = r.readLine()) != null) {
        JsonNode n = JSON.readTree(line);
        String table = n.get("table").asText();
        if (table.startsWith("chunk_")) {
          rows.add(
              new ChunkRow(
                  version, table, n.get("hash").asText(), hex(n.get("value_hex").asText())));
        }
      }
    }
    return rows;
  }

  /** Input phases keyed by tenant + "/" + labels + "@" + first timestamp. */
  static Map<String, Phase> phases() throws IOException {
    JsonNode root = JSON.readTree(dir().resolve("input-dataset.json").toFile());
    Map<String, Phase> out = new HashMap<>();
    for (JsonNode s : root.get("series")) {
      String tenant = s.get("tenant").asText();
      Map<String, String> m = new HashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = s.get("labels").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        m.put(e.getKey(), e.getValue().asText());
      }
      Labels labels = Labels.of(m);
      for (String ph : new String[] {"phase1", "phase2"}) {
        JsonNode arr = s.get(ph);
        if (arr == null || arr.size() == 0) {
          continue;
        }
        long[] ts = new long[arr.size()];
        long[] bits = new long[arr.size()];
        for (int i = 0; i < arr.size(); i++) {
          ts[i] = arr.get(i).get(0).asLong();
          bits[i] = Long.parseUnsignedLong(arr.get(i).get(1).asText(), 16);
        }
        out.put(phaseKey(tenant, labels, ts[0]), new Phase(tenant, labels, ts, bits));
      }
    }
    return out;
  }

  static String phaseKey(String tenant, Labels labels, long firstTs) {
    return tenant + "/" + labels + "@" + firstTs;
  }

  static byte[] hex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }
}
