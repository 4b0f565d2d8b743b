package io.theseus.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Validator hardening found by the hostile-input fuzz test (issue 9). */
class ValidatorTest {
  /** A raw RW 1.0 body with one series of byte-level labels and one sample (no UTF-8 checks). */
  static byte[] rawSeries(List<byte[]> names, List<byte[]> values, long t) throws IOException {
    ByteArrayOutputStream series = new ByteArrayOutputStream();
    CodedOutputStream s = CodedOutputStream.newInstance(series);
    for (int i = 0; i < names.size(); i++) {
      ByteArrayOutputStream label = new ByteArrayOutputStream();
      CodedOutputStream l = CodedOutputStream.newInstance(label);
      l.writeByteArray(1, names.get(i));
      l.writeByteArray(2, values.get(i));
      l.flush();
      s.writeByteArray(1, label.toByteArray());
    }
    ByteArrayOutputStream sample = new ByteArrayOutputStream();
    CodedOutputStream sm = CodedOutputStream.newInstance(sample);
    sm.writeDouble(1, 1.0);
    sm.writeInt64(2, t);
    sm.flush();
    s.writeByteArray(2, sample.toByteArray());
    s.flush();
    ByteArrayOutputStream req = new ByteArrayOutputStream();
    CodedOutputStream r = CodedOutputStream.newInstance(req);
    r.writeByteArray(1, series.toByteArray());
    r.flush();
    return req.toByteArray();
  }

  static WriteBatch decode(byte[] body) {
    WriteBatch w = new WriteBatch();
    assertThat(new RemoteWriteDecoder().decode(body, body.length, false, w))
        .isEqualTo(RemoteWriteDecoder.OK);
    return w;
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static boolean strictUtf8(byte[] x) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(x));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  @Provide
  Arbitrary<byte[]> utf8ish() {
    Arbitrary<Byte> bytes = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, Arbitraries.bytes().between((byte) 0x20, (byte) 0x7e)),
        net.jqwik.api.Tuple.of(2, Arbitraries.bytes().between((byte) 0x80, (byte) 0xbf)),
        net.jqwik.api.Tuple.of(2, Arbitraries.bytes().between((byte) 0xc0, (byte) 0xff)));
    Arbitrary<byte[]> valid = Arbitraries.strings().ofMaxLength(8)
        .map(s -> s.getBytes(StandardCharsets.UTF_8));
    return Arbitraries.oneOf(valid, bytes.array(byte[].class).ofMaxSize(8));
  }

  @Property(tries = 2000)
  void validUtf8_agreesWithStrictDecoder(@ForAll("utf8ish") byte[] x) {
    byte[] padded = new byte[x.length + 4];
    System.arraycopy(x, 0, padded, 2, x.length);
    assertThat(Validator.validUtf8(padded, 2, x.length)).as(Arrays.toString(x))
        .isEqualTo(strictUtf8(x));
  }

  @Test
  void validUtf8_edgeCases() {
    assertThat(Validator.validUtf8(b("k\u00fcche \uD83D\uDE00"), 0, 11)).isTrue();
    assertThat(Validator.validUtf8(new byte[] {(byte) 0xff}, 0, 1)).isFalse();
    assertThat(Validator.validUtf8(new byte[] {(byte) 0xc0, (byte) 0x80}, 0, 2)).isFalse();
    assertThat(Validator.validUtf8(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, 0, 3))
        .isFalse();
    assertThat(Validator.validUtf8(new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        0, 4)).isFalse();
    assertThat(Validator.validUtf8(new byte[] {(byte) 0xe2, (byte) 0x82}, 0, 2)).isFalse();
  }

  @Provide
  Arbitrary<List<String>> names() {
    return Arbitraries.strings().withCharRange('a', 'e').ofMinLength(1).ofMaxLength(4).list()
        .ofMaxSize(300);
  }

  @Property(tries = 200)
  void normalize_sortsByNameAtAnySize(@ForAll("names") List<String> names) throws IOException {
    List<byte[]> n = new ArrayList<>();
    List<byte[]> v = new ArrayList<>();
    for (String s : names) {
      n.add(b(s));
      v.add(b("v" + s));
    }
    WriteBatch w = decode(rawSeries(n, v, 1));
    Validator.normalize(w, 0);
    List<String> got = new ArrayList<>();
    for (int l = w.labelStart[0]; l < w.labelEnd[0]; l++) {
      got.add(w.name(l));
      assertThat(w.value(l)).isEqualTo("v" + w.name(l));
    }
    assertThat(got).isEqualTo(names.stream().sorted().toList());
  }

  @Test
  void validate_hundredThousandLabels_rejectedWithBoundedMessage() throws IOException {
    List<byte[]> n = new ArrayList<>();
    List<byte[]> v = new ArrayList<>();
    n.add(b("__name__"));
    v.add(b("many"));
    for (int i = 99_999; i >= 0; i--) {
      n.add(b(String.format("l%05d", i)));
      v.add(b("v"));
    }
    WriteBatch w = decode(rawSeries(n, v, 1));
    Validator val = new Validator();
    assertThat(val.validate(w, 0, Limits.DEFAULTS, 1)).isEqualTo(Reason.MAX_LABEL_NAMES_PER_SERIES);
    assertThat(val.message()).startsWith("series has too many labels (actual: 100001, limit: 30)"
        + " series: 'many{l00000=\"v\", l00001=\"v\"").endsWith("...'");
    assertThat(val.message().length()).isLessThan(Validator.MAX_MESSAGE_SERIES_CHARS + 200);
  }

  @Test
  void validate_invalidUtf8Value_400LabelValueInvalid() throws IOException {
    WriteBatch w = decode(rawSeries(List.of(b("__name__"), b("k")),
        List.of(b("m"), new byte[] {'a', (byte) 0xff, 'j', 'o', 'b'}), 1));
    Validator val = new Validator();
    Reason r = val.validate(w, 0, Limits.DEFAULTS, 1);
    assertThat(r).isEqualTo(Reason.LABEL_VALUE_INVALID);
    assertThat(r.status).isEqualTo(400);
    assertThat(val.message()).contains("not valid UTF-8").contains("\"k\"");
    WriteBatch ok = decode(rawSeries(List.of(b("__name__"), b("k")),
        List.of(b("m"), b("k\u00fcche")), 1));
    assertThat(val.validate(ok, 0, Limits.DEFAULTS, 1)).isNull();
  }
}
