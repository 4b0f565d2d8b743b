package io.theseus.model;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable label set: the identity of a series.
 *
 * <p>Design: names and values are kept as two parallel {@code String[]} sorted by name in
 * unsigned byte order of their UTF-8 form (the order Prometheus and Cortex use; for strings of
 * ASCII names it equals {@link String#compareTo}). Names are unique. Empty values are never
 * stored: a label with an empty value is the same as an absent label, as in Prometheus.
 *
 * <p>Invariants: {@code names.length == values.length}; names strictly increasing; no value is
 * empty. Instances are safe to share between threads.
 */
public final class Labels implements Comparable<Labels> {
  /** The metric name label. */
  public static final String METRIC_NAME = "__name__";

  private static final String[] NONE = new String[0];
  public static final Labels EMPTY = new Labels(NONE, NONE);

  private final String[] names;
  private final String[] values;
  private int hash;

  private Labels(String[] names, String[] values) {
    this.names = names;
    this.values = values;
  }

  /**
   * Builds a label set from alternating name/value pairs, in any order.
   *
   * @throws IllegalArgumentException if the count is odd, a name is empty or repeated
   */
  public static Labels of(String... nameValuePairs) {
    if ((nameValuePairs.length & 1) != 0) {
      throw new IllegalArgumentException(
          "name/value pairs must have an even length, got " + nameValuePairs.length);
    }
    int n = nameValuePairs.length / 2;
    String[] names = new String[n];
    String[] values = new String[n];
    for (int i = 0; i < n; i++) {
      names[i] = nameValuePairs[2 * i];
      values[i] = nameValuePairs[2 * i + 1];
    }
    return of(names, values);
  }

  /** Builds a label set from a map; empty values are dropped. */
  public static Labels of(Map<String, String> map) {
    String[] names = new String[map.size()];
    String[] values = new String[map.size()];
    int i = 0;
    for (Map.Entry<String, String> e : map.entrySet()) {
      names[i] = e.getKey();
      values[i++] = e.getValue();
    }
    return of(names, values);
  }

  /**
   * Builds a label set from parallel arrays (copied), sorting them and dropping empty values.
   *
   * @throws IllegalArgumentException on a null or empty name, a null value, or a repeated name
   */
  public static Labels of(String[] names, String[] values) {
    if (names.length != values.length) {
      throw new IllegalArgumentException(
          "names and values differ in length: " + names.length + " vs " + values.length);
    }
    Integer[] order = new Integer[names.length];
    int kept = 0;
    for (int i = 0; i < names.length; i++) {
      if (names[i] == null || names[i].isEmpty()) {
        throw new IllegalArgumentException("label name must not be empty");
      }
      if (values[i] == null) {
        throw new IllegalArgumentException("label " + names[i] + " has a null value");
      }
      if (!values[i].isEmpty()) {
        order[kept++] = i;
      }
    }
    Integer[] idx = Arrays.copyOf(order, kept);
    Arrays.sort(idx, (a, b) -> compareUtf8(names[a], names[b]));
    String[] n = new String[kept];
    String[] v = new String[kept];
    for (int i = 0; i < kept; i++) {
      n[i] = names[idx[i]];
      v[i] = values[idx[i]];
      if (i > 0 && n[i].equals(n[i - 1])) {
        throw new IllegalArgumentException("duplicate label name " + n[i]);
      }
    }
    return kept == 0 ? EMPTY : new Labels(n, v);
  }

  /**
   * Wraps arrays that the caller guarantees are sorted, unique and non-empty-valued, without
   * copying. For decoders that have already validated their input.
   */
  public static Labels ofSortedTrusted(String[] names, String[] values) {
    return names.length == 0 ? EMPTY : new Labels(names, values);
  }

  /** Compares two strings in unsigned UTF-8 byte order (code point order). */
  public static int compareUtf8(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char ca = a.charAt(i);
      char cb = b.charAt(i);
      if (ca != cb) {
        // Surrogates (U+D800..DFFF) encode code points above U+FFFF, which sort after U+E000..FFFF
        // in UTF-8; plain char comparison would put them before.
        boolean sa = Character.isSurrogate(ca);
        boolean sb = Character.isSurrogate(cb);
        if (sa != sb) {
          return sa ? 1 : -1;
        }
        return ca - cb;
      }
    }
    return a.length() - b.length();
  }

  public int size() {
    return names.length;
  }

  public String name(int i) {
    return names[i];
  }

  public String value(int i) {
    return values[i];
  }

  /** Returns the value of {@code name}, or the empty string when absent (Prometheus semantics). */
  public String get(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return values[i];
      }
    }
    return "";
  }

  public boolean has(String name) {
    return !get(name).isEmpty();
  }

  /** The value of {@code __name__}, or the empty string. */
  public String metricName() {
    return get(METRIC_NAME);
  }

  /** A copy of this set without the named labels. */
  public Labels without(String... drop) {
    String[] n = new String[names.length];
    String[] v = new String[names.length];
    int k = 0;
    outer:
    for (int i = 0; i < names.length; i++) {
      for (String d : drop) {
        if (names[i].equals(d)) {
          continue outer;
        }
      }
      n[k] = names[i];
      v[k++] = values[i];
    }
    return k == names.length ? this : ofSortedTrusted(Arrays.copyOf(n, k), Arrays.copyOf(v, k));
  }

  /** A copy of this set with {@code name} set to {@code value} (removed if value is empty). */
  public Labels with(String name, String value) {
    Map<String, String> m = toMap();
    if (value.isEmpty()) {
      m.remove(name);
    } else {
      m.put(name, value);
    }
    return of(m);
  }

  /** The labels as a map sorted by name. */
  public TreeMap<String, String> toMap() {
    TreeMap<String, String> m = new TreeMap<>(Labels::compareUtf8);
    for (int i = 0; i < names.length; i++) {
      m.put(names[i], values[i]);
    }
    return m;
  }

  @Override
  public int compareTo(Labels o) {
    int n = Math.min(names.length, o.names.length);
    for (int i = 0; i < n; i++) {
      int c = compareUtf8(names[i], o.names[i]);
      if (c != 0) {
        return c;
      }
      c = compareUtf8(values[i], o.values[i]);
      if (c != 0) {
        return c;
      }
    }
    return names.length - o.names.length;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Labels)) {
      return false;
    }
    Labels l = (Labels) o;
    return Arrays.equals(names, l.names) && Arrays.equals(values, l.values);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = 31 * Arrays.hashCode(names) + Arrays.hashCode(values);
      hash = h;
    }
    return h;
  }

  /** Prometheus text form: {@code name{a="b", c="d"}}, values escaped as Go's %q does. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    String metric = metricName();
    sb.append(metric);
    boolean first = true;
    sb.append('{');
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(METRIC_NAME)) {
        continue;
      }
      if (!first) {
        sb.append(", ");
      }
      first = false;
      sb.append(names[i]).append('=');
      GoQuote.appendQuoted(sb, values[i]);
    }
    sb.append('}');
    return sb.toString();
  }
}
