#!/usr/bin/env bash
# Builds target/null-agent.jar from null-agent/NullAgent.java (a retransform-capable transformer that changes nothing,
# optionally busy: -Dnull-agent.main-ms in premain, -Dnull-agent.background-ms beside it, -Dnull-agent.per-class-us in
# every class load) and prints its path. A baseline for ab.sh, e.g. what 60 ms of premain costs a Spring Boot start:
#   ab.sh spring-boot 20 null=$(null-agent.sh) busy=$(null-agent.sh),-Dnull-agent.main-ms=60
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BIN="${JAVA_HOME:+$JAVA_HOME/bin/}"
OUT="$HERE/target/null-agent"
if [ ! -f "$HERE/target/null-agent.jar" ] || [ "$HERE/null-agent/NullAgent.java" -nt "$HERE/target/null-agent.jar" ]; then
  rm -rf "$OUT"
  mkdir -p "$OUT/classes"
  "${BIN}javac" --release 17 -d "$OUT/classes" "$HERE/null-agent/NullAgent.java"
  printf 'Premain-Class: NullAgent\nCan-Retransform-Classes: true\nCan-Redefine-Classes: true\n' > "$OUT/manifest.txt"
  "${BIN}jar" cfm "$HERE/target/null-agent.jar" "$OUT/manifest.txt" -C "$OUT/classes" .
fi
echo "$HERE/target/null-agent.jar"
