package io.theseus.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Parses index rows returned by an {@link IndexQuery} (Cortex {@code parseChunkTimeRangeValue},
 * cortex-chunks.md §3.3). Components are the NUL-terminated pieces of the range, numbered from 1:
 *
 * <pre>
 * components  version byte (c4)  chunk ID  label value              seriesID
 * 3 (v1/v2)   -                  c3        c2 (raw)                 -
 * 4+          '1' or 0x01, '4'   c3        base64-decode(c2)        -
 * 4+          '2', '3'           c3        -                        -
 * 4+          '5'                c3        value column             -
 * 4+          '7'                -         -                        c1
 * 4+          '8'                -         value column             c2
 * </pre>
 *
 * Anything else (fewer than 3 components, an unknown or multi-byte version) is an error. Stateless.
 */
public final class RangeValues {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RangeValues() {}

  /**
   * One parsed row: the chunk ID (v1–v6 rows and v9+ series→chunk rows), the label value (label
   * rows) and the seriesID (v9+ metric and label rows). Absent parts are null.
   */
  public record Parsed(String chunkId, String labelValue, String seriesId) {}

  /**
   * Parses one (range, value) row.
   *
   * @throws IllegalArgumentException naming the range in hex when the row is not a Cortex chunk,
   *     label or series row
   */
  public static Parsed parse(byte[] range, byte[] value) {
    List<byte[]> c = Keys.decodeRangeKey(range);
    if (c.size() < 3) {
      throw new IllegalArgumentException(
          "invalid chunk time range value: " + HexFormat.of().formatHex(range));
    }
    if (c.size() == 3) {
      return new Parsed(str(c.get(2)), str(c.get(1)), null);
    }
    byte[] v = c.get(3);
    if (v.length != 1) {
      throw unknownVersion(v, range);
    }
    switch (v[0]) {
      case 0x01, '1', '4' -> {
        byte[] decoded;
        try {
          decoded = Keys.base64Decode(c.get(1));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "bad base64 label value in index range " + HexFormat.of().formatHex(range));
        }
        return new Parsed(str(c.get(2)), str(decoded), null);
      }
      case '2', '3' -> {
        return new Parsed(str(c.get(2)), null, null);
      }
      case '5' -> {
        return new Parsed(str(c.get(2)), value == null ? "" : str(value), null);
      }
      case '7' -> {
        return new Parsed(null, null, str(c.get(0)));
      }
      case '8' -> {
        return new Parsed(null, value == null ? "" : str(value), str(c.get(1)));
      }
      default -> throw unknownVersion(v, range);
    }
  }

  /** Parses a v11 label-names value: a JSON array of label names (without {@code __name__}). */
  public static List<String> parseLabelNames(byte[] value) {
    try {
      JsonNode n = JSON.readTree(value);
      if (n == null || !n.isArray()) {
        throw new IllegalArgumentException("label names value is not a JSON array");
      }
      List<String> out = new ArrayList<>(n.size());
      for (JsonNode e : n) {
        if (!e.isTextual()) {
          throw new IllegalArgumentException("label names value holds a non-string: " + e);
        }
        out.add(e.textValue());
      }
      return out;
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("label names value is not JSON: " + e.getMessage());
    }
  }

  private static IllegalArgumentException unknownVersion(byte[] v, byte[] range) {
    return new IllegalArgumentException(
        "unrecognised chunkTimeRangeKey version 0x"
            + HexFormat.of().formatHex(v)
            + " in index range "
            + HexFormat.of().formatHex(range));
  }

  private static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
