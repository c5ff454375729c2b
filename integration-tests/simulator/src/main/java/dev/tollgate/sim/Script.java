package dev.tollgate.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The model's side of a conversation: each model request (in any wire format the simulator serves) consumes the
 * next turn. Past the end the model answers {@value #FALLBACK_ANSWER}.
 * Tool call ids are stable and predictable: {@code call_<turn>_<index>}, turns counted from 1 (the Anthropic Messages
 * API gets {@code toolu_<turn>_<index>}; the Gemini API gets no ids).
 */
public record Script(List<Turn> turns) {

    public static final String FALLBACK_ANSWER = "done";

    public Script {
        turns = List.copyOf(turns);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A script that only ever answers {@value #FALLBACK_ANSWER}. */
    public static Script empty() {
        return new Script(List.of());
    }

    public Turn turn(int index) {
        return index < turns.size() ? turns.get(index) : new Turn.Answer(FALLBACK_ANSWER);
    }

    /** The id the simulator gives the {@code index}-th call of turn {@code turn} (both as in {@link #toolCall}). */
    public static String callId(int turn, int index) {
        return "call_" + turn + "_" + index;
    }

    /** The first scripted call of the given tool, e.g. to find the tool result the framework sent back for it. */
    public ToolCall firstCallOf(String toolName) {
        return allCalls().stream().filter(c -> c.name().equals(toolName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("script never calls " + toolName));
    }

    public List<ToolCall> allCalls() {
        List<ToolCall> calls = new ArrayList<>();
        for (Turn turn : turns) {
            if (turn instanceof Turn.ToolCalls toolCalls) {
                calls.addAll(toolCalls.calls());
            }
        }
        return calls;
    }

    public static final class Builder {
        private final List<Turn> turns = new ArrayList<>();

        /** A turn with one tool call; {@code argumentsJson} is sent verbatim as {@code function.arguments}. */
        public Builder callTool(String name, String argumentsJson) {
            return callTools(Map.of(name, argumentsJson));
        }

        /** A turn with one tool call whose single argument is a string. */
        public Builder callTool(String name, String argName, String argValue) {
            return callTool(name, Json.object(argName, argValue));
        }

        /** A turn with several tool calls at once (parallel tool calls), in the map's iteration order. */
        public Builder callTools(Map<String, String> nameToArgumentsJson) {
            int turn = turns.size() + 1;
            List<ToolCall> calls = new ArrayList<>();
            nameToArgumentsJson.forEach((name, args) -> calls.add(new ToolCall(callId(turn, calls.size()), name, args)));
            turns.add(new Turn.ToolCalls(calls));
            return this;
        }

        /** A turn with several calls given as {@code name, argumentsJson} pairs; names may repeat. */
        public Builder callTools(String... nameArgumentPairs) {
            if (nameArgumentPairs.length == 0 || nameArgumentPairs.length % 2 != 0) {
                throw new IllegalArgumentException("expected name, arguments pairs: " + Arrays.toString(nameArgumentPairs));
            }
            int turn = turns.size() + 1;
            List<ToolCall> calls = new ArrayList<>();
            for (int i = 0; i < nameArgumentPairs.length; i += 2) {
                calls.add(new ToolCall(callId(turn, calls.size()), nameArgumentPairs[i], nameArgumentPairs[i + 1]));
            }
            turns.add(new Turn.ToolCalls(calls));
            return this;
        }

        public Builder answer(String text) {
            turns.add(new Turn.Answer(text));
            return this;
        }

        public Script build() {
            return new Script(turns);
        }
    }
}
