package io.theseus.ingest;

/**
 * Walks the protobuf bytes of a remote-write request directly into a {@link WriteBatch}, without
 * generated classes and without allocating per series or sample. Returns {@link #OK} or
 * {@link #ERROR} and leaves a message in {@link #error()} instead of throwing.
 *
 * <p>RW 1.0 {@code prometheus.WriteRequest}:
 *
 * <pre>
 * WriteRequest  1 timeseries (msg, repeated)   3 metadata (msg, repeated)
 * TimeSeries    1 labels (Label)  2 samples (Sample)  3 exemplars  4 histograms
 * Label         1 name (string)   2 value (string)
 * Sample        1 value (fixed64 double)   2 timestamp (varint int64 ms)
 * MetricMetadata 1 type (varint) 2 metric_family_name 4 help 5 unit
 * </pre>
 *
 * <p>RW 2.0 {@code io.prometheus.write.v2.Request}:
 *
 * <pre>
 * Request     4 symbols (string, repeated; symbols[0] == "")   5 timeseries
 * TimeSeries  1 labels_refs (uint32, packed or not; name/value pairs)  2 samples
 *             3 histograms  4 exemplars  5 metadata
 * Sample      1 value (double)  2 timestamp (int64)  3 start_timestamp (ignored)
 * Metadata    1 type  3 help_ref  4 unit_ref
 * </pre>
 *
 * Unknown fields are skipped by wire type; groups (wire types 3/4) are an error.
 *
 * <p>Threading: one instance per thread.
 */
final class RemoteWriteDecoder {
  static final int OK = 0;
  static final int ERROR = 1;

  private byte[] b;
  private int pos;
  private boolean bad;
  private String error;

  String error() {
    return error;
  }

  /** Decodes {@code body[0, len)} into {@code out}. */
  int decode(byte[] body, int len, boolean v2, WriteBatch out) {
    b = body;
    pos = 0;
    bad = false;
    error = null;
    out.reset(body, v2);
    int r = v2 ? decodeV2(len, out) : decodeV1(len, out);
    if (r != OK || bad) {
      if (error == null) {
        error = "protobuf decode error: truncated or malformed message";
      }
      return ERROR;
    }
    return OK;
  }

  // ---- RW 1.0 ----

  private int decodeV1(int end, WriteBatch out) {
    while (pos < end) {
      int tag = (int) varint(end);
      if (bad) {
        return fail("truncated tag");
      }
      int field = tag >>> 3;
      int wt = tag & 7;
      if (wt == 2 && (field == 1 || field == 3)) {
        int len = length(end);
        if (bad) {
          return fail("truncated length");
        }
        int stop = pos + len;
        if (field == 1) {
          seriesV1(stop, out);
        } else {
          metadataV1(stop, out);
        }
        if (bad) {
          return ERROR;
        }
        pos = stop;
      } else if (!skip(wt, end)) {
        return ERROR;
      }
    }
    return OK;
  }

  private void seriesV1(int end, WriteBatch out) {
    int s = out.addSeries();
    while (pos < end && !bad) {
      int tag = (int) varint(end);
      int field = tag >>> 3;
      int wt = tag & 7;
      if (bad) {
        fail("truncated series");
        return;
      }
      if (wt == 2 && field >= 1 && field <= 4) {
        int len = length(end);
        if (bad) {
          fail("truncated series field");
          return;
        }
        int stop = pos + len;
        switch (field) {
          case 1 -> labelV1(stop, out);
          case 2 -> sample(stop, out);
          case 3 -> {
            out.exemplars[s]++;
            out.totalExemplars++;
          }
          default -> {
            out.histograms[s]++;
            out.totalHistograms++;
          }
        }
        pos = stop;
      } else if (!skip(wt, end)) {
        return;
      }
    }
    out.labelEnd[s] = out.labels;
    out.sampleEnd[s] = out.samples;
  }

