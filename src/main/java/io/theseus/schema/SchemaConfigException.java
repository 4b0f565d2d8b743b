package io.theseus.schema;

/** A schema config that cannot be used; the message names the field and the period. */
public final class SchemaConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public SchemaConfigException(String message) {
    super(message);
  }
}
