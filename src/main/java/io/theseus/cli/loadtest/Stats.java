package io.theseus.cli.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters and latency histograms of one target. Workers record concurrently (LongAdder,
 * HdrHistogram Recorder); one reporter thread calls {@link #tick} once a second to fold the
 * interval histogram into the totals and append a timeline point. Latencies in microseconds.
 */
final class Stats {
  static final long MAX_US = 3_600_000_000L;

  final LongAdder ackedSamples = new LongAdder();
  final LongAdder rejectedSamples = new LongAdder();
  final LongAdder failedSamples = new LongAdder();
  final LongAdder droppedSamples = new LongAdder();
  final LongAdder requests = new LongAdder();
  final LongAdder okRequests = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder status4xx = new LongAdder();
  final LongAdder status5xx = new LongAdder();
  final LongAdder ioErrors = new LongAdder();
  final LongAdder wireBytes = new LongAdder();
  final LongAdder rawBytes = new LongAdder();
  final LongAdder encodeNanos = new LongAdder();
  /** CPU time of the shard threads (generate, encode, compress, send), from ThreadMXBean. */
  final LongAdder workerCpuNanos = new LongAdder();
  final AtomicLong pendingSamples = new AtomicLong();
  final AtomicReference<String> firstError = new AtomicReference<>();

  final Recorder latency = new Recorder(MAX_US, 3);
  final Histogram total = new Histogram(MAX_US, 3);
  private Histogram interval;

  /** Timeline points: {elapsedSec, ackedSamples/s, p50 ms, p99 ms, errors/s, pending}. */
  final List<double[]> timeline = new ArrayList<>();
  private long lastAcked;
  private long lastErrors;
  private double lastT;

  void recordLatencyNanos(long nanos) {
    latency.recordValue(Math.min(MAX_US, Math.max(0, nanos / 1000)));
  }

  void error(String message) {
    firstError.compareAndSet(null, message);
  }

  long errors() {
    return status4xx.sum() + status5xx.sum() + ioErrors.sum();
  }

  /** Folds the interval histogram in; returns {rate, p50ms, p99ms} of the interval. */
  synchronized double[] tick(double elapsedSec) {
    interval = latency.getIntervalHistogram(interval);
    total.add(interval);
    long acked = ackedSamples.sum();
    long errs = errors();
    double dt = elapsedSec - lastT;
    double rate = (acked - lastAcked) / Math.max(1e-3, dt);
    double p50 = interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(50) / 1000.0;
    double p99 = interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(99) / 1000.0;
    if (dt >= 0.5) { // a shorter tail (end of a round) merges into the next point, no rate spikes
      timeline.add(new double[] {elapsedSec, rate, p50, p99, (errs - lastErrors) / dt, pendingSamples.get()});
      lastAcked = acked;
      lastErrors = errs;
      lastT = elapsedSec;
    }
    return new double[] {rate, p50, p99};
  }

  double percentileMs(double p) {
    return total.getTotalCount() == 0 ? 0 : total.getValueAtPercentile(p) / 1000.0;
  }
}
