#!/usr/bin/env bash
# Benchmark Debian's Prometheus 2.42 remote-write receiver with the loadtest benchmark workload.
# Starts Prometheus on a free loopback port with a fresh TSDB, runs the load test (closed loop,
# 10,000 series x 10 labels, 2,000-sample requests, 8 connections, 30 s, plus --verify),
# prints the receiver's CPU seconds and peak RSS, then stops Prometheus.
#   loadtest/bench-prometheus.sh [extra loadtest args]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
port="$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')"
echo 'global: {scrape_interval: 1h}' > "$tmp/prometheus.yml"
/usr/bin/prometheus --config.file="$tmp/prometheus.yml" --web.enable-remote-write-receiver \
  --web.listen-address="127.0.0.1:$port" --storage.tsdb.path="$tmp/data" >"$tmp/prometheus.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
until curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null; do sleep 0.2; done
ticks=$(getconf CLK_TCK)
cpu0=$(awk '{print $14+$15}' /proc/$pid/stat)
"$here/theseus" loadtest -f "$here/loadtest/benchmark.yaml" \
  --url "http://127.0.0.1:$port/api/v1/write" --query-url "http://127.0.0.1:$port" "$@" || true
cpu1=$(awk '{print $14+$15}' /proc/$pid/stat)
rss=$(awk '/VmHWM/{print $2}' /proc/$pid/status)
echo "prometheus 2.42: CPU $(( (cpu1-cpu0) / ticks )) s during the run, peak RSS $((rss/1024)) MiB" \
  "($(( rss * 1024 / 10000 )) bytes per active series incl. baseline)"
