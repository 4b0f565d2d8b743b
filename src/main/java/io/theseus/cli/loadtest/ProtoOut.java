package io.theseus.cli.loadtest;

import java.util.Arrays;

/**
 * A growable protobuf output buffer (varints little-endian base-128, fixed64 little-endian).
 * Reused across requests; {@link #reset()} keeps the array. Single-threaded.
 */
final class ProtoOut {
  byte[] buf;
  int pos;

  ProtoOut(int initial) {
    buf = new byte[initial];
  }

  void reset() {
    pos = 0;
  }

  void ensure(int n) {
    if (pos + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
    }
  }

  void rawByte(int b) {
    ensure(1);
    buf[pos++] = (byte) b;
  }

  void varint(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  void fixed64(long v) {
    ensure(8);
    for (int i = 0; i < 8; i++) {
      buf[pos++] = (byte) (v >>> (8 * i));
    }
  }

  void bytes(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, pos, len);
    pos += len;
  }

  void bytes(byte[] b) {
    bytes(b, 0, b.length);
  }

  /** Field {@code field} as length-delimited bytes. */
  void lenField(int field, byte[] b) {
    varint((field << 3) | 2);
    varint(b.length);
    bytes(b);
  }

  static int varintSize(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }
}
