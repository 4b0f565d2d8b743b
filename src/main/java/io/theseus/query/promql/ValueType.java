package io.theseus.query.promql;

/** PromQL value types, named as Prometheus names them in error messages. */
public enum ValueType {
  SCALAR("scalar"),
  VECTOR("instant vector"),
  MATRIX("range vector"),
  STRING("string");

  private final String text;

  ValueType(String text) {
    this.text = text;
  }

  /** The name used in Prometheus error messages and API responses. */
  public String text() {
    return text;
  }

  /** The name used in API responses ({@code resultType}). */
  public String apiName() {
    return switch (this) {
      case SCALAR -> "scalar";
      case VECTOR -> "vector";
      case MATRIX -> "matrix";
      case STRING -> "string";
    };
  }
}
