package io.theseus.server;

import io.theseus.model.Labels;
import io.theseus.model.Matcher;
import io.theseus.query.Series;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary codec of the internal peer endpoint {@code POST /internal/v1/head/select}. All integers
 * big-endian; {@code str} is an int32 byte length followed by UTF-8 bytes.
 *
 * <pre>
 * Request                       Response
 * int64  mint (ms, inclusive)   int32  series count
 * int64  maxt (ms, inclusive)   per series:
 * int32  matcher count            int32 label count, then per label: str name, str value
 * per matcher:                    int32 n
 *   int8 type (0 =, 1 !=,         n x int64 timestamp (ms, increasing)
 *              2 =~, 3 !~)        n x int64 raw IEEE-754 bits of the value (stale NaN kept)
 *   str name, str value
 * </pre>
 *
 * The tenant travels in {@code X-Scope-OrgID}. Stateless and thread-safe.
 */
final class HeadWire {
  private HeadWire() {}

  /** A decoded request. */
  record Request(long mint, long maxt, List<Matcher> matchers) {}

  static byte[] encodeRequest(long mint, long maxt, List<Matcher> matchers) {
    try {
      ByteArrayOutputStream bo = new ByteArrayOutputStream(64);
      DataOutputStream o = new DataOutputStream(bo);
      o.writeLong(mint);
      o.writeLong(maxt);
      o.writeInt(matchers.size());
      for (Matcher m : matchers) {
        o.writeByte(m.type().ordinal());
        str(o, m.name());
        str(o, m.value());
      }
      o.flush();
      return bo.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Decodes a request.
   *
   * @throws IOException on truncated or malformed input (including a bad regex)
   */
  static Request decodeRequest(byte[] b) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
    long mint = in.readLong();
    long maxt = in.readLong();
    int n = count(in, b.length / 9);
    List<Matcher> ms = new ArrayList<>(n);
    Matcher.Type[] types = Matcher.Type.values();
    for (int i = 0; i < n; i++) {
      int t = in.readByte();
      if (t < 0 || t >= types.length) {
        throw new IOException("bad matcher type " + t);
      }
      String name = str(in);
      String value = str(in);
      try {
        ms.add(Matcher.of(types[t], name, value));
      } catch (IllegalArgumentException e) {
        throw new IOException("bad matcher: " + e.getMessage());
      }
    }
    if (in.available() != 0) {
      throw new IOException("trailing bytes");
    }
    return new Request(mint, maxt, ms);
  }

  static byte[] encodeResponse(List<Series> series) {
    try {
      ByteArrayOutputStream bo = new ByteArrayOutputStream(1024);
      DataOutputStream o = new DataOutputStream(bo);
      o.writeInt(series.size());
      for (Series s : series) {
        Labels l = s.labels();
        o.writeInt(l.size());
        for (int i = 0; i < l.size(); i++) {
          str(o, l.name(i));
          str(o, l.value(i));
        }
        o.writeInt(s.size());
        for (int i = 0; i < s.size(); i++) {
          o.writeLong(s.timestamps()[i]);
        }
        for (int i = 0; i < s.size(); i++) {
          o.writeLong(Double.doubleToRawLongBits(s.values()[i]));
        }
      }
      o.flush();
      return bo.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Decodes a response.
   *
   * @throws IOException on truncated or malformed input
   */
  static List<Series> decodeResponse(byte[] b) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
    int n = count(in, b.length / 8);
    List<Series> out = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      int nl = count(in, b.length / 8);
      String[] names = new String[nl];
      String[] values = new String[nl];
      for (int i = 0; i < nl; i++) {
        names[i] = str(in);
        values[i] = str(in);
      }
      int ns = count(in, b.length / 16);
      long[] ts = new long[ns];
      double[] vs = new double[ns];
      for (int i = 0; i < ns; i++) {
        ts[i] = in.readLong();
      }
      for (int i = 0; i < ns; i++) {
        vs[i] = Double.longBitsToDouble(in.readLong());
      }
      out.add(new Series(Labels.of(names, values), ts, vs, ns));
    }
    if (in.available() != 0) {
      throw new IOException("trailing bytes");
    }
    return out;
  }

  private static int count(DataInputStream in, int max) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > max) {
      throw new IOException("bad count " + n);
    }
    return n;
  }

  private static void str(DataOutputStream o, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    o.writeInt(b.length);
    o.write(b);
  }

  private static String str(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available()) {
      throw new IOException("bad string length " + n);
    }
    byte[] b = in.readNBytes(n);
    return new String(b, StandardCharsets.UTF_8);
  }
}
