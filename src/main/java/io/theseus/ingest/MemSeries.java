package io.theseus.ingest;

import io.theseus.chunk.BigChunk;
import io.theseus.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One in-memory series of a tenant head: its identity (label key bytes, fingerprint, WAL ref),
 * the open Bigchunk and the closed chunks (unflushed, or flushed and retained for queries).
 *
 * <p>Key layout: for each label in name order, {@code name 0xFF value 0xFF} (UTF-8 never contains
 * 0xFF, so it is unambiguous). Labels objects are built from it only when needed (queries,
 * flushes), to keep the per-series heap small.
 *
 * <p>Threading: guarded by the owning {@link TenantHead}'s lock.
 */
final class MemSeries {
  final long ref;
  final long fp;
  final long rawFp;
  final byte[] key;
  MemSeries collisionNext;

  /** Open chunk; null after it was closed and before the next sample. */
  BigChunk head;

  long headLastUpdateMs;
  /** Closed chunks, oldest first. */
  Closed closed;

  Closed closedTail;
  long lastT = Long.MIN_VALUE;
  long lastBits;
  boolean flushQueued;

  /** One closed chunk. */
  static final class Closed {
    final byte[] data;
    final long from;
    final long through;
    final int samples;
    final long lastUpdateMs;
    volatile boolean flushed;
    Closed next;

    Closed(byte[] data, long from, long through, int samples, long lastUpdateMs) {
      this.data = data;
      this.from = from;
      this.through = through;
      this.samples = samples;
      this.lastUpdateMs = lastUpdateMs;
    }
  }

  MemSeries(long ref, long fp, long rawFp, byte[] key) {
    this.ref = ref;
    this.fp = fp;
    this.rawFp = rawFp;
    this.key = key;
  }

  /** Closes the open chunk (if any) into an encoded closed chunk; returns it or null. */
  Closed closeHead() {
    if (head == null || head.numSamples() == 0) {
      return null;
    }
    Closed c =
        new Closed(head.encode(), head.firstTimestamp(), head.lastTimestamp(), head.numSamples(),
            headLastUpdateMs);
    if (closedTail == null) {
      closed = c;
    } else {
      closedTail.next = c;
    }
    closedTail = c;
    head = null;
    return c;
  }

  /** Drops closed chunks from the front that are flushed and older than the retain period. */
  int dropRetained(long nowMs, long retainMs) {
    int n = 0;
    while (closed != null && closed.flushed && nowMs - closed.lastUpdateMs > retainMs) {
      closed = closed.next;
      n++;
    }
    if (closed == null) {
      closedTail = null;
    }
    return n;
  }

  boolean empty() {
    return closed == null && (head == null || head.numSamples() == 0);
  }

  boolean lastIsStale() {
    return lastBits == STALE_NAN_BITS;
  }

  static final long STALE_NAN_BITS = 0x7ff0000000000002L;

  Labels labels() {
    return labelsOf(key);
  }

  static Labels labelsOf(byte[] key) {
    List<String> parts = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < key.length; i++) {
      if (key[i] == (byte) 0xff) {
        parts.add(new String(key, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    String[] names = new String[parts.size() / 2];
    String[] values = new String[parts.size() / 2];
    for (int i = 0; i < names.length; i++) {
      names[i] = parts.get(2 * i);
      values[i] = parts.get(2 * i + 1);
    }
    return Labels.ofSortedTrusted(names, values);
  }

  /** The metric name in the key, or "". */
  static String metricNameOf(byte[] key) {
    Labels l = labelsOf(key);
    return l.metricName();
  }

  /** Approximate heap bytes, for the head memory limit. */
  long approxBytes() {
    long n = 96 + 16 + key.length;
    if (head != null) {
      n += 64 + head.encodedSize() + 48L * head.numSubChunks();
    }
    for (Closed c = closed; c != null; c = c.next) {
      n += 48 + 16 + c.data.length;
    }
    return n;
  }
}
