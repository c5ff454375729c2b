# Sourced by run.sh and jit.sh: the four start-up apps, each in its start-up-only mode (it builds its AI service /
# ChatClient / Boot context / Quarkus app with its tools, prints STARTED and exits; no model is called).
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
