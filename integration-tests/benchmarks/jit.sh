#!/usr/bin/env bash
# What the JIT compiles during one app's start with one agent jar against another (or none): N interleaved starts
# each under HotSpot's -XX:+LogCompilation, then dev.tollgate.bench.CompileLog compares them (compile time per tier
# per start, the methods whose C2 time differs most, and the classes compiled more or less often). For changes on the
# agent's per-class path, which every class the app loads runs: their cost is largely the JIT's, on the core the app's
# own compilations need, and a whole process's CPU or wall time cannot resolve 10-20 ms of it (docs/benchmarks.md,
# "Start-up, fourteenth pass").
#   integration-tests/benchmarks/jit.sh APP A B [N]
# APP: langchain4j, spring-ai, spring-boot or quarkus; A and B: an agent jar, or "none"; N: starts each (default 4).
# Each jar first fills its own weave cache (one start, not counted). Needs the apps and this module built (run.sh
# builds them); the JDK is the one on PATH (or JAVA_HOME/bin/java). Logs land in target/jit/LABEL-N.xml (LABEL a, b).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
[ $# -ge 3 ] || { echo "usage: $0 APP A B [N]   (A, B: agent jar or none)" >&2; exit 2; }
APP=$1
N=${4:-4}
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
. "$HERE/startup-apps.sh"
A=$(startup_agent_jar "$2")
B=$(startup_agent_jar "$3")
startup_app "$APP"
cd "$HERE"
OUT=target/jit
rm -rf "$OUT"
mkdir -p "$OUT"
run() { # run LABEL JAR N
  startup_agent_flags "$2" "$OUT" "$1"
  local log=()
  [ "$3" = 0 ] || log=(-XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation "-XX:LogFile=$OUT/$1-$3.xml")
  "$JAVA" "${log[@]}" "${AGENT_FLAGS[@]}" "${STARTUP_CMD[@]}" > "$OUT/last.out" 2>&1 \
    || { echo "start with $2 failed:"; cat "$OUT/last.out"; exit 1; }
  [ "$(tail -1 "$OUT/last.out")" = STARTED ] || { echo "start with $2 printed:"; cat "$OUT/last.out"; exit 1; }
}
run a "$A" 0 # fills a's weave cache; not counted
run b "$B" 0
for i in $(seq 1 "$N"); do # interleaved, the order swapped every start
  if [ $((i % 2)) = 1 ]; then run a "$A" "$i"; run b "$B" "$i"; else run b "$B" "$i"; run a "$A" "$i"; fi
done
echo "== $APP, $("$JAVA" -version 2>&1 | head -2 | tail -1); a = $A, b = $B"
"$JAVA" -cp "target/classes:$(cat target/classpath.txt)" dev.tollgate.bench.CompileLog "$OUT" a b
