package io.theseus.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The whole configuration of a Theseus instance: one YAML file with the sections {@code server},
 * {@code cassandra}, {@code ingester}, {@code limits}, {@code schema} and {@code querier}. Keys are
 * snake_case; an unknown key is an error that names the key, its path and the file. Every field
 * has a default, so an empty file (or none) is a valid configuration that runs on the embedded
 * Cassandra.
 *
 * <p>Immutable records; command-line flags are applied with the {@code with*} methods.
 */
public record TheseusConfig(
    Server server,
    Cassandra cassandra,
    Ingester ingester,
    Map<String, Object> limits,
    Schema schema,
    Querier querier) {

  public TheseusConfig {
    server = server == null ? Server.defaults() : server;
    cassandra = cassandra == null ? Cassandra.defaults() : cassandra;
    ingester = ingester == null ? Ingester.defaults() : ingester;
    limits = limits == null ? Map.of() : Map.copyOf(limits);
    io.theseus.ingest.Limits.parse(limits); // strict keys and values, errors name the key
    schema = schema == null ? new Schema(null, null) : schema;
    querier = querier == null ? Querier.defaults() : querier;
  }

  public TheseusConfig(
      Server server,
      Cassandra cassandra,
      Ingester ingester,
      Map<String, Object> limits,
      Schema schema) {
    this(server, cassandra, ingester, limits, schema, null);
  }

  public static TheseusConfig defaults() {
    return new TheseusConfig(null, null, null, null, null, null);
  }

  /** HTTP server settings. */
  public record Server(
      String listen,
      String dataDir,
      Boolean authEnabled,
      String tenantsFile,
      Long maxRequestBytes,
      String instanceId,
      Long headerTimeoutMs,
      Long bodyTimeoutMs,
      Long bodyMinBytesPerSec) {
    public Server {
      listen = listen == null ? "127.0.0.1:9009" : listen;
      dataDir = dataDir == null ? "./data" : dataDir;
      authEnabled = authEnabled != null && authEnabled;
      maxRequestBytes = maxRequestBytes == null ? 100L * 1024 * 1024 : maxRequestBytes;
      if (maxRequestBytes <= 0) {
        throw new IllegalArgumentException("server.max_request_bytes must be > 0, got " + maxRequestBytes);
      }
      HostPort.parse(listen, "server.listen");
      headerTimeoutMs = headerTimeoutMs == null ? 20_000L : headerTimeoutMs;
      bodyTimeoutMs = bodyTimeoutMs == null ? 30_000L : bodyTimeoutMs;
      bodyMinBytesPerSec = bodyMinBytesPerSec == null ? 16_384L : bodyMinBytesPerSec;
      if (headerTimeoutMs <= 0 || bodyTimeoutMs <= 0 || bodyMinBytesPerSec < 0) {
        throw new IllegalArgumentException("server.header_timeout_ms and server.body_timeout_ms"
            + " must be > 0 and server.body_min_bytes_per_sec >= 0, got " + headerTimeoutMs + ", "
            + bodyTimeoutMs + ", " + bodyMinBytesPerSec);
      }
    }

    /** The slow-client bounds at their defaults. */
    public Server(String listen, String dataDir, Boolean authEnabled, String tenantsFile,
        Long maxRequestBytes, String instanceId) {
      this(listen, dataDir, authEnabled, tenantsFile, maxRequestBytes, instanceId, null, null,
          null);
    }

    static Server defaults() {
      return new Server(null, null, null, null, null, null);
    }
  }

  /** Cassandra connection and keyspace. No contact points means the embedded node. */
  public record Cassandra(
      List<String> contactPoints,
      String localDatacenter,
      String keyspace,
      Map<String, Object> replication,
      String consistency,
      String username,
      String password,
      Integer embeddedPort,
      String embeddedHeap,
      Integer maxInFlight,
      Long requestTimeoutMs) {
    public Cassandra {
      contactPoints = contactPoints == null ? List.of() : List.copyOf(contactPoints);
      localDatacenter = localDatacenter == null ? "datacenter1" : localDatacenter;
      keyspace = keyspace == null ? "theseus" : keyspace;
      if (!keyspace.matches("[a-zA-Z][a-zA-Z0-9_]{0,47}")) {
        throw new IllegalArgumentException(
            "cassandra.keyspace must be a letter then letters, digits or _ (max 48), got '"
                + keyspace + "'");
      }
      replication =
          replication == null
              ? Map.of("class", "SimpleStrategy", "replication_factor", 1)
              : Map.copyOf(replication);
      consistency = consistency == null ? "LOCAL_QUORUM" : consistency;
      embeddedPort = embeddedPort == null ? 9042 : embeddedPort;
      embeddedHeap = embeddedHeap == null ? "1g" : embeddedHeap;
      maxInFlight = maxInFlight == null ? 256 : maxInFlight;
      requestTimeoutMs = requestTimeoutMs == null ? 10_000L : requestTimeoutMs;
      for (String cp : contactPoints) {
        HostPort.parse(cp, "cassandra.contact_points");
      }
    }

    static Cassandra defaults() {
      return new Cassandra(null, null, null, null, null, null, null, null, null, null, null);
    }

    public boolean embedded() {
      return contactPoints.isEmpty();
    }
  }

  /** Head and flush policy, Cortex's defaults. Durations in milliseconds. */
  public record Ingester(
      Long maxChunkAgeMs,
      Long maxChunkIdleMs,
      Long maxStaleChunkIdleMs,
      Long flushPeriodMs,
      Long retainPeriodMs,
      Integer concurrentFlushes,
      Long walSyncIntervalMs,
      Long maxHeadBytes,
      Integer maxFlushBacklog,
      Long walMaxBytes) {
    public Ingester {
      maxChunkAgeMs = maxChunkAgeMs == null ? 12 * 3600_000L : maxChunkAgeMs;
      maxChunkIdleMs = maxChunkIdleMs == null ? 5 * 60_000L : maxChunkIdleMs;
      maxStaleChunkIdleMs = maxStaleChunkIdleMs == null ? 2 * 60_000L : maxStaleChunkIdleMs;
      flushPeriodMs = flushPeriodMs == null ? 60_000L : flushPeriodMs;
      retainPeriodMs = retainPeriodMs == null ? 5 * 60_000L : retainPeriodMs;
      concurrentFlushes = concurrentFlushes == null ? 16 : concurrentFlushes;
      walSyncIntervalMs = walSyncIntervalMs == null ? 5L : walSyncIntervalMs;
      maxHeadBytes = maxHeadBytes == null ? 4L * 1024 * 1024 * 1024 : maxHeadBytes;
      maxFlushBacklog = maxFlushBacklog == null ? 1_000_000 : maxFlushBacklog;
      walMaxBytes = walMaxBytes == null ? 8L * 1024 * 1024 * 1024 : walMaxBytes;
    }

    static Ingester defaults() {
      return new Ingester(null, null, null, null, null, null, null, null, null, null);
    }
  }

  /**
   * The read path: limits, caches and peer reads. Names follow Cortex where Cortex has the setting
   * (durations as {@code _ms} like the other sections). Zero disables a limit or a cache.
   *
   * @param maxSamples samples one query may load (Cortex {@code querier.max_samples})
   * @param maxFetchedSeriesPerQuery series one query may load (Cortex limit of that name)
   * @param maxFetchedChunksPerQuery chunks one query may fetch from Cassandra (Cortex limit of that
   *     name; 0 means the store's built-in 2,000,000)
   * @param maxQueryLengthMs longest range of a range query (Cortex {@code max_query_length})
   * @param timeoutMs query timeout (Cortex {@code querier.timeout}); a request can only shorten it
   * @param lookbackDeltaMs PromQL lookback delta (Cortex {@code querier.lookback_delta})
   * @param peerTimeoutMs how long a query waits for a peer's head before answering with a warning
   * @param remoteReadMaxSamples samples one remote-read request may return
   * @param chunkCacheMaxSizeBytes read-side chunk cache (Cortex {@code fifocache.max_size_bytes})
   * @param indexCacheEnabled caches index results of buckets that can no longer change
   * @param indexCacheMaxSizeBytes capacity of that cache when enabled
   */
  public record Querier(
      Long maxSamples,
      Long maxFetchedSeriesPerQuery,
      Integer maxFetchedChunksPerQuery,
      Long maxQueryLengthMs,
      Long timeoutMs,
      Long lookbackDeltaMs,
      Long peerTimeoutMs,
      Long remoteReadMaxSamples,
      Long chunkCacheMaxSizeBytes,
      Boolean indexCacheEnabled,
      Long indexCacheMaxSizeBytes) {
    public Querier {
      maxSamples = nonNegative("querier.max_samples", maxSamples, 50_000_000L);
      maxFetchedSeriesPerQuery =
          nonNegative("querier.max_fetched_series_per_query", maxFetchedSeriesPerQuery, 1_000_000L);
      maxFetchedChunksPerQuery = maxFetchedChunksPerQuery == null ? 0 : maxFetchedChunksPerQuery;
      if (maxFetchedChunksPerQuery < 0) {
        throw new IllegalArgumentException(
            "querier.max_fetched_chunks_per_query must be >= 0 (0: the store's 2,000,000), got "
                + maxFetchedChunksPerQuery);
      }
      maxQueryLengthMs = nonNegative("querier.max_query_length_ms", maxQueryLengthMs, 0L);
      timeoutMs = positive("querier.timeout_ms", timeoutMs, 120_000L);
      lookbackDeltaMs = positive("querier.lookback_delta_ms", lookbackDeltaMs, 300_000L);
      peerTimeoutMs = positive("querier.peer_timeout_ms", peerTimeoutMs, 5_000L);
      remoteReadMaxSamples =
          nonNegative("querier.remote_read_max_samples", remoteReadMaxSamples, 50_000_000L);
      chunkCacheMaxSizeBytes =
          nonNegative("querier.chunk_cache_max_size_bytes", chunkCacheMaxSizeBytes, 256L << 20);
      indexCacheEnabled = indexCacheEnabled != null && indexCacheEnabled;
      indexCacheMaxSizeBytes =
          positive("querier.index_cache_max_size_bytes", indexCacheMaxSizeBytes, 64L << 20);
    }

    static Querier defaults() {
      return new Querier(null, null, null, null, null, null, null, null, null, null, null);
    }

    private static Long nonNegative(String key, Long v, long dflt) {
      if (v == null) {
        return dflt;
      }
      if (v < 0) {
        throw new IllegalArgumentException(key + " must be >= 0 (0 disables), got " + v);
      }
      return v;
    }

    private static Long positive(String key, Long v, long dflt) {
      if (v == null) {
        return dflt;
      }
      if (v <= 0) {
        throw new IllegalArgumentException(key + " must be > 0, got " + v);
      }
      return v;
    }
  }

  /** Schema config: a file path, or inline Cortex-format {@code configs}. */
  public record Schema(String file, List<Map<String, Object>> configs) {}

  /** Reads a config file strictly. */
  public static TheseusConfig load(Path file) {
    try {
      String text = Files.readString(file);
      if (text.isBlank()) {
        return defaults();
      }
      return MAPPER.readValue(text, TheseusConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new IllegalArgumentException(
          "unknown key '" + e.getPropertyName() + "' at " + path(e) + " in " + file
              + " (known keys: " + e.getKnownPropertyIds() + ")");
    } catch (JsonMappingException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException(
          "invalid config " + file + " at " + path(e) + ": " + cause.getMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read config " + file + ": " + e.getMessage());
    }
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  /** The effective configuration as YAML. */
  public String toYaml() {
    try {
      return PRINTER.writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public TheseusConfig withServer(Server s) {
    return new TheseusConfig(s, cassandra, ingester, limits, schema, querier);
  }

  public TheseusConfig withCassandra(Cassandra c) {
    return new TheseusConfig(server, c, ingester, limits, schema, querier);
  }

  public TheseusConfig withIngester(Ingester i) {
    return new TheseusConfig(server, cassandra, i, limits, schema, querier);
  }

  public TheseusConfig withSchema(Schema s) {
    return new TheseusConfig(server, cassandra, ingester, limits, s, querier);
  }

  public TheseusConfig withQuerier(Querier q) {
    return new TheseusConfig(server, cassandra, ingester, limits, schema, q);
  }

  /** A host:port pair. */
  public record HostPort(String host, int port) {
    /** Parses {@code host:port} ({@code [v6]:port} too). */
    public static HostPort parse(String s, String what) {
      int colon = s.lastIndexOf(':');
      if (colon <= 0 || colon == s.length() - 1) {
        throw new IllegalArgumentException(what + ": expected HOST:PORT, got '" + s + "'");
      }
      String host = s.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(s.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(what + ": bad port in '" + s + "'");
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(what + ": port out of range in '" + s + "'");
      }
      return new HostPort(host, port);
    }
  }

  static final ObjectMapper MAPPER =
      new ObjectMapper(new YAMLFactory())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private static final ObjectMapper PRINTER =
      new ObjectMapper(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .build())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

}
