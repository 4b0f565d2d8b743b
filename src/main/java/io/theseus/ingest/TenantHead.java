package io.theseus.ingest;

import io.theseus.chunk.BigChunk;
import io.theseus.chunk.BigChunkIterator;
import io.theseus.chunk.SampleIterator;
import io.theseus.chunk.XorChunk;
import io.theseus.chunk.XorIterator;
import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory head of one tenant: series keyed by fingerprint with Cortex {@code fpMapper}
 * semantics, an inverted label index, per-metric series counts, metadata and the ingestion rate
 * bucket.
 *
 * <p>Fingerprints: the raw fingerprint is Cortex's FastFingerprint (XOR over labels of
 * FNV-1a-64(name 0xFF value)). The first series with a raw fingerprint above 2^20 keeps it; a
 * second label set with the same raw fingerprint (a collision), or a raw fingerprint in the
 * reserved range 0..2^20, gets the next synthetic fingerprint counting up from 1, as Cortex's
 * mapper does. Mapped fingerprints are logged in the WAL so replay restores them exactly.
 *
 * <p>Threading: all methods except the metadata map and the bucket require the instance lock
 * ({@code synchronized (head)}); the ingester takes it once per request.
 */
final class TenantHead {
  static final long MAX_MAPPED_FP = 1L << 20;

  final String tenant;
  final TokenBucket bucket;
  final FpMap byRawFp = new FpMap();
  final SeriesSet all = new SeriesSet();
  final Map<String, Map<String, SeriesSet>> postings = new HashMap<>();
  final Map<String, int[]> perMetric = new HashMap<>();
  final Map<String, MetricMetadata> metadata = new ConcurrentHashMap<>();
  long nextSyntheticFp = 1;


  TenantHead(String tenant, TokenBucket bucket) {
    this.tenant = tenant;
    this.bucket = bucket;
  }

  int seriesCount() {
    return all.size();
  }

  /** FastFingerprint over the batch's label bytes of series {@code s} (labels normalized). */
  static long fingerprint(WriteBatch b, int s) {
    int start = b.labelStart[s];
    int end = b.labelEnd[s];
    if (start == end) {
      return OFFSET64;
    }
    long result = 0;
    byte[] buf = b.buf;
    for (int l = start; l < end; l++) {
      long h = OFFSET64;
      for (int i = b.nameOff[l], e = i + b.nameLen[l]; i < e; i++) {
        h = (h ^ (buf[i] & 0xff)) * PRIME64;
      }
      h = (h ^ 0xff) * PRIME64;
      for (int i = b.valueOff[l], e = i + b.valueLen[l]; i < e; i++) {
        h = (h ^ (buf[i] & 0xff)) * PRIME64;
      }
      result ^= h;
    }
    return result;
  }

  /** FastFingerprint of a key (same as of its labels). */
  static long fingerprint(byte[] key) {
    if (key.length == 0) {
      return OFFSET64;
    }
    long result = 0;
    long h = OFFSET64;
    boolean inValue = false;
    for (byte x : key) {
      if (x == (byte) 0xff) {
        if (inValue) {
          result ^= h;
          h = OFFSET64;
        } else {
          h = (h ^ 0xff) * PRIME64;
        }
        inValue = !inValue;
      } else {
        h = (h ^ (x & 0xff)) * PRIME64;
      }
    }
    return result;
  }

  static final long OFFSET64 = 0xcbf29ce484222325L;
  static final long PRIME64 = 0x100000001b3L;

