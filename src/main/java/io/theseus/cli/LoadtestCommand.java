package io.theseus.cli;

import io.theseus.cli.loadtest.Flags;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code theseus loadtest}: the load generator and verifier. Options override the workload file;
 * the work is done by {@link io.theseus.cli.loadtest.Loadtest}. Exit codes: 0 pass, 1 verification
 * or threshold failure, 2 bad usage.
 */
@Command(
    name = "loadtest",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Drive remote-write and query load against Theseus (or any remote-write receiver) and verify every sample.",
      "Example: theseus loadtest -f loadtest/smoke.yaml --url http://127.0.0.1:9009/api/v1/push --verify",
      "Use --url discard to measure the generator alone."
    })
final class LoadtestCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = {"-f", "--workload"}, paramLabel = "FILE", description = "Workload YAML (see loadtest/*.yaml).")
  Path config;

  @Option(names = "--url", paramLabel = "URL", description = "Remote-write URL (repeatable; replaces the file's targets).")
  List<String> urls = new ArrayList<>();

  @Option(names = "--query-url", paramLabel = "URL", description = "Base URL of the query API (default: the write URL up to /api/v1/).")
  String queryUrl;

  @Option(names = "--tenant", paramLabel = "ID", description = "X-Scope-OrgID for writes and reads.")
  String tenant;

  @Option(names = "--bearer-token", paramLabel = "TOKEN", description = "Authorization: Bearer token.")
  String bearer;

  @Option(names = "-H", paramLabel = "NAME=VALUE", description = "Extra request header (repeatable).")
  Map<String, String> headers;

  @Option(names = "--protocol", paramLabel = "rw1|rw2", description = "Remote write 1.0 or 2.0 (default rw1).")
  String protocol;

  @Option(names = "--series", description = "Active series.") Integer series;
  @Option(names = "--labels", description = "Labels per series, counting __name__ and lt_series.") Integer labels;
  @Option(names = "--values-per-label", description = "Distinct values per label.") Integer valuesPerLabel;
  @Option(names = "--rate", paramLabel = "SAMPLES/S", description = "Open-loop target rate.") Double rate;
  @Option(names = "--profile", paramLabel = "TYPE", description = "constant|soak|ramp|step|spike (details in the file).") String profile;
  @Option(names = "--duration", paramLabel = "DUR", description = "Write phase length, e.g. 30s.") String duration;
  @Option(names = "--interval", paramLabel = "DUR", description = "Timestamp spacing per series (scrape interval).") String interval;
  @Option(names = {"-c", "--connections"}, description = "Connections (= ordered shards).") Integer connections;
  @Option(names = "--batch", description = "Samples per request.") Integer batch;
  @Option(names = "--seed", description = "Random seed (same seed, same samples).") Long seed;
  @Option(names = "--closed-loop", description = "As fast as it goes on N connections instead of a target rate.") Boolean closedLoop;
  @Option(names = "--churn", paramLabel = "PERCENT", description = "Series replaced per interval, in percent.") Double churn;
  @Option(names = "--out-of-order", paramLabel = "PERCENT", description = "Samples held back and sent late, in percent.") Double ooo;
  @Option(names = "--duplicates", paramLabel = "PERCENT", description = "Samples sent twice, in percent.") Double dups;
  @Option(names = "--ha-replicas", description = "HA replicas sending the same series (__replica__ label).") Integer ha;
  @Option(names = "--backfill", paramLabel = "DUR", description = "Start timestamps this far in the past.") String backfill;
  @Option(names = "--qps", description = "Query load, queries/s (0 = none).") Double qps;
  @Option(names = "--query-repeats", paramLabel = "N",
      description = "Runs per query and target of the query benchmark (queries.exprs).")
  Integer queryRepeats;
  @Option(names = "--verify", description = "Read every sample back and compare; exit 1 on any loss.") boolean verify;
  @Option(names = "--verify-via", paramLabel = "query|read|query,read", description = "Read back through the query API (JSON; NaN payloads lost), remote read (exact bits) or both. Default query.") String verifyVia = "query";
  @Option(names = "--verify-during", paramLabel = "DUR", description = "While writing, every DUR verify the samples all shards have settled (same read-back as --verify-via's first); exit 1 on loss found mid-run.") String verifyDuring;
  @Option(names = "--json", paramLabel = "FILE", description = "Write the JSON report.") Path json;
  @Option(names = "--html", paramLabel = "FILE", description = "Write the HTML report.") Path html;
  @Option(names = "--compare", paramLabel = "URL", description = "Second remote-write URL, run in alternating rounds.") String compare;
  @Option(names = "--compare-query-url", paramLabel = "URL", description = "Query base URL of the --compare endpoint.") String compareQueryUrl;
  @Option(names = "--compare-tenant", paramLabel = "ID", description = "Tenant for the --compare endpoint.") String compareTenant;
  @Option(names = "--rounds", description = "Rounds per endpoint with --compare (default 4).") int rounds = 4;
  @Option(names = "--fail-if", paramLabel = "EXPR", description = "Fail (exit 1) when true, e.g. 'p99>500ms', 'loss>0', 'rate<100k'.") List<String> failIf = new ArrayList<>();
  @Option(names = "--progress", paramLabel = "auto|always|never", description = "Live progress line (default auto: on a terminal).") String progress = "auto";

  @Override
  public Integer call() throws Exception {
    if (config == null && urls.isEmpty()) {
      spec.commandLine().usage(spec.commandLine().getOut());
      return 2;
    }
    Flags f = new Flags();
    f.config = config;
    f.urls = urls;
    f.queryUrl = queryUrl;
    f.tenant = tenant;
    f.bearerToken = bearer;
    f.headers = headers;
    f.protocol = protocol;
    f.series = series;
    f.labels = labels;
    f.valuesPerLabel = valuesPerLabel;
    f.rate = rate;
    f.profile = profile;
    f.duration = duration;
    f.interval = interval;
    f.connections = connections;
    f.batchSize = batch;
    f.seed = seed;
    f.closedLoop = closedLoop;
    f.churnPercent = churn;
    f.outOfOrderPercent = ooo;
    f.duplicatePercent = dups;
    f.haReplicas = ha;
    f.backfill = backfill;
    f.qps = qps;
    f.queryRepeats = queryRepeats;
    f.verify = verify;
    f.json = json;
    f.html = html;
    f.compare = compare;
    f.compareQueryUrl = compareQueryUrl;
    f.compareTenant = compareTenant;
    f.rounds = rounds;
    f.failIf = failIf;
    f.progress = progress;
    f.verifyVia = verifyVia;
    f.verifyDuring = verifyDuring;
    return f.run(System.out, System.err);
  }
}
