package io.theseus.cli.loadtest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Verification during the write phase ({@code --verify-during DUR}): every interval, on its own
 * daemon thread, verifies the ticks that became fully resolved on every shard since the last check
 * ({@link TargetRun#resolvedTicks()}: every batch covering them was acknowledged, refused or
 * dropped for good) through the same {@link Verifier} and {@link ReadBack} as the final check.
 * Windows are consecutive and never overlap, so each sample is checked once, with one persistent
 * {@link SeriesModel.Cursor}; a check covers at most {@link #MAX_SAMPLES_PER_CHECK} samples
 * (later ticks wait for the next check), so the generator's threads never wait for it and the
 * extra load on the server is one bounded read per family per interval.
 *
 * <p>A window is read right after its samples were acknowledged, so a store that acknowledges
 * before the data is readable would show as missing: Theseus answers from its head at once. A
 * read error stops further checks (the cursor would lose step) and fails the run, as a loss does.
 *
 * <p>Threading: {@link #start}/{@link #stop} from the run's thread; totals are guarded by this.
 */
final class DuringVerifier {
  static final long MAX_SAMPLES_PER_CHECK = 200_000;
  /** Per-check rows kept for the JSON report (the totals cover every check). */
  static final int MAX_CHECK_ROWS = 1_000;

  private final TargetRun run;
  private final ReadBack readBack;
  private final long intervalMs;
  private final Verifier verifier;
  private final SeriesModel.Cursor cursor;
  private final Verifier.Result totals = new Verifier.Result();
  private final java.util.List<Map<String, Object>> rows = new java.util.ArrayList<>();
  private final Object wake = new Object();
  private Thread thread;
  private volatile boolean stopping;
  private long checks;
  private long nextTick;
  private boolean broken;

  DuringVerifier(TargetRun run, ReadBack readBack, long intervalMs) {
    this.run = run;
    this.readBack = readBack;
    this.intervalMs = intervalMs;
    this.verifier = new Verifier(run);
    this.cursor = run.model.new Cursor();
  }

  void start() {
    thread = new Thread(this::loop, "lt-verify-during-" + run.target.name());
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops after the check in progress (windows not yet checked are left to the final verify). */
  void stop() throws InterruptedException {
    stopping = true;
    synchronized (wake) {
      wake.notifyAll();
    }
    if (thread != null) {
      thread.join();
    }
  }

  private void loop() {
    while (!stopping) {
      synchronized (wake) {
        try {
          wake.wait(intervalMs);
        } catch (InterruptedException e) {
          return;
        }
      }
      if (stopping) {
        return;
      }
      if (!checkOnce()) {
        return;
      }
    }
  }

  /** One check of the newly resolved ticks; false once checking cannot go on. */
  boolean checkOnce() {
    long resolved = run.resolvedTicks();
    long maxTicks = Math.max(1, MAX_SAMPLES_PER_CHECK / Math.max(1, run.w.series()));
    long to = Math.min(resolved, nextTick + maxTicks);
    if (to <= nextTick) {
      return true;
    }
    java.util.BitSet[][] snapshots = new java.util.BitSet[run.shards.length][];
    for (int c = 0; c < snapshots.length; c++) {
      snapshots[c] = run.shards[c].snapshot();
    }
    long t0 = System.nanoTime();
    Verifier.Result r = verifier.verify(readBack, cursor, nextTick, to, snapshots);
    r.seconds = (System.nanoTime() - t0) / 1e9;
    synchronized (this) {
      checks++;
      if (rows.size() < MAX_CHECK_ROWS) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("from_tick", nextTick);
        row.put("to_tick", to);
        row.put("required", r.required);
        row.put("found_required", r.foundRequired);
        row.put("missing", r.missing);
        row.put("mismatches", r.altered + r.duplicated + r.unexpected + r.labelMismatches);
        row.put("errors", r.errors.size());
        row.put("seconds", r.seconds);
        rows.add(row);
      }
      nextTick = to;
      add(r);
      broken = !r.errors.isEmpty();
    }
    return !broken;
  }

  private void add(Verifier.Result r) {
    totals.required += r.required;
    totals.optional += r.optional;
    totals.foundRequired += r.foundRequired;
    totals.foundOptional += r.foundOptional;
    totals.missing += r.missing;
    totals.altered += r.altered;
    totals.duplicated += r.duplicated;
    totals.unexpected += r.unexpected;
    totals.labelMismatches += r.labelMismatches;
    totals.seriesChecked += r.seriesChecked;
    totals.seconds += r.seconds;
    totals.errors.addAll(r.errors);
    for (Verifier.Mismatch m : r.mismatches) {
      totals.mismatch(m);
    }
  }

  synchronized boolean ok() {
    return totals.ok();
  }

  synchronized long checks() {
    return checks;
  }

  /** A copy of the totals so far. */
  synchronized Verifier.Result totals() {
    Verifier.Result c = new Verifier.Result();
    Verifier.Result saved = totals;
    c.required = saved.required;
    c.optional = saved.optional;
    c.foundRequired = saved.foundRequired;
    c.foundOptional = saved.foundOptional;
    c.missing = saved.missing;
    c.altered = saved.altered;
    c.duplicated = saved.duplicated;
    c.unexpected = saved.unexpected;
    c.labelMismatches = saved.labelMismatches;
    c.seriesChecked = saved.seriesChecked;
    c.seconds = saved.seconds;
    c.errors.addAll(saved.errors);
    c.mismatches.addAll(saved.mismatches);
    return c;
  }

  /** The live-line part: checks, samples found of required, and losses. */
  synchronized String live() {
    return String.format(java.util.Locale.ROOT, "verified %d/%d in %d checks%s",
        totals.foundRequired, totals.required, checks, totals.ok() ? "" : " FAILED missing "
            + totals.missing + " mismatches "
            + (totals.altered + totals.duplicated + totals.unexpected + totals.labelMismatches));
  }

  synchronized Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("interval_ms", intervalMs);
    m.put("checks", checks);
    m.put("ticks_checked", nextTick);
    m.put("via", readBack.describe());
    m.putAll(totals.toMap());
    m.put("per_check", new java.util.ArrayList<>(rows));
    return m;
  }
}
