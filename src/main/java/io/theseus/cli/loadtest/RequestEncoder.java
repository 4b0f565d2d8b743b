package io.theseus.cli.loadtest;

import io.airlift.compress.snappy.SnappyCompressor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Encodes a {@link Batch} as a snappy-block-compressed remote-write request without per-sample
 * allocation: label encodings are cached per slot (re-encoded only when churn changes the
 * series), buffers are reused. One instance per shard thread.
 *
 * <p>RW 1.0 ({@code prometheus.WriteRequest}), one TimeSeries per sample as Prometheus sends:
 * <pre>
 * WriteRequest  | 0x0A len TimeSeries ...
 * TimeSeries    | (0x0A len Label)* 0x12 len Sample
 * Label         | 0x0A len name 0x12 len value
 * Sample        | 0x09 value:fixed64-LE 0x10 timestamp:varint
 * </pre>
 * RW 2.0 ({@code io.prometheus.write.v2.Request}), symbols per request, "" first:
 * <pre>
 * Request       | (0x22 len symbol)* (0x2A len TimeSeries)*
 * TimeSeries    | 0x0A len labels_refs:packed-varint 0x12 len Sample 0x2A 0x02 0x08 type
 * Sample        | 0x09 value:fixed64-LE 0x10 timestamp:varint
 * </pre>
 */
final class RequestEncoder {
  private final SeriesModel model;
  private final Workload.Protocol protocol;
  private final int replicas;
  private final SnappyCompressor snappy = new SnappyCompressor();
  private final ProtoOut raw = new ProtoOut(1 << 16);
  private final ProtoOut series = new ProtoOut(1 << 16);
  byte[] compressed = new byte[1 << 16];
  int compressedLen;
  long rawBytes;

  // RW1 cache: [replica][slot] encoded labels, valid for cachedGen[replica][slot]
  private final byte[][][] labelBytes;
  private final int[][] cachedGen;
  // RW2 cache: [replica][slot] global symbol ids (name,value pairs)
  private final int[][][] labelRefs;
  private final Map<String, Integer> symbolIds = new HashMap<>();
  private byte[][] symbolUtf8 = new byte[256][];
  private int symbolCount;
  private int[] localId = new int[256];
  private int[] stamp = new int[256];
  private int epoch;
  private int[] reqSym = new int[1 << 12];

  RequestEncoder(SeriesModel model) {
    this.model = model;
    this.protocol = model.w.protocol();
    this.replicas = model.w.haReplicas();
    int n = model.n;
    labelBytes = protocol == Workload.Protocol.RW1 ? new byte[replicas][n][] : null;
    labelRefs = protocol == Workload.Protocol.RW2 ? new int[replicas][n][] : null;
    cachedGen = new int[replicas][n];
    for (int[] c : cachedGen) {
      Arrays.fill(c, -1);
    }
    symbol("");
  }

  /** Encodes and compresses; the result is {@code compressed[0..compressedLen)}. */
  void encode(Batch b, int replica) {
    raw.reset();
    if (protocol == Workload.Protocol.RW1) {
      encodeV1(b, replica);
    } else {
      encodeV2(b, replica);
    }
    rawBytes = raw.pos;
    int max = snappy.maxCompressedLength(raw.pos);
    if (compressed.length < max) {
      compressed = new byte[Math.max(max, compressed.length * 2)];
    }
    compressedLen = snappy.compress(raw.buf, 0, raw.pos, compressed, 0, compressed.length);
  }

  private void encodeV1(Batch b, int replica) {
    for (int i = 0; i < b.count; i++) {
      byte[] labels = v1Labels(b.slot[i], b.gen[i], replica);
      long ts = b.ts[i];
      int sampleLen = 1 + 8 + 1 + ProtoOut.varintSize(ts);
      int tsLen = labels.length + 1 + ProtoOut.varintSize(sampleLen) + sampleLen;
      raw.rawByte(0x0A);
      raw.varint(tsLen);
      raw.bytes(labels);
      raw.rawByte(0x12);
      raw.varint(sampleLen);
      raw.rawByte(0x09);
      raw.fixed64(Double.doubleToRawLongBits(b.value[i]));
      raw.rawByte(0x10);
      raw.varint(ts);
    }
  }