  private void labelV1(int end, WriteBatch out) {
    int no = pos;
    int nl = 0;
    int vo = pos;
    int vl = 0;
    while (pos < end && !bad) {
      int tag = (int) varint(end);
      int field = tag >>> 3;
      int wt = tag & 7;
      if (wt == 2 && (field == 1 || field == 2)) {
        int len = length(end);
        if (bad) {
          fail("truncated label");
          return;
        }
        if (field == 1) {
          no = pos;
          nl = len;
        } else {
          vo = pos;
          vl = len;
        }
        pos += len;
      } else if (!skip(wt, end)) {
        return;
      }
    }
    out.addLabel(no, nl, vo, vl);
  }

  private void sample(int end, WriteBatch out) {
    double v = 0;
    long t = 0;
    while (pos < end && !bad) {
      int tag = (int) varint(end);
      int field = tag >>> 3;
      int wt = tag & 7;
      if (field == 1 && wt == 1) {
        if (end - pos < 8) {
          fail("truncated sample value");
          return;
        }
        v = Double.longBitsToDouble(fixed64());
      } else if (field == 2 && wt == 0) {
        t = varint(end);
      } else if (!skip(wt, end)) {
        return;
      }
    }
    if (bad) {
      fail("truncated sample");
      return;
    }
    out.addSample(t, v);
  }

  private void metadataV1(int end, WriteBatch out) {
    int type = 0;
    int no = pos;
    int nl = 0;
    int ho = pos;
    int hl = 0;
    int uo = pos;
    int ul = 0;
    while (pos < end && !bad) {
      int tag = (int) varint(end);
      int field = tag >>> 3;
      int wt = tag & 7;
      if (field == 1 && wt == 0) {
        type = (int) varint(end);
      } else if (wt == 2 && (field == 2 || field == 4 || field == 5)) {
        int len = length(end);
        if (bad) {
          break;
        }
        if (field == 2) {
          no = pos;
          nl = len;
        } else if (field == 4) {
          ho = pos;
          hl = len;
        } else {
          uo = pos;
          ul = len;
        }
        pos += len;
      } else if (!skip(wt, end)) {
        return;
      }
    }
    if (bad) {
      fail("truncated metadata");
      return;
    }
    out.addMetadata(type, no, nl, ho, hl, uo, ul);
  }

  // ---- RW 2.0 ----

  private int decodeV2(int end, WriteBatch out) {
    // Pass 1: symbols (they may in theory follow the series).
    while (pos < end) {
      int tag = (int) varint(end);
      if (bad) {
        return fail("truncated tag");
      }
      if (tag == ((4 << 3) | 2)) {
        int len = length(end);
        if (bad) {
          return fail("truncated symbol");
        }
        out.addSymbol(pos, len);
        pos += len;
      } else if (!skip(tag & 7, end)) {
        return ERROR;
      }
    }
    if (out.symbols > 0 && out.symLen[0] != 0) {
      return fail("symbols[0] must be the empty string");
    }
    pos = 0;
    while (pos < end) {
      int tag = (int) varint(end);
      if (tag == ((5 << 3) | 2)) {
        int len = length(end);
        int stop = pos + len;
        seriesV2(stop, out);
        if (bad) {
          return ERROR;
        }
        pos = stop;
      } else if (!skip(tag & 7, end)) {
        return ERROR;
      }
    }
    return OK;
  }

