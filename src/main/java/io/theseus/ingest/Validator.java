package io.theseus.ingest;

/**
 * Cortex's distributor-side validation of one series of a {@link WriteBatch} (labels and sample
 * timestamps), done on the raw bytes without allocating unless the series is invalid.
 *
 * <p>Before checking, the series' labels are sorted by name in place (Cortex sorts; senders may
 * not) and labels with empty values are dropped (an empty value is an absent label). Checks in
 * Cortex's order: metric name present and valid, label count, then per label: name valid, name
 * length, value length, duplicate name; then per sample: too old (optional), too new.
 *
 * <p>Stateless apart from the last error message; one instance per thread.
 */
final class Validator {
  private String message;

  String message() {
    return message;
  }

  /** Null when series {@code s} is valid, else the reason (see {@link #message()}). */
  Reason validate(WriteBatch b, int s, Limits limits, long nowMs) {
    normalize(b, s);
    int start = b.labelStart[s];
    int end = b.labelEnd[s];
    int nameLabel = b.metricNameLabel(s);
    if (limits.enforceMetricName()) {
      if (nameLabel < 0) {
        message = "sample missing metric name";
        return Reason.MISSING_METRIC_NAME;
      }
      if (!validMetricName(b.buf, b.valueOff[nameLabel], b.valueLen[nameLabel])) {
        message = "sample invalid metric name: " + quote(b.value(nameLabel));
        return Reason.METRIC_NAME_INVALID;
      }
    }
    int n = end - start;
    if (n > limits.maxLabelNamesPerSeries()) {
      String series = b.seriesString(s);
      if (series.length() > MAX_MESSAGE_SERIES_CHARS) {
        series = series.substring(0, MAX_MESSAGE_SERIES_CHARS) + "...";
      }
      message =
          "series has too many labels (actual: " + n + ", limit: " + limits.maxLabelNamesPerSeries()
              + ") series: '" + series + "'";
      return Reason.MAX_LABEL_NAMES_PER_SERIES;
    }
    for (int l = start; l < end; l++) {
      if (!validLabelName(b.buf, b.nameOff[l], b.nameLen[l])) {
        message = "sample invalid label: " + quote(b.name(l)) + " metric " + quote(b.seriesString(s));
        return Reason.LABEL_INVALID;
      }
      if (b.nameLen[l] > limits.maxLabelNameLength()) {
        message = "label name too long: " + quote(b.name(l)) + " metric " + quote(b.seriesString(s));
        return Reason.LABEL_NAME_TOO_LONG;
      }
      if (b.valueLen[l] > limits.maxLabelValueLength()) {
        message = "label value too long: " + quote(b.value(l)) + " metric " + quote(b.seriesString(s));
        return Reason.LABEL_VALUE_TOO_LONG;
      }
      if (!validUtf8(b.buf, b.valueOff[l], b.valueLen[l])) {
        message = "label value is not valid UTF-8: label " + quote(b.name(l)) + " metric "
            + quote(b.seriesString(s));
        return Reason.LABEL_VALUE_INVALID;
      }
      if (l > start && b.compareNames(l - 1, l) == 0) {
        message = "duplicate label name: " + quote(b.name(l)) + " metric " + quote(b.seriesString(s));
        return Reason.DUPLICATE_LABEL_NAMES;
      }
    }
    if (b.histograms[s] > 0) {
      message =
          "native histogram samples are not supported; rejected " + b.histograms[s]
              + " histogram sample(s) of series " + b.seriesString(s);
      return Reason.NATIVE_HISTOGRAM;
    }
    long tooNew = nowMs + limits.creationGracePeriodMs();
    long tooOld = limits.rejectOldSamples() ? nowMs - limits.rejectOldSamplesMaxAgeMs() : Long.MIN_VALUE;
    for (int i = b.sampleStart[s]; i < b.sampleEnd[s]; i++) {
      long t = b.ts[i];
      if (t < tooOld) {
        message = "sample for '" + b.seriesString(s) + "' has timestamp too old: " + t;
        return Reason.TOO_OLD;
      }
      if (t > tooNew) {
        message = "sample for '" + b.seriesString(s) + "' has timestamp too new: " + t;
        return Reason.TOO_FAR_IN_FUTURE;
      }
    }
    return null;
  }

  /** Sorts the series' labels by name (insertion sort; label sets are small) and drops empties. */
  static void normalize(WriteBatch b, int s) {
    int start = b.labelStart[s];
    int end = b.labelEnd[s];
    int w = start;
    for (int l = start; l < end; l++) {
      if (b.valueLen[l] != 0) {
        if (w != l) {
          b.swapLabels(w, l);
        }
        w++;
      }
    }
    end = w;
    b.labelEnd[s] = end;
    if (end - start > INSERTION_SORT_MAX) {
      heapSort(b, start, end);
      return;
    }
    for (int i = start + 1; i < end; i++) {
      for (int j = i; j > start && b.compareNames(j - 1, j) > 0; j--) {
        b.swapLabels(j - 1, j);
      }
    }
  }

  /** Label sets longer than this are heap-sorted (hostile senders: 10^5 labels in one series). */
  static final int INSERTION_SORT_MAX = 64;

  /** Longest series text in a too-many-labels message (the series can be megabytes). */
  static final int MAX_MESSAGE_SERIES_CHARS = 8192;

  /** In-place heap sort of labels [start, end) by name: O(n log n), no allocation. */
  static void heapSort(WriteBatch b, int start, int end) {
    int n = end - start;
    for (int i = n / 2 - 1; i >= 0; i--) {
      siftDown(b, start, i, n);
    }
    for (int last = n - 1; last > 0; last--) {
      b.swapLabels(start, start + last);
      siftDown(b, start, 0, last);
    }
  }

  private static void siftDown(WriteBatch b, int base, int i, int n) {
    while (true) {
      int child = 2 * i + 1;
      if (child >= n) {
        return;
      }
      if (child + 1 < n && b.compareNames(base + child, base + child + 1) < 0) {
        child++;
      }
      if (b.compareNames(base + i, base + child) >= 0) {
        return;
      }
      b.swapLabels(base + i, base + child);
      i = child;
    }
  }

  /**
   * Whether {@code buf[off, off+len)} is well-formed UTF-8 (Go's {@code utf8.Valid}: no overlong
   * forms, no surrogates, nothing above U+10FFFF). Label keys in the head use 0xFF as separator,
   * which well-formed UTF-8 never contains.
   */
  static boolean validUtf8(byte[] buf, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end) {
      int c = buf[i] & 0xff;
      if (c < 0x80) {
        i++;
        continue;
      }
      int need;
      int min;
      if (c >= 0xc2 && c <= 0xdf) {
        need = 1;
        min = 0x80;
      } else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        min = 0x800;
      } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        min = 0x10000;
      } else {
        return false;
      }
      if (i + need >= end) {
        return false;
      }
      int cp = c & (0x3f >> need);
      for (int k = 1; k <= need; k++) {
        int x = buf[i + k] & 0xff;
        if ((x & 0xc0) != 0x80) {
          return false;
        }
        cp = (cp << 6) | (x & 0x3f);
      }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return false;
      }
      i += need + 1;
    }
    return true;
  }

  static boolean validMetricName(byte[] buf, int off, int len) {
    if (len == 0) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      int c = buf[off + i];
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'
              || (i > 0 && c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static boolean validLabelName(byte[] buf, int off, int len) {
    if (len == 0) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      int c = buf[off + i];
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
              || (i > 0 && c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static String quote(String s) {
    return io.theseus.model.GoQuote.quote(s.length() > 200 ? s.substring(0, 200) : s);
  }
}
