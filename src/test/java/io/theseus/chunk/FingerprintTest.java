package io.theseus.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import io.theseus.model.Labels;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class FingerprintTest {

  @Test
  void fast_workedExample35_matchesReference() {
    Labels l = Labels.of("__name__", "http_requests_total", "job", "api", "method", "GET");
    assertThat(Fingerprint.fast(l)).isEqualTo(0x417c51668d58e26bL);
  }

  @Test
  void fast_emptyLabels_isOffsetBasis() {
    assertThat(Fingerprint.fast(Labels.EMPTY)).isEqualTo(0xcbf29ce484222325L);
  }

  @Test
  void fast_nonAsciiValue_hashesUtf8Bytes() {
    String v = "h\u00e9llo \u65e5\u672c \ud83d\ude80";
    Labels l = Labels.of("a", v);
    long h = Fingerprint.OFFSET64;
    for (byte b : ("a\u0000" + v).getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b == 0 ? 0xff : b & 0xff)) * Fingerprint.PRIME64;
    }
    assertThat(Fingerprint.fast(l)).isEqualTo(h);
  }

  @Property(tries = 200)
  void fast_anyStrings_equalsByteWiseFnv1a(@ForAll String name, @ForAll String value) {
    String n = "n" + name.replace('\u0000', 'x');
    String v = "v" + value.replace('\u0000', 'x');
    long h = Fingerprint.OFFSET64;
    byte[] nb = n.getBytes(StandardCharsets.UTF_8);
    byte[] vb = v.getBytes(StandardCharsets.UTF_8);
    for (byte b : nb) {
      h = (h ^ (b & 0xff)) * Fingerprint.PRIME64;
    }
    h = (h ^ 0xff) * Fingerprint.PRIME64;
    for (byte b : vb) {
      h = (h ^ (b & 0xff)) * Fingerprint.PRIME64;
    }
    assertThat(Fingerprint.fast(Labels.of(n, v))).isEqualTo(h);
  }
}
