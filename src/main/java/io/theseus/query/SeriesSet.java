package io.theseus.query;

import java.util.List;

/**
 * The result of {@link Queryable#select}: series sorted by labels, plus non-fatal warnings (for
 * example a peer that did not answer in time).
 */
public record SeriesSet(List<Series> series, List<String> warnings) {
  public static final SeriesSet EMPTY = new SeriesSet(List.of(), List.of());
}
