package io.theseus.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One decoded remote-write request, held as offsets into the decompressed body and primitive
 * arrays, reused from request to request (no allocation per sample or per series once grown).
 *
 * <p>Series {@code i} owns labels {@code [labelStart[i], labelEnd[i])} and samples {@code
 * [sampleStart[i], sampleEnd[i])}. A label is four ints: name offset/length and value
 * offset/length in {@link #buf}. RW 2.0 symbol references are resolved to the same form while
 * decoding, so later stages do not care about the wire version.
 *
 * <p>Threading: confined to one thread at a time (one instance per worker thread).
 */
final class WriteBatch {
  byte[] buf = new byte[0];
  boolean v2;

  int series;
  int[] labelStart = new int[64];
  int[] labelEnd = new int[64];
  int[] sampleStart = new int[64];
  int[] sampleEnd = new int[64];
  int[] histograms = new int[64];
  int[] exemplars = new int[64];
  /** RW 2.0 per-series metadata: type, help symbol, unit symbol; -1 type when absent. */
  int[] seriesMetaType = new int[64];

  int[] seriesMetaHelp = new int[64];
  int[] seriesMetaUnit = new int[64];

  int labels;
  int[] nameOff = new int[512];
  int[] nameLen = new int[512];
  int[] valueOff = new int[512];
  int[] valueLen = new int[512];

  int samples;
  long[] ts = new long[2048];
  double[] val = new double[2048];

  int totalHistograms;
  int totalExemplars;

  /** RW 1.0 metadata entries: type, family name, help, unit (offsets/lengths). */
  int metadata;

  int[] metaType = new int[16];
  int[] metaNameOff = new int[16];
  int[] metaNameLen = new int[16];
  int[] metaHelpOff = new int[16];
  int[] metaHelpLen = new int[16];
  int[] metaUnitOff = new int[16];
  int[] metaUnitLen = new int[16];

  /** RW 2.0 symbols. */
  int symbols;

  int[] symOff = new int[256];
  int[] symLen = new int[256];

  void reset(byte[] body, boolean isV2) {
    buf = body;
    v2 = isV2;
    series = 0;
    labels = 0;
    samples = 0;
    totalHistograms = 0;
    totalExemplars = 0;
    metadata = 0;
    symbols = 0;
  }

  int addSeries() {
    if (series == labelStart.length) {
      int n = series * 2;
      labelStart = Arrays.copyOf(labelStart, n);
      labelEnd = Arrays.copyOf(labelEnd, n);
      sampleStart = Arrays.copyOf(sampleStart, n);
      sampleEnd = Arrays.copyOf(sampleEnd, n);
      histograms = Arrays.copyOf(histograms, n);
      exemplars = Arrays.copyOf(exemplars, n);
      seriesMetaType = Arrays.copyOf(seriesMetaType, n);
      seriesMetaHelp = Arrays.copyOf(seriesMetaHelp, n);
      seriesMetaUnit = Arrays.copyOf(seriesMetaUnit, n);
    }
    int i = series++;
    labelStart[i] = labels;
    labelEnd[i] = labels;
    sampleStart[i] = samples;
    sampleEnd[i] = samples;
    histograms[i] = 0;
    exemplars[i] = 0;
    seriesMetaType[i] = -1;
    seriesMetaHelp[i] = 0;
    seriesMetaUnit[i] = 0;
    return i;
  }

  void addLabel(int no, int nl, int vo, int vl) {
    if (labels == nameOff.length) {
      int n = labels * 2;
      nameOff = Arrays.copyOf(nameOff, n);
      nameLen = Arrays.copyOf(nameLen, n);
      valueOff = Arrays.copyOf(valueOff, n);
      valueLen = Arrays.copyOf(valueLen, n);
    }
    nameOff[labels] = no;
    nameLen[labels] = nl;
    valueOff[labels] = vo;
    valueLen[labels] = vl;
    labels++;
  }

  void addSample(long t, double v) {
    if (samples == ts.length) {
      ts = Arrays.copyOf(ts, samples * 2);
      val = Arrays.copyOf(val, samples * 2);
    }
    ts[samples] = t;
    val[samples] = v;
    samples++;
  }

  void addSymbol(int off, int len) {
    if (symbols == symOff.length) {
      symOff = Arrays.copyOf(symOff, symbols * 2);
      symLen = Arrays.copyOf(symLen, symbols * 2);
    }
    symOff[symbols] = off;
    symLen[symbols] = len;
    symbols++;
  }

  void addMetadata(int type, int no, int nl, int ho, int hl, int uo, int ul) {
    if (metadata == metaType.length) {
      int n = metadata * 2;
      metaType = Arrays.copyOf(metaType, n);
      metaNameOff = Arrays.copyOf(metaNameOff, n);
      metaNameLen = Arrays.copyOf(metaNameLen, n);
      metaHelpOff = Arrays.copyOf(metaHelpOff, n);
      metaHelpLen = Arrays.copyOf(metaHelpLen, n);
      metaUnitOff = Arrays.copyOf(metaUnitOff, n);
      metaUnitLen = Arrays.copyOf(metaUnitLen, n);
    }
    metaType[metadata] = type;
    metaNameOff[metadata] = no;
    metaNameLen[metadata] = nl;
    metaHelpOff[metadata] = ho;
    metaHelpLen[metadata] = hl;
    metaUnitOff[metadata] = uo;
    metaUnitLen[metadata] = ul;
    metadata++;
  }

  /** Swaps labels {@code a} and {@code b} (used to sort a series' labels in place). */
  void swapLabels(int a, int b) {
    int t = nameOff[a];
    nameOff[a] = nameOff[b];
    nameOff[b] = t;
    t = nameLen[a];
    nameLen[a] = nameLen[b];
    nameLen[b] = t;
    t = valueOff[a];
    valueOff[a] = valueOff[b];
    valueOff[b] = t;
    t = valueLen[a];
    valueLen[a] = valueLen[b];
    valueLen[b] = t;
  }

  /** Unsigned byte comparison of the names of labels {@code a} and {@code b}. */
  int compareNames(int a, int b) {
    return Arrays.compareUnsigned(
        buf, nameOff[a], nameOff[a] + nameLen[a], buf, nameOff[b], nameOff[b] + nameLen[b]);
  }

  String string(int off, int len) {
    return new String(buf, off, len, StandardCharsets.UTF_8);
  }

  String name(int label) {
    return string(nameOff[label], nameLen[label]);
  }

  String value(int label) {
    return string(valueOff[label], valueLen[label]);
  }

  /** True if label {@code l}'s name equals the ASCII string {@code s}. */
  boolean nameIs(int l, byte[] s) {
    return Arrays.equals(buf, nameOff[l], nameOff[l] + nameLen[l], s, 0, s.length);
  }

  /** The label index of {@code name} in series {@code i}, or -1. */
  int labelIndex(int i, byte[] name) {
    for (int l = labelStart[i]; l < labelEnd[i]; l++) {
      if (nameIs(l, name)) {
        return l;
      }
    }
    return -1;
  }

  /** Removes label {@code name} from every series (order of the others kept). */
  void dropLabel(byte[] name) {
    for (int i = 0; i < series; i++) {
      int l = labelIndex(i, name);
      if (l >= 0) {
        for (int k = l; k + 1 < labelEnd[i]; k++) {
          swapLabels(k, k + 1);
        }
        labelEnd[i]--;
      }
    }
  }

  /** The value of {@code __name__} in series {@code i} as a label index, or -1. */
  int metricNameLabel(int i) {
    for (int l = labelStart[i]; l < labelEnd[i]; l++) {
      if (nameIs(l, METRIC_NAME)) {
        return l;
      }
    }
    return -1;
  }

  /** Prometheus text form of series {@code i}, for error messages (allocates). */
  String seriesString(int i) {
    StringBuilder sb = new StringBuilder();
    int m = metricNameLabel(i);
    if (m >= 0) {
      sb.append(value(m));
    }
    sb.append('{');
    boolean first = true;
    for (int l = labelStart[i]; l < labelEnd[i]; l++) {
      if (l == m) {
        continue;
      }
      if (!first) {
        sb.append(", ");
      }
      first = false;
      sb.append(name(l)).append('=');
      io.theseus.model.GoQuote.appendQuoted(sb, value(l));
    }
    return sb.append('}').toString();
  }

  static final byte[] METRIC_NAME = "__name__".getBytes(StandardCharsets.US_ASCII);
}
