package io.theseus.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.chunk.Fingerprint;
import io.theseus.model.Labels;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class WalPropertiesTest {
  @Provide
  Arbitrary<Map<String, String>> labelMaps() {
    return Arbitraries.maps(
            Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(6),
            Arbitraries.strings().withCharRange((char) 1, (char) 0xD7FF).ofMinLength(1).ofMaxLength(8))
        .ofMaxSize(6);
  }

  /** The byte-level fingerprint of the head equals the chunk package's FastFingerprint. */
  @Property(tries = 300)
  void fingerprint_ofKey_equalsCortexFastFingerprint(@ForAll("labelMaps") Map<String, String> m) {
    Labels l = Labels.of(m);
    byte[] key = TenantHead.keyOf(l);
    assertThat(TenantHead.fingerprint(key)).isEqualTo(Fingerprint.fast(l));
    assertThat(MemSeries.labelsOf(key)).isEqualTo(l);
  }

  record Rec(long ref, long t, long bits) {}

  /** Records appended to a segment are replayed exactly, with every NaN payload kept. */
  @Property(tries = 30)
  void wal_roundTrip(@ForAll("labelMaps") Map<String, String> m,
      @ForAll List<@net.jqwik.api.constraints.Size(max = 3) List<Long>> raw) throws Exception {
    Path dir = Files.createTempDirectory("walprop");
    byte[] key = TenantHead.keyOf(Labels.of(m));
    List<Rec> written = new ArrayList<>();
    try (Wal w = Wal.open(dir, 1 << 20, 1, ns -> {}, new Collect(new ArrayList<>(), new ArrayList<>()))) {
      byte[] t = "tenant-ü".getBytes(StandardCharsets.UTF_8);
      ByteBuffer sb = ByteBuffer.allocate(30 + t.length + key.length);
      sb.putLong(7).putLong(99).putShort((short) t.length).put(t).putInt(key.length).put(key).flip();
      w.append(Wal.SERIES, sb);
      long pos = 0;
      for (List<Long> batch : raw) {
        ByteBuffer b = ByteBuffer.allocate(24 * batch.size());
        for (long x : batch) {
          Rec r = new Rec(7, x, x * 31 + 0x7ff0000000000001L);
          written.add(r);
          b.putLong(r.ref).putLong(r.t).putLong(r.bits);
        }
        b.flip();
        pos = w.append(Wal.SAMPLES, b);
      }
      w.durable(pos).get();
    }
    List<String> series = new ArrayList<>();
    List<Rec> read = new ArrayList<>();
    Wal.open(dir, 1 << 20, 1, ns -> {}, new Collect(series, read)).close();
    assertThat(series).containsExactly("7/99/tenant-ü/" + new String(key, StandardCharsets.ISO_8859_1));
    assertThat(read).isEqualTo(written);
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  record Collect(List<String> series, List<Rec> samples) implements Wal.Replayer {
    @Override
    public void series(long ref, long fp, String tenant, byte[] key) {
      series.add(ref + "/" + fp + "/" + tenant + "/" + new String(key, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void sample(long ref, long t, double v) {
      samples.add(new Rec(ref, t, Double.doubleToRawLongBits(v)));
    }
  }
}
