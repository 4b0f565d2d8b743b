package io.theseus.chunk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Unaligned big/little-endian loads and stores on byte arrays (no allocation). */
final class Bits {
  static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private Bits() {}

  static long longBE(byte[] b, int i) {
    return (long) LONG_BE.get(b, i);
  }

  static void putLongBE(byte[] b, int i, long v) {
    LONG_BE.set(b, i, v);
  }

  static long longLE(byte[] b, int i) {
    return (long) LONG_LE.get(b, i);
  }

  static int intLE(byte[] b, int i) {
    return (int) INT_LE.get(b, i);
  }

  static int u16LE(byte[] b, int i) {
    return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
  }

  static int u16BE(byte[] b, int i) {
    return (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
  }

  static void putU16LE(byte[] b, int i, int v) {
    b[i] = (byte) v;
    b[i + 1] = (byte) (v >>> 8);
  }

  static void putU16BE(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 8);
    b[i + 1] = (byte) v;
  }

  static long u32BE(byte[] b, int i) {
    return ((b[i] & 0xffL) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8)
        | (b[i + 3] & 0xff);
  }

  static void putU32BE(byte[] b, int i, long v) {
    b[i] = (byte) (v >>> 24);
    b[i + 1] = (byte) (v >>> 16);
    b[i + 2] = (byte) (v >>> 8);
    b[i + 3] = (byte) v;
  }
}
