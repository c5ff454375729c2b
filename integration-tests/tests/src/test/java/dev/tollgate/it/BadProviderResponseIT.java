package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.sim.Fault;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.RecordedResponse;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A provider that answers badly (cut bodies, garbled streams, invalid JSON, missing or negative usage, wrong
 * content type, fake gzip, empty and one-byte chunks, a 10 MiB line, a reset connection): the app, reading with the
 * JDK HttpClient as a string and as an input stream, sees exactly the same thing with the agent as without it, and
 * the agent meters what it can, says what was wrong in {@code problem}, logs no body text and swallows no error.
 */
class BadProviderResponseIT {

    private static final String ANSWER = "ANSWER-TEXT-4f1c the capital is Paris";
    private static final Pattern CALL = Pattern.compile("^CALL (\\d+) (?:status=(\\d+) bytes=(\\d+) sha256=([0-9a-f]+)|error=([^:]+))");
    private static final String POLICY = """
            version: 1
            pricing:
              models:
                sim-model: { input_per_mtok: 1000, output_per_mtok: 2000 }
            budgets:
              - { name: process-cap, scope: process, max_usd: 1000 }
            """;

    /** Where a fault is tried: the OpenAI chat JSON reply, its SSE stream, the Anthropic SSE stream. */
    enum Target {
        CHAT_JSON("chat", false), CHAT_SSE("chat", true), ANTHROPIC_SSE("anthropic", true);

        final String api;
        final boolean stream;

        Target(String api, boolean stream) {
            this.api = api;
            this.stream = stream;
        }
    }

