package io.theseus.store;

import java.io.InputStream;
import java.lang.reflect.Method;

/**
 * Entry point of the embedded Cassandra child JVM: starts {@code CassandraDaemon} and exits the
 * JVM as soon as its standard input reaches end-of-file.
 *
 * <p>The parent (Theseus) holds the write end of the child's stdin pipe and never writes to it.
 * When the parent exits for any reason, including {@code kill -9}, the kernel closes that pipe,
 * this thread reads EOF and calls {@link System#exit}, which runs Cassandra's own shutdown hooks
 * (drain, commit log sync). This is what guarantees that no orphan Cassandra outlives Theseus.
 *
 * <p>This class is copied as a lone {@code .class} file next to the node's data and put on the
 * child's classpath before Cassandra's jars, so it must reference nothing but {@code java.*}.
 */
public final class CassandraWatchdog {
  private CassandraWatchdog() {}

  public static void main(String[] args) throws Exception {
    Thread watcher =
        new Thread(
            () -> {
              try {
                InputStream in = System.in;
                byte[] buf = new byte[64];
                while (in.read(buf) >= 0) {
                  // The parent never writes; anything read is ignored.
                }
              } catch (Exception ignored) {
                // A broken pipe means the parent is gone, like EOF.
              }
              System.err.println("theseus-watchdog: parent gone, stopping Cassandra");
              System.exit(0);
            },
            "theseus-parent-watchdog");
    watcher.setDaemon(true);
    watcher.start();
    Class<?> daemon = Class.forName("org.apache.cassandra.service.CassandraDaemon");
    Method main = daemon.getMethod("main", String[].class);
    main.invoke(null, (Object) args);
  }
}
