#!/usr/bin/env bash
# Benchmark Theseus's remote-write path with the loadtest benchmark workload, the counterpart of
# bench-prometheus.sh. Starts a fresh Theseus on its embedded Cassandra (free ports, temporary
# data dir, ingestion limits raised so the Cortex default of 25,000 samples/s per tenant does not
# answer 429), runs the load test (closed loop, 10,000 series x 10 labels, 2,000-sample requests,
# 8 connections, 30 s) plus any extra args (e.g. --verify), then prints:
#   - CPU seconds of the Theseus JVM and of its Cassandra child during the run;
#   - heap in use after a full GC, idle and after the run, and the difference per active series;
#   - peak RSS of both processes;
#   - bytes per sample in Cassandra after POST /flush (./theseus schema stats).
#   loadtest/bench-theseus.sh [extra loadtest args]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
series=10000
tmp="$(mktemp -d)"
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
tport="$(free_port)"
cport="$(free_port)"
cat > "$tmp/theseus.yaml" <<YAML
server: {listen: "127.0.0.1:$tport", data_dir: "$tmp/theseus"}
cassandra: {embedded_port: $cport, consistency: ONE}
limits: {ingestion_rate: 100000000, ingestion_burst_size: 100000000}
YAML
"$here/theseus" serve --config "$tmp/theseus.yaml" >"$tmp/theseus.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$tport/ready" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$tport/ready" >/dev/null || { tail -20 "$tmp/theseus.log"; exit 1; }
cpid="$(pgrep -f "cassandra.storagedir=$tmp" | head -1 || true)"
[[ -n "$cpid" ]] || { echo "no Cassandra child found"; exit 1; }

ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
heap_after_gc() { # KiB of heap in use after a full GC
  jcmd "$1" GC.run >/dev/null
  jcmd "$1" GC.heap_info | awk '/used/ {for (i=1;i<=NF;i++) if ($i=="used") {v=$(i+1); sub("K","",v); s+=v}} END {print s}'
}
idle_heap=$(heap_after_gc "$pid")
t0=$(cpu "$pid"); c0=$(cpu "$cpid")
"$here/theseus" loadtest -f "$here/loadtest/benchmark.yaml" \
  --url "http://127.0.0.1:$tport/api/v1/push" --query-url "http://127.0.0.1:$tport/prometheus" \
  --tenant bench "$@" || true
t1=$(cpu "$pid"); c1=$(cpu "$cpid")
loaded_heap=$(heap_after_gc "$pid")
trss=$(awk '/VmHWM/{print $2}' "/proc/$pid/status")
crss=$(awk '/VmHWM/{print $2}' "/proc/$cpid/status")
echo "theseus: CPU $(( (t1-t0) / ticks )) s (JVM) + $(( (c1-c0) / ticks )) s (Cassandra) during the run"
echo "theseus: heap after full GC ${idle_heap} KiB idle, ${loaded_heap} KiB loaded:" \
  "$(( (loaded_heap-idle_heap) * 1024 / series )) bytes per active series (head incl. its samples)"
echo "theseus: peak RSS $((trss/1024)) MiB (JVM), $((crss/1024)) MiB (Cassandra)"
t2=$(cpu "$pid"); c2=$(cpu "$cpid")
curl -sf -X POST "http://127.0.0.1:$tport/flush" >/dev/null
t3=$(cpu "$pid"); c3=$(cpu "$cpid")
echo "theseus: POST /flush (every head chunk to Cassandra): CPU $(( (t3-t2) / ticks )) s (JVM) +" \
  "$(( (c3-c2) / ticks )) s (Cassandra)"
"$here/theseus" schema stats --cassandra "127.0.0.1:$cport" --keyspace theseus \
  -c "$here/schema/examples/v11.yaml" --from "$(date -u -d '-2 days' +%F)" --sample 100000000
