package io.theseus.query.promql;

import io.theseus.query.Series;
import java.util.List;

/**
 * The result of a query. {@code series} holds the vector (one point per series, at the evaluation
 * time), the matrix, or for a scalar one series with empty labels and one point. {@code string} is
 * set only for string results.
 */
public record QueryResult(
    ValueType type, List<Series> series, String string, long time, List<String> warnings) {}
