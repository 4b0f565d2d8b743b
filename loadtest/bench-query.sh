#!/usr/bin/env bash
# Query latency: Theseus vs Debian's Prometheus 2.42 holding the same data (issue 6 item 8).
# Starts Prometheus (remote-write receiver, 127.0.0.1 only, fresh TSDB) and, unless THESEUS_URL
# is set, a fresh Theseus on its embedded Cassandra (free ports, temporary data dir, ingestion
# limits raised, 1s flush period and retain period so that POST /flush empties the head), runs
# loadtest/query-bench.yaml (ordered 25h backfill into both, then the range queries: Theseus
# head+store, Prometheus, Theseus flushed = Cassandra only), prints the table with the
# Theseus/Prometheus ratios, and stops what it started.
#   loadtest/bench-query.sh [extra loadtest args, e.g. --series 200 --backfill 25h --json r.json]
#   WORKLOAD=other.yaml THESEUS_URL=http://127.0.0.1:9009 loadtest/bench-query.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
workload="${WORKLOAD:-$here/loadtest/query-bench.yaml}"
tmp="$(mktemp -d)"
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

pport="$(free_port)"
echo 'global: {scrape_interval: 1h}' > "$tmp/prometheus.yml"
/usr/bin/prometheus --config.file="$tmp/prometheus.yml" --web.enable-remote-write-receiver \
  --web.listen-address="127.0.0.1:$pport" --storage.tsdb.path="$tmp/prom" \
  >"$tmp/prometheus.log" 2>&1 &
pids+=($!)

if [[ -z "${THESEUS_URL:-}" ]]; then
  tport="$(free_port)"
  cat > "$tmp/theseus.yaml" <<YAML
server: {listen: "127.0.0.1:$tport", data_dir: "$tmp/theseus"}
cassandra: {embedded_port: 0, consistency: ONE}
ingester: {flush_period_ms: 1000, retain_period_ms: 1000}
limits: {ingestion_rate: 10000000, ingestion_burst_size: 20000000}
YAML
  "$here/theseus" serve --config "$tmp/theseus.yaml" >"$tmp/theseus.log" 2>&1 &
  pids+=($!)
  THESEUS_URL="http://127.0.0.1:$tport"
fi

for i in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$pport/-/ready" >/dev/null && curl -sf "$THESEUS_URL/ready" >/dev/null && break
  sleep 0.5
done
curl -sf "$THESEUS_URL/ready" >/dev/null || { echo "Theseus not ready:"; tail -20 "$tmp/theseus.log"; exit 1; }

sed -e "s#http://127.0.0.1:9009#$THESEUS_URL#g" -e "s#http://127.0.0.1:9090#http://127.0.0.1:$pport#g" \
  "$workload" > "$tmp/workload.yaml"
"$here/theseus" loadtest -f "$tmp/workload.yaml" --progress never "$@"
