package io.theseus.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Version facts of this build, read from {@code theseus-build.properties} (filtered by Maven).
 * The buildinfo endpoint answers in Prometheus's shape, reporting the Prometheus API version
 * Theseus implements (2.42.0) so Grafana enables its version-gated features, and never a
 * {@code features} map (that would make Grafana treat us as Mimir).
 */
public record BuildInfo(String version, String revision, String branch, String buildDate) {
  /** The Prometheus version whose HTTP API and PromQL semantics Theseus follows. */
  public static final String PROMETHEUS_API_VERSION = "2.42.0";

  private static final BuildInfo CURRENT = load();

  public static BuildInfo current() {
    return CURRENT;
  }

  private static BuildInfo load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/theseus-build.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException ignored) {
      // Missing build facts are reported as "unknown".
    }
    return new BuildInfo(
        p.getProperty("version", "unknown"),
        p.getProperty("revision", "unknown"),
        p.getProperty("branch", "main"),
        p.getProperty("buildDate", "unknown"));
  }
}
