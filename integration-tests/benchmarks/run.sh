#!/usr/bin/env bash
# Runs every Tollgate benchmark and prints one table: benchmark, result, target, met?
#   integration-tests/benchmarks/run.sh [--quick] [--skip-build] [--startup-only] [--rounds N]
# Builds what it needs (the agent, the apps, this module and the OpenTelemetry javaagent from Maven Central),
# then: the JMH suite (tool-guard overhead, decision throughput, LLM-call overhead with and without the agent),
# whole-JVM probes (streaming time to first byte, a 100 MB stream, heap after 10 000 calls) and JVM start-up of
# four apps (LangChain4j, Spring AI, a Spring Boot fat jar, Quarkus) without agent / with Tollgate / with
# OpenTelemetry / with both, interleaved.
# About 15 minutes on 2 cores; --quick (one short iteration, fewer calls and rounds) about 4, for development;
# --startup-only runs only the start-up part (about 12 minutes with 7 rounds); --rounds N sets its rounds (each
# variant's first start, round 0, is run and reported apart: see Report).
# BEFORE_AGENT=path/to/an/older/tollgate-agent.jar adds a fifth start-up variant, "before", interleaved with the
# others: a before/after comparison under the same load. STARTUP_VARIANTS="none tollgate" (say) runs fewer
# variants, STARTUP_APPS="quarkus" (say) fewer apps.
# The JDK is the one on PATH (or JAVA_HOME/bin/java). Everything lands in integration-tests/benchmarks/target/bench.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
QUICK=false
BUILD=true
STARTUP_ONLY=false
ROUNDS_ARG=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=true ;;
    --skip-build) BUILD=false ;;
    --startup-only) STARTUP_ONLY=true ;;
    --rounds) ROUNDS_ARG=$2; shift ;;
    *) echo "usage: $0 [--quick] [--skip-build] [--startup-only] [--rounds N]" >&2; exit 2 ;;
  esac
  shift
done
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

if $BUILD; then
  echo "== building (agent, apps, benchmarks; -Pbench fetches the OpenTelemetry javaagent)"
  (cd "$ROOT" && mvn -B -q -Pbench -DskipTests -pl integration-tests/benchmarks,integration-tests/apps/spring-boot-fatjar,integration-tests/apps/quarkus-langchain4j -am package)
fi

cd "$HERE"
OUT=target/bench
rm -rf "$OUT"
mkdir -p "$OUT"
CP="target/classes:$(cat target/classpath.txt)"
# JVMs started with -javaagent must not have the agent's own classes on their class path (the JVM would load
# the premain class from there instead of from the agent jar): the LLM benchmarks and probes use this one
APP_CP="$(echo "$CP" | tr ':' '\n' | grep -v '/tollgate-agent-[^/]*\.jar$' | paste -sd:)"
AGENT="$ROOT/agent/target/tollgate-agent.jar"
OTEL="$HERE/target/agents/opentelemetry-javaagent.jar"
OTEL_FLAGS=(-Dotel.traces.exporter=none -Dotel.metrics.exporter=none -Dotel.logs.exporter=none)
for f in "$AGENT" "$OTEL"; do
  [ -f "$f" ] || { echo "missing $f: run without --skip-build" >&2; exit 1; }
done
load() { cut -d' ' -f1-3 /proc/loadavg; }

