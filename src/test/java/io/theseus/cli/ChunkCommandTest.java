package io.theseus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.chunk.BigChunk;
import io.theseus.chunk.Chunk;
import io.theseus.chunk.Fingerprint;
import io.theseus.model.Labels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ChunkCommandTest {
  static final Labels METRIC = Labels.of("__name__", "up", "job", "node");

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  static Chunk chunk() {
    BigChunk b = new BigChunk();
    b.append(1000, 1);
    b.append(16000, 2.5);
    b.appendBits(31000, 0x7ff0000000000002L);
    b.append(46000, Double.NEGATIVE_INFINITY);
    return Chunk.build(
        "t1", Fingerprint.fast(METRIC), METRIC, Chunk.BIGCHUNK, b.encode(), 1000, 46000);
  }

  @Test
  void inspect_hexWithKey_printsFieldsMetadataAndSamples() {
    Chunk c = chunk();
    Run r =
        run("chunk", "inspect", "--hex", "0x" + HexFormat.of().formatHex(c.blob()), "--key",
            c.key().toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("key:         " + c.key())
        .contains("user:        t1")
        .contains("encoding:    3 (Bigchunk)")
        .contains("verified")
        .contains("{\"fingerprint\":" + Long.toUnsignedString(c.key().fingerprint()))
        .endsWith("1000 1\n16000 2.5\n31000 NaN\n46000 -Inf\n");
  }

  @Test
  void inspect_fileWithRawBytes_decodesWithoutKey(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("blob.bin");
    Files.write(f, chunk().blob());
    Run r = run("chunk", "inspect", "--file", f.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("computed; no --key").contains("46000 -Inf");
  }

  @Test
  void inspect_badChecksum_exitsNonZeroWithMessage() {
    Chunk c = chunk();
    byte[] blob = c.blob();
    blob[blob.length - 3] ^= 0x10;
    Run r =
        run(
            "chunk", "inspect", "--hex", HexFormat.of().formatHex(blob), "--key",
            c.key().toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("BAD_CHECKSUM").contains("checksum");
  }

  @Test
  void inspect_truncatedBlob_exitsNonZeroWithMessage() {
    byte[] blob = chunk().blob();
    String hex = HexFormat.of().formatHex(blob, 0, blob.length - 7);
    Run r = run("chunk", "inspect", "--hex", hex);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("TRUNCATED").contains("truncated");
  }

  @Test
  void inspect_badHex_isUsageError() {
    Run r = run("chunk", "inspect", "--hex", "00zz");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("'zz'");
  }

  @Test
  void inspect_badKey_isUsageErrorNamingKey() {
    Run r = run("chunk", "inspect", "--hex", "00", "--key", "t1/xyz");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("t1/xyz");
  }
}