    /** What the agent should log: the usage kind, and whether a problem must be named. */
    private record Expected(String usage, boolean problem) {
    }

    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Target t : Target.values()) {
            cases.add(Arguments.of(Fault.TRUNCATED, t, 0));
            cases.add(Arguments.of(Fault.USAGE_MISSING, t, 0));
            cases.add(Arguments.of(Fault.NEGATIVE_USAGE, t, 0));
            cases.add(Arguments.of(Fault.CONNECTION_RESET, t, 0));
        }
        cases.add(Arguments.of(Fault.HUGE_LINE, Target.CHAT_JSON, 0));
        cases.add(Arguments.of(Fault.HUGE_LINE, Target.CHAT_SSE, 0));
        for (Target t : List.of(Target.CHAT_SSE, Target.ANTHROPIC_SSE)) {
            cases.add(Arguments.of(Fault.NONE, t, 1)); // one-byte chunks
            cases.add(Arguments.of(Fault.GARBLED_SSE, t, 0));
            cases.add(Arguments.of(Fault.EMPTY_CHUNKS, t, 0));
        }
        for (Target t : List.of(Target.CHAT_JSON, Target.CHAT_SSE)) {
            cases.add(Arguments.of(Fault.INVALID_JSON, t, 0));
            cases.add(Arguments.of(Fault.WRONG_CONTENT_TYPE, t, 0));
            cases.add(Arguments.of(Fault.CORRUPT_GZIP, t, 0));
            cases.add(Arguments.of(Fault.BROTLI_CLAIMED, t, 0));
        }
        return cases.stream();
    }

    private static Expected expected(Fault fault) {
        return switch (fault) {
            case NONE, EMPTY_CHUNKS, HUGE_LINE, WRONG_CONTENT_TYPE -> new Expected("reported", false);
            case GARBLED_SSE -> new Expected("reported", true); // one event's data is not JSON; usage is intact
            case USAGE_MISSING -> new Expected("estimated", false);
            case TRUNCATED, INVALID_JSON, NEGATIVE_USAGE, CORRUPT_GZIP, BROTLI_CLAIMED -> new Expected("estimated", true);
            // the response (200) had begun: a cut stream is charged from the estimate, with the error named
            case CONNECTION_RESET -> new Expected("estimated", false);
        };
    }

    @ParameterizedTest(name = "{0} on {1}, split {2}")
    @MethodSource("cases")
    void theAppSeesTheSameWithAndWithoutTheAgent(Fault fault, Target target, int split) throws IOException {
        Run without = run(fault, target, split, false);
        Run with = run(fault, target, split, true);

        assertEquals(without.outcomes(), with.outcomes(), "the agent changed what the app saw\nwithout: "
                + without.result + "\nwith: " + with.result);
        for (Run run : List.of(without, with)) {
            assertEquals(0, run.result.exitCode(), run.result::toString);
            assertEquals(2, run.calls.size(), run.result::toString);
            for (int i = 0; i < run.calls.size(); i++) {
                String[] call = run.calls.get(i);
                if (fault == Fault.CONNECTION_RESET) {
                    assertNotNull(call[4], "a reset connection fails the call\n" + run.result);
                } else {
                    assertEquals("200", call[1], run.result::toString);
                    assertEquals(run.written.get(i).sha256(), call[3], "the app read the bytes the provider wrote, call "
                            + (i + 1) + "\n" + run.result);
                }
            }
        }

        EnforcementLog log = EnforcementLog.read(with.log);
        List<Map<String, Object>> calls = log.events("llm.call");
        assertEquals(2, calls.size(), log::toString);
        Expected expected = fault == Fault.GARBLED_SSE && target == Target.ANTHROPIC_SSE
                ? new Expected("estimated", true) // cumulative usage next to a bad event is not trusted as final
                : expected(fault);
        for (Map<String, Object> call : calls) {
            assertEquals("allow", call.get("decision"), log::toString);
            assertEquals(200, ((Number) call.get("status")).intValue(), log::toString);
            assertEquals(expected.usage(), call.get("usage"), log::toString);
            if (expected.problem()) {
                assertNotNull(call.get("problem"), "a malformed body is named in problem\n" + log);
            } else if (fault != Fault.CONNECTION_RESET && fault != Fault.USAGE_MISSING) {
                assertNull(call.get("problem"), log::toString);
            }
            if (fault == Fault.CONNECTION_RESET) {
                assertEquals(false, call.get("complete"), log::toString);
                assertNotNull(call.get("error"), log::toString);
            }
            assertTrue(((Number) call.get("cost_usd")).doubleValue() > 0, "never free\n" + log);
        }
        // a response the meter could not read and that reported no usage is charged the worst case its hold reserved
        // (the prompt estimate and --max-tokens 100), said by an llm.unmetered event beside its llm.call
        List<Map<String, Object>> unmetered = log.events("llm.unmetered");
        if (fault == Fault.CORRUPT_GZIP || fault == Fault.BROTLI_CLAIMED || fault == Fault.INVALID_JSON) {
            assertEquals(2, unmetered.size(), "an unreadable response is said loudly\n" + log);
            for (Map<String, Object> call : calls) {
                assertTrue(((Number) call.get("output_tokens")).longValue() >= 100,
                        "charged the output its hold reserved, not the prompt alone\n" + log);
            }
        } else if (!expected.problem()) {
            assertEquals(0, unmetered.size(), log::toString);
        }
        for (Map<String, Object> u : unmetered) {
            assertTrue(((Number) u.get("output_tokens")).longValue() >= 100, log::toString);
            assertNotNull(u.get("problem"), log::toString);
            assertEquals("sim-model", u.get("model"), log::toString);
        }
        assertEquals(0, ((Number) log.only("agent.stopped").get("suppressed_errors")).intValue(), log::toString);
        String text = log.text();
        for (String body : List.of("ANSWER-TEXT", "Paris", "quick brown fox", "nonsense", "keep-alive", "capital of France",
                "sk-test-SECRET")) {
            assertFalse(text.contains(body), "body text in the log: " + body + "\n" + log);
        }
    }

    /** One forked run of the app: two calls, read as a string and as an input stream. */
    private record Run(ForkedApp.Result result, List<String[]> calls, List<RecordedResponse> written, Path log) {

        /** What the app saw of each call: status and size, or the exception class. */
        List<String> outcomes() {
            return calls.stream().map(c -> c[4] != null ? "error " + c[4] : "status " + c[1] + " bytes " + c[2]).toList();
        }
    }

    private Run run(Fault fault, Target target, int split, boolean agent) throws IOException {
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.builder().answer(ANSWER).answer(ANSWER).build())
                .usage(100, 50).fault(fault).splitEvents(split).start()) {
            String base = target.api.equals("anthropic") ? sim.anthropicBaseUrl() + "/v1" : sim.baseUrl();
            ForkedApp app = ForkedApp.of(AppModule.LLM_JDK).args("--base-url", base, "--api", target.api,
                    "--model", "sim-model", "--max-tokens", "100", "--calls", "2", "--read", "string,inputstream");
            if (target.stream) {
                app.args("--stream");
            }
            Path log = dir.resolve("log-" + (agent ? "agent" : "plain") + ".jsonl");
            if (agent) {
                app.agent(AgentJar.requireImplemented(), Files.writeString(dir.resolve("policy.yaml"), POLICY), log);
            }
            ForkedApp.Result result = app.run();
            List<String[]> calls = new ArrayList<>();
            for (String line : result.stdoutLines()) {
                Matcher m = CALL.matcher(line);
                if (m.find()) {
                    calls.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)});
                }
            }
            return new Run(result, calls, sim.responses(), log);
        }
    }
}
