package io.theseus.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.airlift.compress.snappy.SnappyCompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.theseus.chunk.XorChunk;
import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import io.theseus.proto.Remote;
import io.theseus.proto.Types;
import io.theseus.query.Queryable;
import io.theseus.query.Series;
import io.theseus.query.SeriesSet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Remote read ({@code POST /api/v1/read}): a snappy block-compressed {@code prometheus.ReadRequest}
 * in, either response type out.
 *
 * <ul>
 *   <li>{@code SAMPLES}: one snappy-compressed {@code ReadResponse} ({@code Content-Type:
 *       application/x-protobuf}, {@code Content-Encoding: snappy}), one {@code QueryResult} per
 *       query in request order, series sorted by labels, samples in [start, end] sorted by time.
 *   <li>{@code STREAMED_XOR_CHUNKS}: {@code Content-Type: application/x-streamed-protobuf;
 *       proto=prometheus.ChunkedReadResponse}, not compressed; a sequence of frames
 *       <pre>
 * uvarint  payload length
 * uint32   CRC-32C (Castagnoli) of the payload, big-endian
 * bytes    payload: ChunkedReadResponse{chunked_series = [one series], query_index}
 *       </pre>
 *       one series per frame (a series is split over several frames when its chunks exceed {@link
 *       #MAX_BYTES_IN_FRAME}); chunks are Prometheus XOR chunks of at most {@link
 *       #SAMPLES_PER_CHUNK} samples, in time order.
 * </ul>
 *
 * The type is the first of {@code accepted_response_types} this server supports (both are), empty
 * meaning SAMPLES. Errors are plain text: 400 for a corrupt body, bad matcher or the sample limit
 * ({@code exceeded sample limit (N)}, as Prometheus), 500 otherwise. Stateless; thread-safe.
 */
final class RemoteRead {
  static final String CT_SAMPLES = "application/x-protobuf";
  static final String CT_CHUNKED =
      "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse";
  static final int MAX_BYTES_IN_FRAME = 1 << 20;
  static final int SAMPLES_PER_CHUNK = 120;
  static final int MAX_REQUEST_BYTES = 32 << 20;

  /** An HTTP answer; {@code contentEncoding} may be null. */
  record Reply(int status, String contentType, String contentEncoding, byte[] body) {
    static Reply text(int status, String msg) {
      return new Reply(
          status,
          "text/plain; charset=utf-8",
          null,
          (msg + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private RemoteRead() {}

  static Reply handle(byte[] compressed, Queryable q, long sampleLimit) {
    Remote.ReadRequest req;
    try {
      req = Remote.ReadRequest.parseFrom(decompress(compressed));
    } catch (IOException | RuntimeException e) {
      return Reply.text(400, e.getMessage());
    }
    boolean chunked = false;
    for (Remote.ReadRequest.ResponseType t : req.getAcceptedResponseTypesList()) {
      if (t == Remote.ReadRequest.ResponseType.SAMPLES) {
        break;
      }
      if (t == Remote.ReadRequest.ResponseType.STREAMED_XOR_CHUNKS) {
        chunked = true;
        break;
      }
    }
    if (!req.getAcceptedResponseTypesList().isEmpty()
        && !chunked
        && !req.getAcceptedResponseTypesList().contains(Remote.ReadRequest.ResponseType.SAMPLES)) {
      return Reply.text(
          400,
          "none of the accepted response types is supported: "
              + req.getAcceptedResponseTypesValueList());
    }
    List<SeriesSet> results = new ArrayList<>(req.getQueriesCount());
    long samples = 0;
    for (Remote.Query query : req.getQueriesList()) {
      List<Matcher> ms = new ArrayList<>(query.getMatchersCount());
      try {
        for (Types.LabelMatcher m : query.getMatchersList()) {
          ms.add(Matcher.of(type(m.getType()), m.getName(), m.getValue()));
        }
      } catch (IllegalArgumentException e) {
        return Reply.text(400, e.getMessage());
      }
      Types.ReadHints h = query.getHints();
      long start = query.getStartTimestampMs();
      long end = query.getEndTimestampMs();
      SeriesSet s =
          q.select(
              start,
              end,
              ms,
              new Queryable.Hints(
                  h.getStartMs(), h.getEndMs(), h.getStepMs(), h.getRangeMs(), h.getFunc()));
      List<Series> clipped = new ArrayList<>(s.series().size());
      for (Series x : s.series()) {
        Series c = clip(x, start, end);
        if (c.size() > 0) {
          samples += c.size();
          clipped.add(c);
        }
      }
      if (sampleLimit > 0 && samples > sampleLimit) {
        return Reply.text(400, "exceeded sample limit (" + sampleLimit + ")");
      }
      results.add(new SeriesSet(clipped, s.warnings()));
    }
    return chunked ? chunkedReply(results) : samplesReply(results);
  }

  private static Matcher.Type type(Types.LabelMatcher.Type t) {
    return switch (t) {
      case EQ -> Matcher.Type.EQ;
      case NEQ -> Matcher.Type.NEQ;
      case RE -> Matcher.Type.RE;
      case NRE -> Matcher.Type.NRE;
      default -> throw new IllegalArgumentException("unknown matcher type " + t);
    };
  }

  private static Series clip(Series s, long start, long end) {
    int from = 0;
    while (from < s.size() && s.timestamps()[from] < start) {
      from++;
    }
    int to = s.size();
    while (to > from && s.timestamps()[to - 1] > end) {
      to--;
    }
    if (from == 0 && to == s.size()) {
      return s;
    }
    return new Series(
        s.labels(),
        Arrays.copyOfRange(s.timestamps(), from, to),
        Arrays.copyOfRange(s.values(), from, to),
        to - from);
  }

  private static List<Types.Label> labels(Labels l) {
    List<Types.Label> out = new ArrayList<>(l.size());
    for (int i = 0; i < l.size(); i++) {
      out.add(Types.Label.newBuilder().setName(l.name(i)).setValue(l.value(i)).build());
    }
    return out;
  }

  private static Reply samplesReply(List<SeriesSet> results) {
    Remote.ReadResponse.Builder rb = Remote.ReadResponse.newBuilder();
    for (SeriesSet s : results) {
      Remote.QueryResult.Builder qb = Remote.QueryResult.newBuilder();
      for (Series x : s.series()) {
        Types.TimeSeries.Builder tb =
            Types.TimeSeries.newBuilder().addAllLabels(labels(x.labels()));
        for (int i = 0; i < x.size(); i++) {
          tb.addSamples(
              Types.Sample.newBuilder().setTimestamp(x.timestamps()[i]).setValue(x.values()[i]));
        }
        qb.addTimeseries(tb);
      }
      rb.addResults(qb);
    }
    return new Reply(200, CT_SAMPLES, "snappy", compress(rb.build().toByteArray()));
  }

  private static Reply chunkedReply(List<SeriesSet> results) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    XorChunk chunk = new XorChunk();
    for (int qi = 0; qi < results.size(); qi++) {
      for (Series x : results.get(qi).series()) {
        List<Types.Label> ls = labels(x.labels());
        Types.ChunkedSeries.Builder cs = Types.ChunkedSeries.newBuilder().addAllLabels(ls);
        int frameBytes = 0;
        for (int i = 0; i < x.size(); i += SAMPLES_PER_CHUNK) {
          int to = Math.min(x.size(), i + SAMPLES_PER_CHUNK);
          chunk.reset();
          for (int k = i; k < to; k++) {
            chunk.append(x.timestamps()[k], x.values()[k]);
          }
          byte[] data = chunk.bytes();
          cs.addChunks(
              Types.Chunk.newBuilder()
                  .setMinTimeMs(x.timestamps()[i])
                  .setMaxTimeMs(x.timestamps()[to - 1])
                  .setType(Types.Chunk.Encoding.XOR)
                  .setData(ByteString.copyFrom(data)));
          frameBytes += data.length;
          if (frameBytes >= MAX_BYTES_IN_FRAME && to < x.size()) {
            frame(out, cs.build(), qi);
            cs = Types.ChunkedSeries.newBuilder().addAllLabels(ls);
            frameBytes = 0;
          }
        }
        frame(out, cs.build(), qi);
      }
    }
    return new Reply(200, CT_CHUNKED, null, out.toByteArray());
  }

  /** Appends one frame: uvarint length, big-endian CRC-32C, payload. */
  static void frame(ByteArrayOutputStream out, Types.ChunkedSeries series, long queryIndex) {
    byte[] payload =
        Remote.ChunkedReadResponse.newBuilder()
            .addChunkedSeries(series)
            .setQueryIndex(queryIndex)
            .build()
            .toByteArray();
    try {
      CodedOutputStream cos = CodedOutputStream.newInstance(out);
      cos.writeUInt32NoTag(payload.length);
      cos.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    CRC32C crc = new CRC32C();
    crc.update(payload);
    long c = crc.getValue();
    out.write((int) (c >>> 24));
    out.write((int) (c >>> 16));
    out.write((int) (c >>> 8));
    out.write((int) c);
    out.writeBytes(payload);
  }

  static byte[] decompress(byte[] in) throws IOException {
    long n = declaredLength(in);
    if (n < 0) {
      throw new IOException("snappy: corrupt input");
    }
    if (n > MAX_REQUEST_BYTES) {
      throw new IOException("decoded request of " + n + " bytes exceeds " + MAX_REQUEST_BYTES);
    }
    byte[] out = new byte[(int) n];
    try {
      int got = new SnappyDecompressor().decompress(in, 0, in.length, out, 0, out.length);
      if (got != n) {
        throw new IOException("snappy: corrupt input");
      }
    } catch (RuntimeException e) {
      throw new IOException("snappy: corrupt input: " + e.getMessage());
    }
    return out;
  }

  private static long declaredLength(byte[] in) {
    long result = 0;
    for (int i = 0, shift = 0; i < in.length && shift < 35; i++, shift += 7) {
      byte x = in[i];
      result |= (long) (x & 0x7f) << shift;
      if (x >= 0) {
        return result <= Integer.MAX_VALUE ? result : -1;
      }
    }
    return -1;
  }

  static byte[] compress(byte[] raw) {
    SnappyCompressor c = new SnappyCompressor();
    byte[] dst = new byte[c.maxCompressedLength(raw.length)];
    int n = c.compress(raw, 0, raw.length, dst, 0, dst.length);
    return Arrays.copyOf(dst, n);
  }
}
