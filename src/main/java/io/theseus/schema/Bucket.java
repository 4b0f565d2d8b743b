package io.theseus.schema;

/**
 * One index bucket that a [from, through] range touches (Cortex {@code Bucket}): the hour (v1) or
 * UTC day (v2+) {@code i}, the hash prefix {@code <user>:<i>} or {@code <user>:d<i>}, the index
 * table holding the bucket start, and the range's times relative to the bucket start, clamped to
 * [0, bucket size] and truncated to uint32 as Cortex does.
 *
 * @param start bucket start, Unix ms
 * @param relFrom {@code max(0, from - start)}
 * @param relThrough {@code min(bucketSize, through - start)}
 */
public record Bucket(String table, String hashKey, long start, long relFrom, long relThrough) {
  static final long HOUR_MS = 3_600_000L;
  static final long DAY_MS = 86_400_000L;
}
