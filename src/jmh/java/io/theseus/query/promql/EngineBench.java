package io.theseus.query.promql;

import io.theseus.model.Labels;
import io.theseus.query.MemoryQueryable;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Range-query latency of typical dashboard queries over in-memory data: 1000 counter series and 100
 * five-bucket histograms scraped every 15s for one day. Measures the engine alone (no storage
 * decoding).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class EngineBench {
  private static final long DAY = 86_400_000L;

  @Param({
    "sum by (job) (rate(http_requests_total[5m]))",
    "histogram_quantile(0.99, sum by (le) (rate(lat_bucket[5m])))"
  })
  public String query;

  @Param({"1h", "24h"})
  public String range;

  private Engine engine;

  @Setup
  public void setup() {
    MemoryQueryable q = new MemoryQueryable();
    Random r = new Random(1);
    String[] les = {"0.1", "0.5", "1", "5", "+Inf"};
    for (int s = 0; s < 1000; s++) {
      Labels l =
          Labels.of("__name__", "http_requests_total", "job", "j" + (s % 10), "instance", "i" + s);
      Labels h = Labels.of("__name__", "lat_bucket", "le", les[s % 5], "instance", "i" + (s / 5));
      double v = 0;
      double hv = 0;
      for (long t = 0; t < DAY; t += 15_000) {
        v += r.nextInt(10);
        q.append(l, t, v);
        if (s < 500) {
          hv += r.nextInt(5);
          q.append(h, t, hv);
        }
      }
    }
    engine = new Engine(q);
  }

  @Benchmark
  public QueryResult rangeQuery() {
    long len = Parser.parseDurationMs(range);
    long step = Math.max(15_000, len / 250);
    return engine.range(query, DAY - len, DAY, step);
  }
}
