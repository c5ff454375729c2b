package dev.tollgate.it.harness;

import dev.tollgate.sim.RecordedRequest;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The javaagents a forked app runs under: Tollgate alone, or beside the OpenTelemetry Java agent in either order
 * (the JVM runs premains in command-line order). OTel's exporters are off, so nothing leaves the machine.
 */
public enum AgentSetup {
    TOLLGATE_ALONE,
    OTEL_FIRST,
    TOLLGATE_FIRST;

    /** What OTel's agent prints on stderr when it has started ({@code otel.javaagent.logging=simple}). */
    public static final String OTEL_STARTED = "opentelemetry-javaagent - version: ";

    private static final List<String> OTEL_PROPERTIES = List.of("-Dotel.traces.exporter=none",
            "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none", "-Dotel.javaagent.logging=simple");

    /**
     * With OTel attached: it started, logged no error, and propagated {@code traceparent} on every request the
     * simulator saw (there were some).
     */
    public static void assertOtelRan(ForkedApp.Result result, List<RecordedRequest> requests) {
        assertTrue(result.stderr().contains(OTEL_STARTED), "OTel started\n" + result);
        assertFalse(result.stderr().contains("ERROR io.opentelemetry"), result::toString);
        assertFalse(requests.isEmpty(), result::toString);
        for (RecordedRequest request : requests) {
            assertTrue(request.headers().containsKey("traceparent"),
                    "OTel's instrumentation propagated the trace\n" + request.headers());
        }
    }

    public boolean withOtel() {
        return this != TOLLGATE_ALONE;
    }

    /** Adds the agents to {@code app}, Tollgate with {@code policy=<policy>,log=<log>}. */
    public ForkedApp attach(ForkedApp app, Path policy, Path log) {
        switch (this) {
            case TOLLGATE_ALONE -> app.agent(AgentJar.requireImplemented(), policy, log);
            case OTEL_FIRST -> app.agent(OtelAgentJar.path(), "").agent(AgentJar.requireImplemented(), policy, log);
            case TOLLGATE_FIRST -> app.agent(AgentJar.requireImplemented(), policy, log).agent(OtelAgentJar.path(), "");
        }
        if (withOtel()) {
            OTEL_PROPERTIES.forEach(app::jvmArg);
        }
        return app;
    }
}
