package io.theseus.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Deterministic mutation fuzzing for the hostile-input tests: the corpus under {@code
 * src/test/resources/fuzz/} (hex seeds, one PromQL or parameter value per line), byte and string
 * mutators driven by one seeded {@link Random}, a status tally, and a raw HTTP/1.1 socket client
 * for requests {@link java.net.http.HttpClient} refuses to send (slow, huge, malformed).
 *
 * <p>Not thread-safe: one instance per test.
 */
final class Fuzz {
  static final long SEED = 0x7E5E05F022L;

  final Random rnd;
  /** Status code to count, over every fuzzed request. */
  final Map<Integer, Integer> statuses = new TreeMap<>();

  Fuzz(long seed) {
    this.rnd = new Random(seed);
  }

  int requests() {
    return statuses.values().stream().mapToInt(Integer::intValue).sum();
  }

  int count(int lo, int hi) {
    return statuses.entrySet().stream().filter(e -> e.getKey() >= lo && e.getKey() <= hi)
        .mapToInt(Map.Entry::getValue).sum();
  }

  void tally(int status) {
    statuses.merge(status, 1, Integer::sum);
  }

  /** A corpus file's non-comment lines (blank lines kept only when {@code keepBlank}). */
  static List<String> lines(String name, boolean keepBlank) {
    List<String> out = new ArrayList<>();
    for (String l : text(name).split("\n", -1)) {
      if (l.startsWith("#") || (!keepBlank && l.isBlank())) {
        continue;
      }
      out.add(l);
    }
    if (!keepBlank) {
      return out;
    }
    while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return out;
  }

  /** A hex seed file (comment lines start with '#'). */
  static byte[] hex(String name) {
    return HexFormat.of().parseHex(String.join("", lines(name, false)).trim());
  }

  static String text(String name) {
    try (InputStream in = Fuzz.class.getResourceAsStream("/fuzz/" + name)) {
      if (in == null) {
        throw new IllegalStateException("fuzz corpus file missing: " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One random structural mutation of {@code in}: truncate, flip, overwrite, insert, delete, dup. */
  byte[] mutate(byte[] in) {
    if (in.length == 0) {
      return new byte[] {(byte) rnd.nextInt(256)};
    }
    int p = rnd.nextInt(in.length);
    switch (rnd.nextInt(8)) {
      case 0:
        return Arrays.copyOf(in, p);
      case 1: {
        byte[] out = in.clone();
        out[p] ^= (byte) (1 << rnd.nextInt(8));
        return out;
      }
      case 2: {
        byte[] out = in.clone();
        byte[] special = {0, (byte) 0x7f, (byte) 0x80, (byte) 0xff, 0x0a, 0x12, 0x22};
        out[p] = special[rnd.nextInt(special.length)];
        return out;
      }
      case 3: {
        int n = 1 + rnd.nextInt(8);
        byte[] ins = new byte[n];
        rnd.nextBytes(ins);
        return splice(in, p, 0, ins);
      }
      case 4:
        return splice(in, p, Math.min(in.length - p, 1 + rnd.nextInt(16)), new byte[0]);
      case 5: {
        int n = Math.min(in.length - p, 1 + rnd.nextInt(32));
        return splice(in, p, 0, Arrays.copyOfRange(in, p, p + n));
      }
      case 6: {
        // A varint with every continuation bit set (over-long length / tag).
        byte[] ins = new byte[10];
        Arrays.fill(ins, (byte) 0xff);
        return splice(in, p, 0, ins);
      }
      default: {
        byte[] out = in.clone();
        for (int i = 0; i < 1 + rnd.nextInt(4); i++) {
          out[rnd.nextInt(out.length)] = (byte) rnd.nextInt(256);
        }
        return out;
      }
    }
  }

  static byte[] splice(byte[] in, int at, int remove, byte[] insert) {
    byte[] out = new byte[in.length - remove + insert.length];
    System.arraycopy(in, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(in, at + remove, out, at + insert.length, in.length - at - remove);
    return out;
  }

  private static final String[] TOKENS = {
    "(", ")", "[", "]", "{", "}", "\"", "'", "`", ",", "=~", "!~", "!=", "==", "@", "offset",
    "by", "without", "on", "ignoring", "group_left", "bool", "and", "or", "unless", "^", "%",
    "-", "+", "*", "/", ":", "5m", "0s", "1e400", "NaN", "Inf", "\\", "\\x", "\u0000", "\uFFFD",
    "\uD83D\uDE00", "\t", "\n", "#", "sum", "rate", "start()", "end()", "999999999999999999999",
  };

  /** One random mutation of a PromQL-ish string. */
  String mutate(String s) {
    int p = s.isEmpty() ? 0 : rnd.nextInt(s.length() + 1);
    switch (rnd.nextInt(4)) {
      case 0:
        return s.substring(0, p);
      case 1:
        return s.substring(0, p) + TOKENS[rnd.nextInt(TOKENS.length)] + s.substring(p);
      case 2: {
        int e = Math.min(s.length(), p + 1 + rnd.nextInt(4));
        return s.substring(0, p) + s.substring(e);
      }
      default: {
        int e = Math.min(s.length(), p + 1 + rnd.nextInt(8));
        return s.substring(0, p) + s.substring(p, e) + s.substring(p);
      }
    }
  }

  /** A raw RW 1.0 body: one series of byte-level labels (no UTF-8 checks), one sample. */
  static byte[] rawSeries(List<byte[]> names, List<byte[]> values, long t) throws IOException {
    java.io.ByteArrayOutputStream series = new java.io.ByteArrayOutputStream();
    com.google.protobuf.CodedOutputStream s = com.google.protobuf.CodedOutputStream.newInstance(series);
    for (int i = 0; i < names.size(); i++) {
      java.io.ByteArrayOutputStream label = new java.io.ByteArrayOutputStream();
      com.google.protobuf.CodedOutputStream l = com.google.protobuf.CodedOutputStream.newInstance(label);
      l.writeByteArray(1, names.get(i));
      l.writeByteArray(2, values.get(i));
      l.flush();
      s.writeByteArray(1, label.toByteArray());
    }
    java.io.ByteArrayOutputStream sample = new java.io.ByteArrayOutputStream();
    com.google.protobuf.CodedOutputStream sm = com.google.protobuf.CodedOutputStream.newInstance(sample);
    sm.writeDouble(1, 1.0);
    sm.writeInt64(2, t);
    sm.flush();
    s.writeByteArray(2, sample.toByteArray());
    s.flush();
    java.io.ByteArrayOutputStream req = new java.io.ByteArrayOutputStream();
    com.google.protobuf.CodedOutputStream r = com.google.protobuf.CodedOutputStream.newInstance(req);
    r.writeByteArray(1, series.toByteArray());
    r.flush();
    return req.toByteArray();
  }

  // ------------------------------------------------------------------ raw HTTP/1.1

  /** A raw HTTP/1.1 connection: write bytes as they come, then read one response's status. */
  static final class Raw implements AutoCloseable {
    final Socket socket;
    final OutputStream out;
    final InputStream in;

    Raw(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(30_000);
      out = socket.getOutputStream();
      in = socket.getInputStream();
    }

    void send(byte[] b) throws IOException {
      out.write(b);
      out.flush();
    }

    void send(String s) throws IOException {
      send(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Reads the status line and headers; returns the status code (-1 if the server closed). */
    int status() throws IOException {
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        line.append((char) c);
      }
      if (line.length() == 0) {
        return -1;
      }
      String[] parts = line.toString().split(" ");
      return Integer.parseInt(parts[1]);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
