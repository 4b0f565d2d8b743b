package io.theseus.cli.loadtest;

import io.airlift.compress.snappy.SnappyDecompressor;
import io.theseus.proto.Remote;
import io.theseus.proto.Types;
import io.theseus.proto.v2.WriteV2;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Test double of a remote-write server: decodes requests with the generated protobuf classes (an
 * encoder-independent decoder), stores samples per label set, and serves them as a {@link ReadBack}.
 * Rejects a request containing an out-of-order sample with 400, like Prometheus 2.42. Thread-safe
 * (synchronized).
 */
final class MemoryReceiver implements Sender, ReadBack {
  final Map<Map<String, String>, TreeMap<Long, Double>> store = new HashMap<>();

  @Override
  public synchronized Response send(byte[] body, int len, Workload.Protocol protocol) {
    try {
      byte[] raw = new byte[SnappyDecompressor.getUncompressedLength(body, 0)];
      new SnappyDecompressor().decompress(body, 0, len, raw, 0, raw.length);
      List<Map<String, String>> labels = new ArrayList<>();
      List<long[]> ts = new ArrayList<>();
      List<Double> vals = new ArrayList<>();
      if (protocol == Workload.Protocol.RW1) {
        for (Types.TimeSeries t : Remote.WriteRequest.parseFrom(raw).getTimeseriesList()) {
          Map<String, String> l = new LinkedHashMap<>();
          for (Types.Label x : t.getLabelsList()) {
            l.put(x.getName(), x.getValue());
          }
          for (Types.Sample s : t.getSamplesList()) {
            labels.add(l);
            ts.add(new long[] {s.getTimestamp()});
            vals.add(s.getValue());
          }
        }
      } else {
        WriteV2.Request r = WriteV2.Request.parseFrom(raw);
        if (!r.getSymbols(0).isEmpty()) {
          return new Response(400, -1, "symbols[0] must be empty");
        }
        for (WriteV2.TimeSeries t : r.getTimeseriesList()) {
          Map<String, String> l = new LinkedHashMap<>();
          for (int i = 0; i < t.getLabelsRefsCount(); i += 2) {
            l.put(r.getSymbols(t.getLabelsRefs(i)), r.getSymbols(t.getLabelsRefs(i + 1)));
          }
          for (WriteV2.Sample s : t.getSamplesList()) {
            labels.add(l);
            ts.add(new long[] {s.getTimestamp()});
            vals.add(s.getValue());
          }
        }
      }
      for (int i = 0; i < labels.size(); i++) {
        TreeMap<Long, Double> series = store.get(labels.get(i));
        if (series != null && !series.isEmpty() && ts.get(i)[0] < series.lastKey()
            && !series.containsKey(ts.get(i)[0])) {
          return new Response(400, -1, "out of order sample");
        }
      }
      for (int i = 0; i < labels.size(); i++) {
        store.computeIfAbsent(labels.get(i), k -> new TreeMap<>()).put(ts.get(i)[0], vals.get(i));
      }
      return new Response(204, -1, "");
    } catch (Exception e) {
      return new Response(400, -1, e.toString());
    }
  }

  long sampleCount() {
    return store.values().stream().mapToLong(TreeMap::size).sum();
  }

  @Override
  public synchronized List<Series> read(String family, long minTs, long maxTs) {
    List<Series> out = new ArrayList<>();
    for (Map.Entry<Map<String, String>, TreeMap<Long, Double>> e : store.entrySet()) {
      if (!family.equals(e.getKey().get("__name__"))) {
        continue;
      }
      var sub = e.getValue().subMap(minTs, true, maxTs, true);
      long[] ts = new long[sub.size()];
      double[] v = new double[sub.size()];
      int i = 0;
      for (Map.Entry<Long, Double> s : sub.entrySet()) {
        ts[i] = s.getKey();
        v[i++] = s.getValue();
      }
      if (ts.length > 0) {
        out.add(new Series(e.getKey(), ts, v));
      }
    }
    return out;
  }

  @Override
  public boolean rawNaN() {
    return true;
  }

  @Override
  public String describe() {
    return "memory";
  }

  /** A read-back view that applies {@code tamper} to every series read. */
  ReadBack tampered(java.util.function.UnaryOperator<List<Series>> tamper) {
    MemoryReceiver self = this;
    return new ReadBack() {
      @Override
      public List<Series> read(String family, long minTs, long maxTs) {
        return tamper.apply(new ArrayList<>(self.read(family, minTs, maxTs)));
      }

      @Override
      public boolean rawNaN() {
        return true;
      }

      @Override
      public String describe() {
        return "tampered";
      }
    };
  }

  static Series withSamples(Series s, long[] ts, double[] v) {
    return new Series(s.labels(), Arrays.copyOf(ts, ts.length), Arrays.copyOf(v, v.length));
  }
}
