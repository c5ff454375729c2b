#!/usr/bin/env bash
# Interleaved starts of one app with several agent jars (or none), each with its own JVM options, and the medians of
# what each start cost: wall time, CPU time (user + system) and the JIT's C1 and C2 compile time (-XX:+CITime). For
# an A/B of a start-up change too small for run.sh's wall-time medians (docs/benchmarks.md, "Start-up, fifteenth
# pass": its measures came from a first form of this script).
#   integration-tests/benchmarks/ab.sh APP N LABEL=JAR[,JVM-OPTION...] ...
# APP: langchain4j, spring-ai, spring-boot or quarkus; N: counted starts of each variant (each variant also starts
# once first, not counted: the page cache, and its own weave cache); JAR: an agent jar, or none. Example:
#   ab.sh quarkus 12 none=none now=agent/target/tollgate-agent.jar nosweep=/tmp/b.jar,-Dsome.switch=true
# A baseline agent (a transformer that changes nothing, optionally busy in premain) comes from null-agent.sh:
#   ab.sh spring-boot 20 null=$(null-agent.sh) busy=$(null-agent.sh),-Dnull-agent.main-ms=60
# Needs the apps built (run.sh builds them); the JDK is the one on PATH (or JAVA_HOME/bin/java). The order of the
# variants rotates every round. Output: one line per start in target/ab/starts.tsv, then the medians.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
[ $# -ge 3 ] || { echo "usage: $0 APP N LABEL=JAR[,JVM-OPTION...] ...   (JAR: agent jar or none)" >&2; exit 2; }
APP=$1
N=$2
shift 2
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
. "$HERE/startup-apps.sh"
startup_app "$APP"
LABELS=()
declare -A JARS OPTIONS
for spec in "$@"; do
  label=${spec%%=*}
  rest=${spec#*=}
  [ "$label" != "$spec" ] && [ -n "$label" ] || { echo "not LABEL=JAR[,OPTION...]: $spec" >&2; exit 2; }
  jar=${rest%%,*}
  options=""
  [ "$jar" = "$rest" ] || options=${rest#*,}
  LABELS+=("$label")
  JARS[$label]=$(startup_agent_jar "$jar")
  OPTIONS[$label]=$options
done
cd "$HERE"
OUT=target/ab
rm -rf "$OUT"
mkdir -p "$OUT"
start() { # start LABEL ROUND -> appends "label round wall user sys c1 c2" (seconds) to starts.tsv when ROUND > 0
  local label=$1 round=$2 options=()
  startup_agent_flags "${JARS[$label]}" "$OUT" "$label"
  [ -z "${OPTIONS[$label]}" ] || IFS=, read -r -a options <<< "${OPTIONS[$label]}"
  local TIMEFORMAT='%R %U %S' times
  times=$( { time "$JAVA" "${options[@]}" "${AGENT_FLAGS[@]}" -XX:+CITime "${STARTUP_CMD[@]}" > "$OUT/last.out" \
    2>&1; } 2>&1 ) || { echo "start of $label failed:"; cat "$OUT/last.out"; exit 1; }
  grep -q '^STARTED$' "$OUT/last.out" || { echo "start of $label printed no STARTED:"; cat "$OUT/last.out"; exit 1; }
  local compile
  compile=$(awk '/C1 Compile Time:/ {c1=$4} /C2 Compile Time:/ {c2=$4} END {print c1, c2}' "$OUT/last.out")
  [ "$round" = 0 ] \
    || printf '%s\t%s\t%s\t%s\n' "$label" "$round" "${times// /$'\t'}" "${compile// /$'\t'}" >> "$OUT/starts.tsv"
}
count=${#LABELS[@]}
for round in $(seq 0 "$N"); do
  for k in $(seq 0 $((count - 1))); do
    start "${LABELS[$(( (k + round) % count ))]}" "$round"
  done
done
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo "== $APP, $("$JAVA" -version 2>&1 | head -2 | tail -1), $N starts each; medians in ms (starts: $OUT/starts.tsv)"
printf '%-12s %8s %8s %8s %8s\n' variant wall cpu C1 C2
for label in "${LABELS[@]}"; do
  rows=$(awk -v l="$label" -F'\t' '$1 == l' "$OUT/starts.tsv")
  printf '%-12s %8.0f %8.0f %8.0f %8.0f\n' "$label" \
    "$(cut -f3 <<< "$rows" | median | awk '{print $1 * 1000}')" \
    "$(awk -F'\t' '{print $4 + $5}' <<< "$rows" | median | awk '{print $1 * 1000}')" \
    "$(cut -f6 <<< "$rows" | median | awk '{print $1 * 1000}')" \
    "$(cut -f7 <<< "$rows" | median | awk '{print $1 * 1000}')"
done
