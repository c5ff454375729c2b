# Sourced by run.sh, jit.sh and ab.sh: the four start-up apps, each in its start-up-only mode (it builds its AI
# service / ChatClient / Boot context / Quarkus app with its tools, prints STARTED and exits; no model is called).
# startup_app APP sets the array STARTUP_CMD to the app's java arguments (after any -javaagent).
STARTUP_APPS_DIR="$ROOT/integration-tests/apps"
startup_app() {
  local apps=$STARTUP_APPS_DIR nowhere=http://127.0.0.1:9/v1
  case "$1" in
    langchain4j) STARTUP_CMD=(-cp "$apps/langchain4j/target/tollgate-it-app-langchain4j-0.1.0-SNAPSHOT.jar:$(cat "$apps/langchain4j/target/classpath.txt")"
      dev.tollgate.it.apps.langchain4j.ToolLoopApp --base-url $nowhere --startup-only) ;;
    spring-ai) STARTUP_CMD=(-cp "$apps/spring-ai-1/target/tollgate-it-app-spring-ai-1-0.1.0-SNAPSHOT.jar:$(cat "$apps/spring-ai-1/target/classpath.txt")"
      dev.tollgate.it.apps.springai.ToolLoopApp --base-url $nowhere --startup-only) ;;
    spring-boot) STARTUP_CMD=(-jar "$(ls "$apps"/spring-boot-fatjar/target/tollgate-it-app-spring-boot-fatjar-*.jar | grep -v sources | head -1)"
      startup-only --base-url $nowhere) ;;
    quarkus) STARTUP_CMD=(-jar "$apps/quarkus-langchain4j/target/quarkus-app/quarkus-run.jar" --base-url $nowhere --startup-only) ;;
    *) echo "unknown app $1: langchain4j, spring-ai, spring-boot or quarkus" >&2; return 2 ;;
  esac
}

# startup_agent_jar JAR prints JAR's absolute path (or none, for none); a jar that is not there ends the script.
startup_agent_jar() {
  if [ "$1" = none ]; then
    echo none
  elif [ -f "$1" ]; then
    echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
  else
    echo "no such agent jar: $1" >&2
    exit 1
  fi
}

# startup_agent_flags JAR DIR LABEL sets the array AGENT_FLAGS to the -javaagent option of JAR (none: no option) under
# bench-policy.yaml, with its log DIR/LABEL.jsonl and its own weave cache DIR/weave-cache-LABEL (paths relative to the
# benchmarks directory, where the scripts run the apps).
startup_agent_flags() {
  AGENT_FLAGS=()
  [ "$1" = none ] \
    || AGENT_FLAGS=("-javaagent:$1=policy=bench-policy.yaml,log=$2/$3.jsonl,weave-cache=$2/weave-cache-$3")
}