{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "java=$("$JAVA" -version 2>&1 | head -2 | tail -1)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "nproc=$(nproc)"
  echo "memory=$(free -h | awk '/^Mem:/ {print $2}')"
  echo "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "load_before=$(load)"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt"

if $QUICK; then
  JMH_OPTS=(-wi 1 -i 1 -w 1 -r 1)
  TTFB_CALLS=500; HEAP_CALLS=2000; PAIRS=1; ROUNDS=3
else
  JMH_OPTS=()
  TTFB_CALLS=3000; HEAP_CALLS=10000; PAIRS=3; ROUNDS=7
fi
ROUNDS=${ROUNDS_ARG:-$ROUNDS}

jmh() { # jmh NAME CLASSPATH REGEX
  echo "== JMH $1 (load $(load))"
  "$JAVA" -cp "$2" org.openjdk.jmh.Main "${JMH_OPTS[@]}" -rf json -rff "$OUT/jmh-$1.json" "$3" > "$OUT/jmh-$1.log" 2>&1 \
    || { tail -40 "$OUT/jmh-$1.log"; exit 1; }
  sed -n '/^Benchmark /,$p' "$OUT/jmh-$1.log" | grep -v '·p0\.\(00\|90\|95\|999\|9999\)\|·p1\.00' || true
}
if ! $STARTUP_ONLY; then
jmh tool "$CP" 'ToolGuardBenchmark|DecisionThroughputBenchmark'
# the fleet store's figures: a real redis-server (the binary inside the embedded-redis test jar in ~/.m2) on loopback
REDIS_JAR=$(ls ~/.m2/repository/com/github/codemonstur/embedded-redis/*/embedded-redis-*.jar | tail -1)
unzip -o -q "$REDIS_JAR" redis-server-6.2.6-v5-linux-amd64 -d "$OUT" && chmod +x "$OUT/redis-server-6.2.6-v5-linux-amd64"
"$OUT/redis-server-6.2.6-v5-linux-amd64" --port 16389 --bind 127.0.0.1 --save '' --appendonly no > "$OUT/redis.log" 2>&1 &
REDIS_PID=$!
trap 'kill $REDIS_PID 2>/dev/null || true' EXIT
sleep 0.5
jmh llm "$APP_CP" 'LlmCallBenchmark|RedisRoundTripBenchmark|RedisStoreBenchmark'
kill $REDIS_PID 2>/dev/null || true

probe() { # probe NAME governed|bare ARGS...
  local name=$1 how=$2; shift 2
  local agent=()
  if [ "$how" = governed ]; then
    agent=("-javaagent:$AGENT=policy=bench-policy.yaml,log=$OUT/probe-$name.jsonl")
  fi
  "$JAVA" "${agent[@]}" "${EXTRA[@]}" -cp "$APP_CP" dev.tollgate.bench.ProcessProbe "$@" > "$OUT/$name.txt" 2> "$OUT/$name.err" \
    || { echo "probe $name failed:"; cat "$OUT/$name.err"; exit 1; }
  grep -q "governed=$([ "$how" = governed ] && echo true || echo false)" "$OUT/$name.txt" \
    || { echo "probe $name: agent state not as expected"; cat "$OUT/$name.txt" "$OUT/$name.err"; exit 1; }
}

echo "== probes: streaming time to first byte, $PAIRS alternating pairs (load $(load))"
EXTRA=()
for i in $(seq 1 "$PAIRS"); do
  probe "ttfb-bare-$i" bare ttfb "$TTFB_CALLS"
  probe "ttfb-governed-$i" governed ttfb "$TTFB_CALLS"
done
echo "== probes: heap after $HEAP_CALLS tool + $HEAP_CALLS LLM calls (load $(load))"
EXTRA=(-Xmx256m)
probe heap-bare bare heap "$HEAP_CALLS"
probe heap-governed governed heap "$HEAP_CALLS"
echo "== probes: one 100 MB stream in -Xmx64m (load $(load))"
EXTRA=(-Xmx64m)
probe stream-bare bare stream 100000000
probe stream-governed governed stream 100000000

fi

echo "== start-up: $ROUNDS rounds x (${STARTUP_VARIANTS:-none tollgate otel both}${BEFORE_AGENT:+ before}) x 4 apps (load $(load))"
. "$HERE/startup-apps.sh"
start_once() { # start_once APP VARIANT ROUND
  local app=$1 variant=$2 round=$3 cmd flags=()
  startup_app "$app"
  cmd=("${STARTUP_CMD[@]}")
  # each app (and variant) its own weave cache, as each app has its own ledger directory in production: its first
  # run (round 0) fills it (cold)
  local tollgate="-javaagent:$AGENT=policy=bench-policy.yaml,log=$OUT/startup-$app-$variant-$round.jsonl,weave-cache=$OUT/weave-cache-$app-$variant"
  case "$variant" in
    none) ;;
    tollgate) flags=("$tollgate") ;;
    before) flags=("-javaagent:$BEFORE_AGENT=policy=bench-policy.yaml,log=$OUT/startup-$app-before-$round.jsonl") ;;
    otel) flags=("-javaagent:$OTEL" "${OTEL_FLAGS[@]}") ;;
    both) flags=("$tollgate" "-javaagent:$OTEL" "${OTEL_FLAGS[@]}") ;;
  esac
  local t0 t1 out
  t0=$(date +%s%N)
  out=$("$JAVA" "${flags[@]}" "${cmd[@]}" 2>"$OUT/startup-last.err") \
    || { echo "start-up $app/$variant failed:"; cat "$OUT/startup-last.err"; exit 1; }
  t1=$(date +%s%N)
  [ "$(echo "$out" | tail -1)" = STARTED ] || { echo "start-up $app/$variant printed: $out"; exit 1; }
  printf '%s\t%s\t%s\t%s\n' "$app" "$variant" "$round" $(( (t1 - t0) / 1000000 )) >> "$OUT/startup.tsv"
}
read -r -a VARIANTS <<< "${STARTUP_VARIANTS:-none tollgate otel both}"
if [ -n "${BEFORE_AGENT:-}" ]; then
  VARIANTS+=(before)
fi
for app in ${STARTUP_APPS:-langchain4j spring-ai spring-boot quarkus}; do
  # round 0, not in the medians: each variant's first start warms the page cache for its jars and, for the Tollgate
  # variants, fills the app's weave cache (cold: ByteBuddy weaves). Round 0 of tollgate is reported on its own as the
  # first start; rounds 1..N are later starts, with the cache warm.
  for variant in "${VARIANTS[@]}"; do
    start_once "$app" "$variant" 0
  done
  for round in $(seq 1 "$ROUNDS"); do
    for k in "${!VARIANTS[@]}"; do # rotate the order every round so no variant always runs first
      start_once "$app" "${VARIANTS[$(( (k + round) % ${#VARIANTS[@]} ))]}" "$round"
    done
  done
  echo "   $app done (load $(load))"
done

echo "load_after=$(load)" >> "$OUT/machine.txt"
echo
echo "== results ($(grep '^java=' "$OUT/machine.txt" | cut -d= -f2-); load before $(grep load_before "$OUT/machine.txt" | cut -d= -f2), after $(load))"
"$JAVA" -cp "$CP" dev.tollgate.bench.Report "$OUT" $($STARTUP_ONLY && echo --startup-only)
echo "(table also in $HERE/$OUT/results.md; raw: jmh.json, startup.tsv, probe files)"
