package io.theseus.cli.loadtest;

import java.util.ArrayList;
import java.util.List;

/**
 * An open-loop target rate over time: a list of linear segments (start rate, end rate, length).
 * After the last segment the last rate holds. {@link #samplesDue} is the integral of the rate and
 * {@link #timeFor} its inverse: batch g of size B is intended to start at {@code timeFor(g * B)}.
 * Immutable; thread-safe.
 */
final class RateProfile {
  record Segment(double fromRate, double toRate, double seconds) {}

  private final List<Segment> segments;
  private final double[] startT;
  private final double[] startN;

  RateProfile(List<Segment> segments) {
    if (segments.isEmpty()) {
      throw new IllegalArgumentException("rate profile: no segments");
    }
    for (Segment s : segments) {
      if (s.fromRate < 0 || s.toRate < 0 || s.seconds <= 0) {
        throw new IllegalArgumentException("rate profile: bad segment " + s);
      }
    }
    this.segments = List.copyOf(segments);
    startT = new double[segments.size() + 1];
    startN = new double[segments.size() + 1];
    for (int i = 0; i < segments.size(); i++) {
      Segment s = segments.get(i);
      startT[i + 1] = startT[i] + s.seconds;
      startN[i + 1] = startN[i] + (s.fromRate + s.toRate) / 2 * s.seconds;
    }
  }

  static RateProfile constant(double rate) {
    return new RateProfile(List.of(new Segment(rate, rate, 1)));
  }

  /** Linear from {@code from} to {@code to} over {@code rampSec}, then {@code to}. */
  static RateProfile ramp(double from, double to, double rampSec) {
    return new RateProfile(List.of(new Segment(from, to, rampSec), new Segment(to, to, 1)));
  }

  /** {@code base}, then {@code base*factor} for {@code lenSec} from {@code atSec}, then base. */
  static RateProfile spike(double base, double factor, double atSec, double lenSec) {
    List<Segment> s = new ArrayList<>();
    if (atSec > 0) {
      s.add(new Segment(base, base, atSec));
    }
    s.add(new Segment(base * factor, base * factor, lenSec));
    s.add(new Segment(base, base, 1));
    return new RateProfile(s);
  }

  List<Segment> segments() {
    return segments;
  }

  double rateAt(double t) {
    int i = segmentAt(t);
    if (i >= segments.size()) {
      return segments.get(segments.size() - 1).toRate;
    }
    Segment s = segments.get(i);
    return s.fromRate + (s.toRate - s.fromRate) * (t - startT[i]) / s.seconds;
  }

  /** Samples due in [0, t] seconds. */
  double samplesDue(double t) {
    if (t <= 0) {
      return 0;
    }
    int i = segmentAt(t);
    if (i >= segments.size()) {
      return startN[segments.size()] + segments.get(segments.size() - 1).toRate * (t - startT[i]);
    }
    Segment s = segments.get(i);
    double dt = t - startT[i];
    return startN[i] + s.fromRate * dt + (s.toRate - s.fromRate) * dt * dt / (2 * s.seconds);
  }

  /** Smallest t with samplesDue(t) >= n, or +Infinity if never reached. */
  double timeFor(double n) {
    if (n <= 0) {
      return 0;
    }
    int last = segments.size();
    if (n > startN[last]) {
      double r = segments.get(last - 1).toRate;
      return r <= 0 ? Double.POSITIVE_INFINITY : startT[last] + (n - startN[last]) / r;
    }
    int i = 0;
    while (startN[i + 1] < n) {
      i++;
    }
    Segment s = segments.get(i);
    double need = n - startN[i];
    double a = (s.toRate - s.fromRate) / (2 * s.seconds);
    double b = s.fromRate;
    double dt;
    if (Math.abs(a) < 1e-12) {
      dt = need / b;
    } else {
      // a dt^2 + b dt - need = 0, positive root, numerically stable form
      dt = 2 * need / (b + Math.sqrt(b * b + 4 * a * need));
    }
    return startT[i] + Math.min(dt, s.seconds);
  }

  private int segmentAt(double t) {
    int i = 0;
    while (i < segments.size() && t >= startT[i + 1]) {
      i++;
    }
    return i;
  }
}
