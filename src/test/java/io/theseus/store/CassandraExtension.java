package io.theseus.store;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: {@code @ExtendWith(CassandraExtension.class)} gives a test class the JVM's
 * real Cassandra node ({@link TestCassandra}) and a fresh keyspace of its own, dropped after the
 * class. Test methods and lifecycle methods receive a {@link CassandraKeyspace} parameter.
 */
public final class CassandraExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(CassandraExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    TestCassandra c = TestCassandra.get();
    String ks = c.createKeyspace(context.getRequiredTestClass().getSimpleName());
    context.getStore(NS).put("keyspace", new CassandraKeyspace(c, ks));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    CassandraKeyspace k = context.getStore(NS).remove("keyspace", CassandraKeyspace.class);
    if (k != null) {
      k.cassandra().dropKeyspace(k.name());
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == CassandraKeyspace.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    ExtensionContext c = e;
    while (c != null) {
      CassandraKeyspace k = c.getStore(NS).get("keyspace", CassandraKeyspace.class);
      if (k != null) {
        return k;
      }
      c = c.getParent().orElse(null);
    }
    throw new IllegalStateException("no keyspace: is the class annotated @ExtendWith(CassandraExtension.class)?");
  }

  /** The keyspace of one test class on the JVM's node. */
  public record CassandraKeyspace(TestCassandra cassandra, String name) {
    public com.datastax.oss.driver.api.core.CqlSession session() {
      return cassandra.session();
    }
  }
}
