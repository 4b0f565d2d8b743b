package io.theseus.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Where the build's files are: the Cassandra classpath file written by the Maven build. */
final class Paths2 {
  private Paths2() {}

  /**
   * {@code -Dtheseus.cassandra.classpath}, else {@code target/cassandra.classpath} next to the
   * classes or jar this code was loaded from.
   */
  static Path cassandraClasspath() {
    String prop = System.getProperty("theseus.cassandra.classpath");
    if (prop != null) {
      return Paths.get(prop);
    }
    try {
      Path code =
          Paths.get(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path target = Files.isDirectory(code) ? code.getParent() : code.getParent();
      return target.resolve("cassandra.classpath");
    } catch (URISyntaxException | SecurityException e) {
      return Paths.get("target", "cassandra.classpath");
    }
  }
}
