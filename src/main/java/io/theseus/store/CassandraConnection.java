package io.theseus.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Opens driver sessions and creates the keyspace. Consistency, timeouts and the local data
 * centre are set programmatically so no {@code application.conf} is needed.
 */
public final class CassandraConnection {
  private CassandraConnection() {}

  /** Connection settings. */
  public record Settings(
      List<InetSocketAddress> contactPoints,
      String localDatacenter,
      String consistency,
      String username,
      String password,
      Duration requestTimeout) {
    public Settings {
      contactPoints = List.copyOf(contactPoints);
      if (contactPoints.isEmpty()) {
        throw new IllegalArgumentException("at least one Cassandra contact point is needed");
      }
      localDatacenter = localDatacenter == null ? "datacenter1" : localDatacenter;
      consistency = consistency == null ? "LOCAL_QUORUM" : consistency;
      requestTimeout = requestTimeout == null ? Duration.ofSeconds(10) : requestTimeout;
    }
  }

  /** Opens a session without a keyspace (the caller qualifies table names or sets it later). */
  public static CqlSession open(Settings s, String keyspace) {
    ProgrammaticDriverConfigLoaderBuilder cfg =
        DriverConfigLoader.programmaticBuilder()
            .withString(DefaultDriverOption.REQUEST_CONSISTENCY, s.consistency())
            .withString(DefaultDriverOption.REQUEST_SERIAL_CONSISTENCY, "LOCAL_SERIAL")
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, s.requestTimeout())
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10))
            .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30))
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
            .withInt(DefaultDriverOption.REQUEST_PAGE_SIZE, 5000)
            .withInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE, 2)
            .withBoolean(DefaultDriverOption.REQUEST_DEFAULT_IDEMPOTENCE, true)
            .withString(DefaultDriverOption.LOAD_BALANCING_LOCAL_DATACENTER, s.localDatacenter());
    var builder =
        CqlSession.builder()
            .addContactPoints(s.contactPoints())
            .withLocalDatacenter(s.localDatacenter())
            .withConfigLoader(cfg.build());
    if (s.username() != null) {
      builder = builder.withAuthCredentials(s.username(), s.password() == null ? "" : s.password());
    }
    if (keyspace != null) {
      builder = builder.withKeyspace(keyspace);
    }
    return builder.build();
  }

  /**
   * The CQL that creates a keyspace with {@code replication} ({@code class} SimpleStrategy with
   * {@code replication_factor}, or NetworkTopologyStrategy with one RF per data centre).
   */
  public static String createKeyspaceCql(String keyspace, Map<String, Object> replication) {
    Object cls = replication.get("class");
    if (cls == null) {
      throw new IllegalArgumentException("replication needs a 'class', got " + replication);
    }
    String c = cls.toString();
    if (!c.endsWith("SimpleStrategy") && !c.endsWith("NetworkTopologyStrategy")) {
      throw new IllegalArgumentException(
          "replication class must be SimpleStrategy or NetworkTopologyStrategy, got " + c);
    }
    String body =
        replication.entrySet().stream()
            .sorted(Map.Entry.comparingByKey((a, b) -> a.equals("class") ? -1 : b.equals("class") ? 1 : a.compareTo(b)))
            .map(e -> "'" + e.getKey() + "': '" + e.getValue() + "'")
            .collect(Collectors.joining(", "));
    return "CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = {" + body + "}";
  }
}