  private byte[] v1Labels(int s, int gen, int replica) {
    int r = Math.max(replica, 0);
    if (cachedGen[r][s] == gen) {
      return labelBytes[r][s];
    }
    String[] l = model.labels(s, gen, replicas > 1 ? replica : -1);
    ProtoOut o = new ProtoOut(256);
    for (int i = 0; i < l.length; i += 2) {
      byte[] name = l[i].getBytes(StandardCharsets.UTF_8);
      byte[] value = l[i + 1].getBytes(StandardCharsets.UTF_8);
      int len = 1 + ProtoOut.varintSize(name.length) + name.length + 1
          + ProtoOut.varintSize(value.length) + value.length;
      o.rawByte(0x0A);
      o.varint(len);
      o.lenField(1, name);
      o.lenField(2, value);
    }
    byte[] enc = Arrays.copyOf(o.buf, o.pos);
    labelBytes[r][s] = enc;
    cachedGen[r][s] = gen;
    return enc;
  }

  private void encodeV2(Batch b, int replica) {
    epoch++;
    if (epoch == Integer.MAX_VALUE) {
      Arrays.fill(stamp, 0);
      epoch = 1;
    }
    int nsym = 0;
    series.reset();
    // "" is always local symbol 0
    ensureSymbolArrays();
    stamp[0] = epoch;
    localId[0] = 0;
    reqSym = ensureReq(reqSym, 1);
    reqSym[nsym++] = 0;
    for (int i = 0; i < b.count; i++) {
      int[] refs = v2Refs(b.slot[i], b.gen[i], replica);
      ensureSymbolArrays();
      int refsLen = 0;
      for (int g : refs) {
        if (stamp[g] != epoch) {
          stamp[g] = epoch;
          localId[g] = nsym;
          reqSym = ensureReq(reqSym, nsym + 1);
          reqSym[nsym++] = g;
        }
        refsLen += ProtoOut.varintSize(localId[g]);
      }
      long ts = b.ts[i];
      int sampleLen = 1 + 8 + 1 + ProtoOut.varintSize(ts);
      int tsLen = 1 + ProtoOut.varintSize(refsLen) + refsLen
          + 1 + ProtoOut.varintSize(sampleLen) + sampleLen + 4;
      series.rawByte(0x2A);
      series.varint(tsLen);
      series.rawByte(0x0A);
      series.varint(refsLen);
      for (int g : refs) {
        series.varint(localId[g]);
      }
      series.rawByte(0x12);
      series.varint(sampleLen);
      series.rawByte(0x09);
      series.fixed64(Double.doubleToRawLongBits(b.value[i]));
      series.rawByte(0x10);
      series.varint(ts);
      series.rawByte(0x2A);
      series.rawByte(0x02);
      series.rawByte(0x08);
      series.rawByte(v2Type(model.type(b.slot[i])));
    }
    for (int i = 0; i < nsym; i++) {
      raw.lenField(4, symbolUtf8[reqSym[i]]);
    }
    raw.bytes(series.buf, 0, series.pos);
  }

  private static int[] ensureReq(int[] a, int n) {
    return n <= a.length ? a : Arrays.copyOf(a, Math.max(n, a.length * 2));
  }

  static int v2Type(int type) {
    return switch (type) {
      case SeriesModel.COUNTER -> 1;
      case SeriesModel.HISTOGRAM -> 3;
      default -> 2;
    };
  }

  private void ensureSymbolArrays() {
    if (localId.length < symbolUtf8.length) {
      localId = Arrays.copyOf(localId, symbolUtf8.length);
      stamp = Arrays.copyOf(stamp, symbolUtf8.length);
    }
  }

  private int[] v2Refs(int s, int gen, int replica) {
    int r = Math.max(replica, 0);
    if (cachedGen[r][s] == gen) {
      return labelRefs[r][s];
    }
    String[] l = model.labels(s, gen, replicas > 1 ? replica : -1);
    int[] refs = new int[l.length];
    for (int i = 0; i < l.length; i++) {
      refs[i] = symbol(l[i]);
    }
    labelRefs[r][s] = refs;
    cachedGen[r][s] = gen;
    return refs;
  }

  private int symbol(String s) {
    Integer id = symbolIds.get(s);
    if (id != null) {
      return id;
    }
    if (symbolCount == symbolUtf8.length) {
      symbolUtf8 = Arrays.copyOf(symbolUtf8, symbolCount * 2);
    }
    symbolUtf8[symbolCount] = s.getBytes(StandardCharsets.UTF_8);
    symbolIds.put(s, symbolCount);
    return symbolCount++;
  }
}