  /** True if {@code m}'s key equals series {@code s}'s labels, compared without allocating. */
  static boolean sameLabels(MemSeries m, WriteBatch b, int s) {
    byte[] k = m.key;
    byte[] buf = b.buf;
    int p = 0;
    for (int l = b.labelStart[s]; l < b.labelEnd[s]; l++) {
      int nl = b.nameLen[l];
      int vl = b.valueLen[l];
      if (p + nl + vl + 2 > k.length) {
        return false;
      }
      if (!Arrays.equals(k, p, p + nl, buf, b.nameOff[l], b.nameOff[l] + nl)
          || k[p + nl] != (byte) 0xff) {
        return false;
      }
      p += nl + 1;
      if (!Arrays.equals(k, p, p + vl, buf, b.valueOff[l], b.valueOff[l] + vl)
          || k[p + vl] != (byte) 0xff) {
        return false;
      }
      p += vl + 1;
    }
    return p == k.length;
  }

  static byte[] keyOf(WriteBatch b, int s) {
    int n = 0;
    for (int l = b.labelStart[s]; l < b.labelEnd[s]; l++) {
      n += b.nameLen[l] + b.valueLen[l] + 2;
    }
    byte[] k = new byte[n];
    int p = 0;
    for (int l = b.labelStart[s]; l < b.labelEnd[s]; l++) {
      System.arraycopy(b.buf, b.nameOff[l], k, p, b.nameLen[l]);
      p += b.nameLen[l];
      k[p++] = (byte) 0xff;
      System.arraycopy(b.buf, b.valueOff[l], k, p, b.valueLen[l]);
      p += b.valueLen[l];
      k[p++] = (byte) 0xff;
    }
    return k;
  }