  private void seriesV2(int end, WriteBatch out) {
    int s = out.addSeries();
    int pendingName = -1;
    while (pos < end && !bad) {
      int tag = (int) varint(end);
      int field = tag >>> 3;
      int wt = tag & 7;
      if (bad) {
        fail("truncated series");
        return;
      }
      if (field == 1 && wt == 0) {
        pendingName = labelRef((int) varint(end), pendingName, out);
      } else if (field == 1 && wt == 2) {
        int len = length(end);
        if (bad) {
          fail("truncated labels_refs");
          return;
        }
        int stop = pos + len;
        while (pos < stop && !bad) {
          pendingName = labelRef((int) varint(stop), pendingName, out);
        }
        if (bad) {
          fail("bad labels_refs");
          return;
        }
      } else if (wt == 2 && field >= 2 && field <= 5) {
        int len = length(end);
        if (bad) {
          fail("truncated series field");
          return;
        }
        int stop = pos + len;
        switch (field) {
          case 2 -> sample(stop, out);
          case 3 -> {
            out.histograms[s]++;
            out.totalHistograms++;
          }
          case 4 -> {
            out.exemplars[s]++;
            out.totalExemplars++;
          }
          default -> metadataV2(s, stop, out);
        }
        pos = stop;
      } else if (!skip(wt, end)) {
        return;
      }
    }
    if (bad) {
      return;
    }
    if (pendingName >= 0) {
      fail("labels_refs has an odd length");
      return;
    }
    out.labelEnd[s] = out.labels;
    out.sampleEnd[s] = out.samples;
  }

  private int labelRef(int ref, int pendingName, WriteBatch out) {
    if (bad) {
      return pendingName;
    }
    if (ref < 0 || ref >= out.symbols) {
      fail("labels_refs index " + (ref & 0xffffffffL) + " out of range (" + out.symbols + " symbols)");
      return pendingName;
    }
    if (pendingName < 0) {
      return ref;
    }
    out.addLabel(out.symOff[pendingName], out.symLen[pendingName], out.symOff[ref], out.symLen[ref]);
    return -1;
  }

  private void metadataV2(int s, int end, WriteBatch out) {
    int type = 0;
    int help = 0;
    int unit = 0;
    while (pos < end && !bad) {
      int tag = (int) varint(end);
      int field = tag >>> 3;
      int wt = tag & 7;
      if (wt == 0 && (field == 1 || field == 3 || field == 4)) {
        int v = (int) varint(end);
        if (field == 1) {
          type = v;
        } else if (field == 3) {
          help = v;
        } else {
          unit = v;
        }
      } else if (!skip(wt, end)) {
        return;
      }
    }
    if (bad) {
      fail("truncated metadata");
      return;
    }
    if (help < 0 || help >= Math.max(out.symbols, 1) || unit < 0 || unit >= Math.max(out.symbols, 1)) {
      fail("metadata symbol reference out of range");
      return;
    }
    out.seriesMetaType[s] = type;
    out.seriesMetaHelp[s] = help;
    out.seriesMetaUnit[s] = unit;
  }

  // ---- wire primitives ----

  private long varint(int end) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) {
        bad = true;
        return 0;
      }
      byte x = b[pos++];
      result |= (long) (x & 0x7f) << shift;
      if (x >= 0) {
        return result;
      }
    }
    bad = true;
    return 0;
  }

  private int length(int end) {
    long len = varint(end);
    if (bad || len < 0 || len > end - pos) {
      bad = true;
      return 0;
    }
    return (int) len;
  }

  private long fixed64() {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[pos + i] & 0xffL);
    }
    pos += 8;
    return v;
  }

  private boolean skip(int wt, int end) {
    switch (wt) {
      case 0 -> varint(end);
      case 1 -> {
        if (end - pos < 8) {
          bad = true;
        } else {
          pos += 8;
        }
      }
      case 2 -> {
        int len = length(end);
        pos += len;
      }
      case 5 -> {
        if (end - pos < 4) {
          bad = true;
        } else {
          pos += 4;
        }
      }
      default -> {
        fail("unsupported wire type " + wt + " at offset " + pos);
        return false;
      }
    }
    if (bad) {
      fail("truncated field at offset " + pos);
      return false;
    }
    return true;
  }

  private int fail(String msg) {
    bad = true;
    if (error == null) {
      error = "protobuf decode error: " + msg;
    }
    return ERROR;
  }
}
