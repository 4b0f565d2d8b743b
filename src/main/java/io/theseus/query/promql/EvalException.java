package io.theseus.query.promql;

/** A query evaluation error, worded as Prometheus words it. */
public final class EvalException extends RuntimeException {
  EvalException(String msg) {
    super(msg);
  }
}