  static byte[] keyOf(Labels labels) {
    StringBuilder unused = null;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < labels.size(); i++) {
      out.writeBytes(labels.name(i).getBytes(StandardCharsets.UTF_8));
      out.write(0xff);
      out.writeBytes(labels.value(i).getBytes(StandardCharsets.UTF_8));
      out.write(0xff);
    }
    return out.toByteArray();
  }

  /** Finds the series of batch series {@code s}, or null. No allocation. */
  MemSeries find(WriteBatch b, int s, long rawFp) {
    for (MemSeries m = byRawFp.get(rawFp); m != null; m = m.collisionNext) {
      if (sameLabels(m, b, s)) {
        return m;
      }
    }
    return null;
  }

  /** Finds a series by its key bytes, or null. */
  MemSeries find(byte[] key, long rawFp) {
    for (MemSeries m = byRawFp.get(rawFp); m != null; m = m.collisionNext) {
      if (Arrays.equals(m.key, key)) {
        return m;
      }
    }
    return null;
  }

  /** The fingerprint a new series with {@code rawFp} gets. */
  long mapFingerprint(long rawFp) {
    if (Long.compareUnsigned(rawFp, MAX_MAPPED_FP) <= 0 || byRawFp.get(rawFp) != null) {
      return nextSyntheticFp++;
    }
    return rawFp;
  }

  /** Adds a new series (fingerprint already mapped). */
  void add(MemSeries m, String metricName) {
    MemSeries first = byRawFp.get(m.rawFp);
    if (first == null) {
      byRawFp.put(m.rawFp, m);
    } else {
      while (first.collisionNext != null) {
        first = first.collisionNext;
      }
      first.collisionNext = m;
    }
    if (Long.compareUnsigned(m.fp, MAX_MAPPED_FP) <= 0 && m.fp >= nextSyntheticFp) {
      nextSyntheticFp = m.fp + 1;
    }
    all.add(m);
    Labels ls = m.labels();
    for (int i = 0; i < ls.size(); i++) {
      postings
          .computeIfAbsent(ls.name(i), k -> new HashMap<>())
          .computeIfAbsent(ls.value(i), k -> new SeriesSet())
          .add(m);
    }
    perMetric.computeIfAbsent(metricName, k -> new int[1])[0]++;
  }

  void remove(MemSeries m) {
    MemSeries first = byRawFp.get(m.rawFp);
    if (first == m) {
      byRawFp.put(m.rawFp, m.collisionNext);
    } else {
      for (MemSeries p = first; p != null; p = p.collisionNext) {
        if (p.collisionNext == m) {
          p.collisionNext = m.collisionNext;
          break;
        }
      }
    }
    all.remove(m);
    Labels ls = m.labels();
    for (int i = 0; i < ls.size(); i++) {
      Map<String, SeriesSet> byValue = postings.get(ls.name(i));
      if (byValue != null) {
        SeriesSet set = byValue.get(ls.value(i));
        if (set != null) {
          set.remove(m);
          if (set.size() == 0) {
            byValue.remove(ls.value(i));
          }
        }
        if (byValue.isEmpty()) {
          postings.remove(ls.name(i));
        }
      }
    }
    int[] c = perMetric.get(ls.metricName());
    if (c != null && --c[0] <= 0) {
      perMetric.remove(ls.metricName());
    }
  }

  int metricSeries(String metric) {
    int[] c = perMetric.get(metric);
    return c == null ? 0 : c[0];
  }

  // ---- append ----

  static final int APPENDED = 0;
  static final int DUPLICATE = 1;
  static final int OUT_OF_ORDER = 2;
  static final int NEW_VALUE = 3;

  /**
   * Appends one sample, applying Cortex's spread-flush chunk cut: with max chunk age A, the slot of
   * a series in each A-long cycle is {@code cycleStart + (fp mod A-in-ns) / 1e6} ms, and the open
   * chunk is closed when a sample reaches the slot while the chunk started before it.
   *
   * @return {@link #APPENDED}, {@link #DUPLICATE} (no-op), {@link #OUT_OF_ORDER} or {@link
   *     #NEW_VALUE}
   */
  static int append(MemSeries m, long t, long bits, long nowMs, long maxChunkAgeMs, Runnable onClose) {
    if (t < m.lastT) {
      return OUT_OF_ORDER;
    }
    if (t == m.lastT) {
      if (bits == m.lastBits || (isNaN(bits) && isNaN(m.lastBits))) {
        return DUPLICATE;
      }
      return NEW_VALUE;
    }
    if (m.head != null && m.head.numSamples() > 0 && maxChunkAgeMs > 0) {
      long cycleStart = t - Math.floorMod(t, maxChunkAgeMs);
      long slot =
          cycleStart + Long.remainderUnsigned(m.fp, maxChunkAgeMs * 1_000_000L) / 1_000_000L;
      if (m.head.firstTimestamp() < slot && t >= slot) {
        m.closeHead();
        onClose.run();
      }
    }
    if (m.head == null) {
      m.head = new BigChunk();
    }
    m.head.appendBits(t, bits);
    m.headLastUpdateMs = nowMs;
    m.lastT = t;
    m.lastBits = bits;
    return APPENDED;
  }

  private static boolean isNaN(long bits) {
    return (bits & 0x7ff0000000000000L) == 0x7ff0000000000000L && (bits & 0xfffffffffffffL) != 0;
  }

  // ---- queries ----


  /**
   * Series matching all {@code matchers} with their samples in [from, through] (inclusive).
   *
   * <p>Reads happen under the instance lock, like appends, so the open chunk is read in place: its
   * XOR sub-chunk buffers are decoded directly (no re-encoding of the open chunk per query), sub-
   * chunks wholly outside [from, through] are skipped by their in-memory first/last timestamps, and
   * decoding stops at the first sample after {@code through}. Closed chunks are decoded from their
   * bytes up to {@code through}. Samples go into one scratch buffer pair per call and are copied
   * out once per series; the iterators are reused (no per-sample allocation).
   */
  List<HeadSeries> select(List<Matcher> matchers, long from, long through) {
    SeriesSet candidates = all;
    for (Matcher mt : matchers) {
      if (mt.type() == Matcher.Type.EQ && !mt.value().isEmpty()) {
        Map<String, SeriesSet> byValue = postings.get(mt.name());
        SeriesSet set = byValue == null ? null : byValue.get(mt.value());
        if (set == null) {
          return List.of();
        }
        if (set.size() < candidates.size()) {
          candidates = set;
        }
      }
    }
    List<HeadSeries> out = new ArrayList<>();
    Collector col = new Collector(from, through);
    candidates.forEach(
        m -> {
          Labels ls = m.labels();
          for (Matcher mt : matchers) {
            if (!mt.matches(ls.get(mt.name()))) {
              return;
            }
          }
          col.n = 0;
          for (MemSeries.Closed c = m.closed; c != null; c = c.next) {
            if (c.through < from || c.from > through) {
              continue;
            }
            col.drain(col.big.reset(c.data, 0, c.data.length));
          }
          BigChunk h = m.head;
          if (h != null && h.numSamples() > 0 && h.lastTimestamp() >= from
              && h.firstTimestamp() <= through) {
            for (int i = 0; i < h.numSubChunks(); i++) {
              XorChunk sub = h.subChunk(i);
              if (sub.numSamples() == 0 || sub.lastTimestamp() < from) {
                continue;
              }
              if (sub.firstTimestamp() > through) {
                break;
              }
              col.drain(sub.iterateInPlace(col.xor));
            }
          }
          if (col.n > 0) {
            out.add(
                new HeadSeries(
                    ls, m.fp, Arrays.copyOf(col.ts, col.n), Arrays.copyOf(col.vs, col.n)));
          }
        });
    out.sort((a, b) -> a.labels().compareTo(b.labels()));
    return out;
  }

  /** Per-select scratch: reusable iterators and a growable sample buffer pair. */
  private static final class Collector {
    final long from;
    final long through;
    final BigChunkIterator big = new BigChunkIterator();
    final XorIterator xor = new XorIterator();
    long[] ts = new long[256];
    double[] vs = new double[256];
    int n;

    Collector(long from, long through) {
      this.from = from;
      this.through = through;
    }

    /** Appends the iterator's samples in [from, through]; stops after {@code through}. */
    void drain(SampleIterator it) {
      while (it.next()) {
        long t = it.timestamp();
        if (t < from) {
          continue;
        }
        if (t > through) {
          return;
        }
        if (n == ts.length) {
          ts = Arrays.copyOf(ts, n * 2);
          vs = Arrays.copyOf(vs, n * 2);
        }
        ts[n] = t;
        vs[n++] = it.value();
      }
    }
  }

  /** Writes this tenant's series and unflushed samples as WAL records (for checkpoints). */
  void checkpoint(Wal.RecordSink sink) throws java.io.IOException {
    List<MemSeries> list = new ArrayList<>();
    all.forEach(list::add);
    byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
    for (MemSeries m : list) {
      ByteBuffer sb = ByteBuffer.allocate(8 + 8 + 2 + t.length + 4 + m.key.length);
      sb.putLong(m.ref).putLong(m.fp).putShort((short) t.length).put(t).putInt(m.key.length)
          .put(m.key).flip();
      sink.record(Wal.SERIES, sb);
      ByteBuffer samples = ByteBuffer.allocate(24 * 1024);
      for (MemSeries.Closed c = m.closed; c != null; c = c.next) {
        if (!c.flushed) {
          samples = dump(c.data, m.ref, samples, sink);
        }
      }
      if (m.head != null && m.head.numSamples() > 0) {
        samples = dump(m.head.encode(), m.ref, samples, sink);
      }
      if (samples.position() > 0) {
        samples.flip();
        sink.record(Wal.SAMPLES, samples);
      }
    }
  }

  private static ByteBuffer dump(byte[] data, long ref, ByteBuffer buf, Wal.RecordSink sink)
      throws java.io.IOException {
    var it = BigChunk.iterator(data);
    while (it.next()) {
      if (!buf.hasRemaining()) {
        buf.flip();
        sink.record(Wal.SAMPLES, buf);
        buf = ByteBuffer.allocate(24 * 1024);
      }
      buf.putLong(ref).putLong(it.timestamp()).putLong(it.valueBits());
    }
    return buf;
  }
}
