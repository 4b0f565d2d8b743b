package io.theseus.cli.loadtest;

import io.airlift.compress.snappy.SnappyCompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.theseus.proto.Remote;
import io.theseus.proto.Types;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads raw samples through remote read ({@code POST <query base>/api/v1/read}, response type
 * SAMPLES, snappy block + protobuf both ways). Unlike the JSON API it carries exact float bits,
 * so NaN payloads compare bitwise ({@link #rawNaN()} is true). Stale markers are returned too.
 */
final class RemoteReadBack implements ReadBack {
  private final HttpClient client;
  private final Target target;

  RemoteReadBack(HttpClient client, Target target) {
    this.client = client;
    this.target = target;
  }

  @Override
  public boolean rawNaN() {
    return true;
  }

  @Override
  public String describe() {
    return target.queryUrl() + "/api/v1/read";
  }

  @Override
  public List<Series> read(String family, long minTs, long maxTs) throws IOException, InterruptedException {
    byte[] req = Remote.ReadRequest.newBuilder()
        .addQueries(Remote.Query.newBuilder()
            .setStartTimestampMs(minTs)
            .setEndTimestampMs(maxTs)
            .addMatchers(Types.LabelMatcher.newBuilder()
                .setType(Types.LabelMatcher.Type.EQ).setName("__name__").setValue(family)))
        .addAcceptedResponseTypes(Remote.ReadRequest.ResponseType.SAMPLES)
        .build()
        .toByteArray();
    SnappyCompressor c = new SnappyCompressor();
    byte[] body = new byte[c.maxCompressedLength(req.length)];
    int len = c.compress(req, 0, req.length, body, 0, body.length);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(describe()))
        .timeout(Duration.ofMinutes(2))
        .header("Content-Encoding", "snappy")
        .header("Content-Type", "application/x-protobuf")
        .header("X-Prometheus-Remote-Read-Version", "0.1.0")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body, 0, len));
    Sender.addAuth(b, target);
    HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() / 100 != 2) {
      throw new IOException("remote read " + describe() + " -> HTTP " + r.statusCode() + ": "
          + new String(r.body(), 0, Math.min(400, r.body().length), StandardCharsets.UTF_8));
    }
    byte[] raw = new byte[SnappyDecompressor.getUncompressedLength(r.body(), 0)];
    new SnappyDecompressor().decompress(r.body(), 0, r.body().length, raw, 0, raw.length);
    List<Series> out = new ArrayList<>();
    for (Remote.QueryResult qr : Remote.ReadResponse.parseFrom(raw).getResultsList()) {
      for (Types.TimeSeries t : qr.getTimeseriesList()) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (Types.Label l : t.getLabelsList()) {
          labels.put(l.getName(), l.getValue());
        }
        long[] ts = new long[t.getSamplesCount()];
        double[] v = new double[ts.length];
        for (int i = 0; i < ts.length; i++) {
          ts[i] = t.getSamples(i).getTimestamp();
          v[i] = t.getSamples(i).getValue();
        }
        out.add(new Series(labels, ts, v));
      }
    }
    return out;
  }
}
