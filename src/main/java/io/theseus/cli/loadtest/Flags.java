package io.theseus.cli.loadtest;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Command-line values of {@code theseus loadtest}; null means "not given" (the workload file or
 * the default applies). {@link #run} builds the workload and runs it.
 */
public final class Flags {
  public Path config;
  public List<String> urls = new ArrayList<>();
  public String queryUrl;
  public String tenant;
  public String bearerToken;
  public Map<String, String> headers;
  public String protocol;
  public Integer series;
  public Integer labels;
  public Integer valuesPerLabel;
  public Double rate;
  public String profile;
  public String duration;
  public String interval;
  public Integer connections;
  public Integer batchSize;
  public Long seed;
  public Boolean closedLoop;
  public Double churnPercent;
  public Double outOfOrderPercent;
  public Double duplicatePercent;
  public Integer haReplicas;
  public String backfill;
  public Double qps;
  public Integer queryRepeats;
  public boolean verify;
  public Path json;
  public Path html;
  public String compare;
  public String compareQueryUrl;
  public String compareTenant;
  public int rounds = 4;
  public List<String> failIf = new ArrayList<>();
  public String progress = "auto";
  public String verifyVia = "query";
  public String verifyDuring;

  /** Builds the workload from file + flags (flags win). */
  Workload workload() {
    Workload.Builder b = new Workload.Builder();
    if (config != null) {
      WorkloadYaml.apply(config, b);
    }
    if (!urls.isEmpty()) {
      b.targets.clear();
      for (int i = 0; i < urls.size(); i++) {
        b.targets.add(new Target(urls.size() == 1 ? "target" : "target" + i, urls.get(i), queryUrl, tenant,
            bearerToken, headers, 0));
      }
    } else if (tenant != null || bearerToken != null || queryUrl != null) {
      List<Target> t = new ArrayList<>();
      for (Target x : b.targets) {
        t.add(new Target(x.name(), x.url(), queryUrl != null ? queryUrl : x.queryUrl(),
            tenant != null ? tenant : x.tenant(), bearerToken != null ? bearerToken : x.bearerToken(),
            x.headers(), x.rate()));
      }
      b.targets = t;
    }
    if (protocol != null) b.protocol = WorkloadYaml.protocol(protocol);
    if (series != null) b.series = series;
    if (labels != null) b.labels = labels;
    if (valuesPerLabel != null) b.valuesPerLabel = valuesPerLabel;
    if (rate != null) b.rate = rate;
    if (profile != null) b.profileType = profile;
    if (duration != null) b.durationMs = Durations.parseMillis("--duration", duration);
    if (interval != null) b.intervalMs = Durations.parseMillis("--interval", interval);
    if (connections != null) b.connections = connections;
    if (batchSize != null) b.batchSize = batchSize;
    if (seed != null) b.seed = seed;
    if (closedLoop != null) b.closedLoop = closedLoop;
    if (churnPercent != null) b.churnPercent = churnPercent;
    if (outOfOrderPercent != null) b.outOfOrderPercent = outOfOrderPercent;
    if (duplicatePercent != null) b.duplicatePercent = duplicatePercent;
    if (haReplicas != null) b.haReplicas = haReplicas;
    if (backfill != null) b.backfillMs = Durations.parseMillis("--backfill", backfill);
    if (qps != null) b.qps = qps;
    if (queryRepeats != null) b.benchRepeats = queryRepeats;
    if (verify) b.verify = true;
    return b.build();
  }

  Target compareTarget() {
    if (compare == null) {
      return null;
    }
    return new Target("compare", compare, compareQueryUrl, compareTenant, null, null, 0);
  }

  public int run(PrintStream out, PrintStream err) throws Exception {
    Workload w = workload();
    Target cmp = compareTarget();
    if (cmp != null && w.targets().size() == 1 && w.targets().get(0).name().equals("compare")) {
      throw new IllegalArgumentException("--compare: target name clash");
    }
    return Loadtest.run(w, new Loadtest.Options(json, html, cmp, rounds, failIf, progress, verifyVia,
        verifyDuring == null ? 0 : Durations.parseMillis("--verify-during", verifyDuring), out, err));
  }
}
