package io.theseus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedInputStream;
import io.theseus.chunk.XorIterator;
import io.theseus.model.Labels;
import io.theseus.proto.Remote;
import io.theseus.proto.Types;
import io.theseus.query.MemoryQueryable;
import io.theseus.query.Series;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RemoteReadTest {
  /** Parses a streamed response, checking every frame's CRC-32C. */
  static List<Remote.ChunkedReadResponse> frames(byte[] body) throws IOException {
    List<Remote.ChunkedReadResponse> out = new ArrayList<>();
    ByteArrayInputStream in = new ByteArrayInputStream(body);
    while (in.available() > 0) {
      int len = CodedInputStream.readRawVarint32(in.read(), in);
      byte[] crc = in.readNBytes(4);
      byte[] payload = in.readNBytes(len);
      assertThat(payload).hasSize(len);
      CRC32C c = new CRC32C();
      c.update(payload);
      long want =
          ((crc[0] & 0xffL) << 24)
              | ((crc[1] & 0xffL) << 16)
              | ((crc[2] & 0xffL) << 8)
              | (crc[3] & 0xffL);
      assertThat(c.getValue()).isEqualTo(want);
      out.add(Remote.ChunkedReadResponse.parseFrom(payload));
    }
    return out;
  }

  static byte[] request(boolean chunked, long start, long end, String name) {
    Remote.ReadRequest.Builder b =
        Remote.ReadRequest.newBuilder()
            .addQueries(
                Remote.Query.newBuilder()
                    .setStartTimestampMs(start)
                    .setEndTimestampMs(end)
                    .addMatchers(
                        Types.LabelMatcher.newBuilder().setName("__name__").setValue(name)));
    if (chunked) {
      b.addAcceptedResponseTypes(Remote.ReadRequest.ResponseType.STREAMED_XOR_CHUNKS);
    }
    return ApiTestServer.snappy(b.build().toByteArray());
  }

  /** Streamed chunks decode back to exactly the samples in range, stale markers included. */
  @Property(tries = 30)
  void streamedChunks_roundTripSamples(
      @ForAll @IntRange(min = 1, max = 700) int n, @ForAll @IntRange(min = 0, max = 50) int skip)
      throws IOException {
    MemoryQueryable m = new MemoryQueryable();
    Labels l = Labels.of("__name__", "m", "k", "v");
    for (int i = 0; i < n; i++) {
      m.append(l, 1000L * i, i % 7 == 3 ? Series.staleNaN() : Math.sin(i) * 1e3);
    }
    RemoteRead.Reply r = RemoteRead.handle(request(true, 1000L * skip, 1000L * n, "m"), m, 0);
    assertThat(r.status()).isEqualTo(200);
    List<Long> ts = new ArrayList<>();
    List<Long> bits = new ArrayList<>();
    for (Remote.ChunkedReadResponse f : frames(r.body())) {
      assertThat(f.getQueryIndex()).isZero();
      for (Types.ChunkedSeries cs : f.getChunkedSeriesList()) {
        for (Types.Chunk c : cs.getChunksList()) {
          assertThat(c.getType()).isEqualTo(Types.Chunk.Encoding.XOR);
          XorIterator it = new XorIterator().reset(c.getData().toByteArray());
          while (it.next()) {
            ts.add(it.timestamp());
            bits.add(it.valueBits());
          }
          assertThat(ts.get(ts.size() - 1)).isEqualTo(c.getMaxTimeMs());
        }
      }
    }
    List<Long> wantTs = new ArrayList<>();
    List<Long> wantBits = new ArrayList<>();
    for (int i = skip; i < n; i++) {
      wantTs.add(1000L * i);
      wantBits.add(Double.doubleToRawLongBits(i % 7 == 3 ? Series.staleNaN() : Math.sin(i) * 1e3));
    }
    assertThat(ts).isEqualTo(wantTs);
    assertThat(bits).isEqualTo(wantBits);
  }

  @Test
  void corruptBody_is400() {
    RemoteRead.Reply r =
        RemoteRead.handle("nonsense".getBytes(StandardCharsets.UTF_8), new MemoryQueryable(), 0);
    assertThat(r.status()).isEqualTo(400);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("snappy");
  }

  @Test
  void sampleLimit_is400WithPrometheusText() {
    MemoryQueryable m = new MemoryQueryable();
    for (int i = 0; i < 10; i++) {
      m.append(Labels.of("__name__", "m"), i, i);
    }
    RemoteRead.Reply r = RemoteRead.handle(request(false, 0, 100, "m"), m, 5);
    assertThat(r.status()).isEqualTo(400);
    assertThat(new String(r.body(), StandardCharsets.UTF_8))
        .isEqualTo("exceeded sample limit (5)\n");
  }

  @Test
  void samples_clipToTheQueryRange() throws IOException {
    MemoryQueryable m = new MemoryQueryable();
    for (int i = 0; i < 10; i++) {
      m.append(Labels.of("__name__", "m"), i * 10L, i);
    }
    RemoteRead.Reply r = RemoteRead.handle(request(false, 15, 45, "m"), m, 0);
    Remote.ReadResponse resp = Remote.ReadResponse.parseFrom(RemoteRead.decompress(r.body()));
    assertThat(resp.getResults(0).getTimeseries(0).getSamplesList())
        .extracting(Types.Sample::getTimestamp)
        .containsExactly(20L, 30L, 40L);
  }
}
