package io.theseus.cli;

import io.theseus.chunk.Chunk;
import io.theseus.chunk.ChunkDecodeResult;
import io.theseus.chunk.ExternalKey;
import io.theseus.chunk.SampleIterator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code theseus chunk}: chunk tools for DBAs. {@code inspect} decodes one chunk blob (the {@code
 * value} column of a chunk table row, as hex from cqlsh or as a file) and prints the key fields,
 * the metadata JSON, the encoding and every sample as {@code <ms-timestamp> <value>}. With {@code
 * --key} (the row's {@code hash}) the CRC and the metadata are checked against the key.
 *
 * <p>Exit codes: 0 OK; 1 the blob is bad (truncated, bad checksum, wrong metadata, corrupt data);
 * 2 bad usage (no or two inputs, unparseable hex or key).
 */
@Command(
    name = "chunk",
    mixinStandardHelpOptions = true,
    description = "Chunk tools for DBAs.",
    subcommands = {CommandLine.HelpCommand.class})
final class ChunkCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description = {
        "Decode a Cortex chunk blob and print key fields, metadata, encoding and samples.",
        "Samples are printed one per line as '<ms-timestamp> <value>'."
      })
  int inspect(
      @Option(
              names = "--hex",
              paramLabel = "HEX",
              description = "the blob as hex (a leading 0x, as cqlsh prints it, is fine)")
          String hex,
      @Option(
              names = "--file",
              paramLabel = "PATH",
              description = "a file holding the blob, raw bytes or hex text")
          Path file,
      @Option(
              names = "--key",
              paramLabel = "KEY",
              description = "the chunk's external key (the row's hash); enables CRC/key checks")
          String key)
      throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if ((hex == null) == (file == null)) {
      throw new IllegalArgumentException("give exactly one of --hex or --file");
    }
    byte[] blob = hex != null ? parseHex(hex, "--hex") : readFile(file);
    if (key != null) {
      ExternalKey.parse(key); // IllegalArgumentException names the bad key
    }
    ChunkDecodeResult r = key != null ? Chunk.decode(key, blob) : Chunk.decodeBlob(blob);
    if (!r.ok()) {
      err.println("error: " + r.status() + ": " + r.error());
      err.flush();
      return 1;
    }
    Chunk c = r.chunk();
    ExternalKey k = c.key();
    out.println("key:         " + k);
    out.println("user:        " + k.userId());
    out.println(
        "fingerprint: "
            + Long.toHexString(k.fingerprint())
            + " ("
            + Long.toUnsignedString(k.fingerprint())
            + ")");
    out.println("from:        " + k.from() + " (" + Instant.ofEpochMilli(k.from()) + ")");
    out.println("through:     " + k.through() + " (" + Instant.ofEpochMilli(k.through()) + ")");
    out.println(
        "checksum:    "
            + Integer.toHexString(k.checksum())
            + (key != null ? " (verified against key)" : " (computed; no --key given)"));
    out.println("encoding:    " + c.encoding() + " (" + Chunk.encodingName(c.encoding()) + ")");
    out.println("blob bytes:  " + blob.length + ", data bytes: " + c.data().length);
    String json = c.metadataJson();
    String oneLine = json.endsWith("\n") ? json.substring(0, json.length() - 1) : json;
    out.println("metadata:    " + oneLine);
    SampleIterator it = c.iterator();
    StringBuilder line = new StringBuilder(48);
    int n = 0;
    while (it.next()) {
      line.setLength(0);
      line.append(it.timestamp()).append(' ').append(formatValue(it.value()));
      out.println(line);
      n++;
    }
    out.flush();
    if (it.failed()) {
      err.println("error: chunk data corrupt after " + n + " samples: " + it.error());
      err.flush();
      return 1;
    }
    return 0;
  }

  /** Prometheus-style value: NaN, +Inf, -Inf, integers without a fraction, else shortest. */
  static String formatValue(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      String s = Long.toString((long) v);
      return (v == 0 && Double.doubleToRawLongBits(v) != 0) ? "-0" : s;
    }
    String s = Double.toString(v);
    int e = s.indexOf('E');
    if (e < 0) {
      return s;
    }
    String exp = s.substring(e + 1);
    String mant = s.substring(0, e);
    if (mant.endsWith(".0")) {
      mant = mant.substring(0, mant.length() - 2);
    }
    return mant + "e" + (exp.startsWith("-") ? exp : "+" + exp);
  }

  private static byte[] readFile(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no such file: " + file);
    }
    byte[] raw = Files.readAllBytes(file);
    String text = new String(raw, StandardCharsets.ISO_8859_1).strip();
    if (!text.isEmpty() && text.replaceFirst("^0[xX]", "").matches("[0-9a-fA-F\\s]+")) {
      return parseHex(text, "--file " + file);
    }
    return raw;
  }

  static byte[] parseHex(String s, String what) {
    String h = s.strip().replaceFirst("^0[xX]", "").replaceAll("\\s+", "");
    if (h.isEmpty() || (h.length() & 1) != 0) {
      throw new IllegalArgumentException(
          what + ": hex must have an even, non-zero number of digits (got " + h.length() + ")");
    }
    byte[] b = new byte[h.length() / 2];
    for (int i = 0; i < b.length; i++) {
      int hi = Character.digit(h.charAt(2 * i), 16);
      int lo = Character.digit(h.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException(
            what
                + ": not a hex digit at position "
                + (2 * i)
                + ": '"
                + h.substring(2 * i, 2 * i + 2)
                + "'");
      }
      b[i] = (byte) (hi << 4 | lo);
    }
    return b;
  }
}
