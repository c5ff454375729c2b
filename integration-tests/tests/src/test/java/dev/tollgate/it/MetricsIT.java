package dev.tollgate.it;

import com.sun.tools.attach.VirtualMachine;
import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.WithoutTheAgent;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An app calling a provider with the JDK HttpClient, with the agent and {@code metrics.prometheus} on a free loopback
 * port: while it runs, {@code /metrics} serves the decisions, cost, tokens, budget and limit series with the values
 * the enforcement log holds, and the {@code dev.tollgate} MBeans say the same to a JMX client attached from outside
 * (as jconsole does); a LangChain4j tool loop's tool decisions and limit breach are scraped too. The same app without
 * the agent serves nothing on that port.
 */
class MetricsIT {

    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private ForkedApp app(ProviderSimulator sim) {
        return ForkedApp.of(AppModule.LLM_JDK).args("--base-url", sim.baseUrl(), "--model", "sim-model",
                "--max-tokens", "100", "--calls", "10", "--linger-ms", "20000");
    }

    @Test
    void prometheusAndJmxShowWhatTheAgentDecided() throws Exception {
        int port = freePort();
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "version: 1\n" + HttpClientBudgetIT.PRICES + """
                budgets:
                  - { name: process-cap, scope: process, max_usd: 10 }
                limits:
                  - { name: llm-cap, scope: process, llm: "*", max_calls: 3 }
                metrics:
                  prometheus: { host: 127.0.0.1, port: %d }
                """.formatted(port));
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp.Running running = app(sim).agent(AgentJar.requireImplemented(), policy, log)
                    .start(dir.resolve("out"));
            try {
                awaitDone(running);
                String text = scrapeOnceUp(port);
                assertEquals(3.0, value(text, "tollgate_llm_calls_total", "decision=\"allow\",model=\"sim-model\""), text);
                assertEquals(7.0, value(text, "tollgate_llm_calls_total", "decision=\"deny\",model=\"sim-model\""), text);
                assertEquals(0.6, value(text, "tollgate_llm_cost_usd_total", "model=\"sim-model\""), 1e-9, text);
                assertEquals(300.0, value(text, "tollgate_llm_tokens_total", "kind=\"input\",model=\"sim-model\""), text);
                assertEquals(150.0, value(text, "tollgate_llm_tokens_total", "kind=\"output\",model=\"sim-model\""), text);
                assertEquals(0.6, value(text, "tollgate_budget_spent_usd", "budget=\"process-cap\",scope=\"process\""),
                        1e-9, text);
                assertEquals(10.0, value(text, "tollgate_budget_limit_usd", "budget=\"process-cap\",scope=\"process\""),
                        text);
                assertEquals(1.0, value(text, "tollgate_limit_exceeded_total", "limit=\"llm-cap\""), text);
                assertEquals(0.0, value(text, "tollgate_agent_suppressed_errors", ""), text);
                assertFalse(text.contains(HttpClientBudgetIT.SECRET), "no secrets in metrics");
                assertFalse(text.contains("run="), "no run ids in labels");

                VirtualMachine vm = VirtualMachine.attach(String.valueOf(running.process().pid()));
                try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()))) {
                    MBeanServerConnection server = jmx.getMBeanServerConnection();
                    ObjectName decisions = new ObjectName("dev.tollgate:type=Decisions");
                    assertEquals(3L, server.getAttribute(decisions, "LlmCallsAllowed"));
                    assertEquals(7L, server.getAttribute(decisions, "LlmCallsDenied"));
                    ObjectName budget = new ObjectName("dev.tollgate:type=Budget,name=process-cap");
                    assertEquals(6.0, (double) server.getAttribute(budget, "PercentUsed"), 1e-9);
                    ObjectName limit = new ObjectName("dev.tollgate:type=Limit,name=llm-cap");
                    assertEquals(3L, server.getAttribute(limit, "MaxCalls"));
                    assertEquals(1L, server.getAttribute(limit, "Exceeded"));
                    assertEquals(0L, server.getAttribute(new ObjectName("dev.tollgate:type=Agent"), "SuppressedErrors"));
                    assertTrue(server.isRegistered(new ObjectName("java.lang:type=Runtime")), "the JVM's own MBeans stay");
                } finally {
                    vm.detach();
                }
            } finally {
                stop(running);
            }
            EnforcementLog entries = logWithoutSuppressedErrors(log);
            assertEquals(10, entries.events("llm.call").size(), entries::toString);
        }
    }

    @Test
    void toolDecisionsOfALangChain4jToolLoopAreScraped() throws Exception {
        int port = freePort();
        Path victim = Files.writeString(dir.resolve("victim.txt"), "precious");
        Script.Builder script = Script.builder().callTool("delete_file", "path", victim.toString());
        for (int k = 1; k <= 5; k++) {
            script.callTool("lookup", "key", "k" + k);
        }
        Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                tools:
                  deny: ["delete_*"]
                limits:
                  - { name: tools-per-run, scope: run, tools: "*", max_calls: 3 }
                metrics:
                  prometheus: { port: %d }
                """.formatted(port));
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.start(script.answer("finished").build())) {
            ForkedApp.Running running = ForkedApp.of(AppModule.LANGCHAIN4J)
                    .args("--base-url", sim.baseUrl(), "--victim", victim.toString(), "--linger-ms", "20000")
                    .agent(AgentJar.requireImplemented(), policy, log).start(dir.resolve("out"));
            try {
                awaitLine(running, "RESULT: finished");
                String text = scrapeOnceUp(port);
                assertEquals(1.0, value(text, "tollgate_tool_calls_total", "decision=\"deny\",tool=\"delete_file\""), text);
                assertEquals(3.0, value(text, "tollgate_tool_calls_total", "decision=\"allow\",tool=\"lookup\""), text);
                assertEquals(2.0, value(text, "tollgate_tool_calls_total", "decision=\"deny\",tool=\"lookup\""), text);
                assertEquals(1.0, value(text, "tollgate_limit_exceeded_total", "limit=\"tools-per-run\""), text);
                assertEquals(7.0, value(text, "tollgate_llm_calls_total", "decision=\"allow\",model=\"gpt-4o-mini\""),
                        text);
                assertEquals(0.0, value(text, "tollgate_agent_suppressed_errors", ""), text);
                assertFalse(text.contains("precious") || text.contains(victim.toString()), "no arguments in metrics");
            } finally {
                stop(running);
            }
            EnforcementLog entries = logWithoutSuppressedErrors(log);
            assertEquals(6, entries.events("tool.call").size(), entries::toString);
        }
    }

    /**
     * An app that makes no governed call still gets its endpoint once its start-up is over (no class loaded for 1 s),
     * with every counter at zero: the export is deferred past the app's start, never skipped.
     */
    @Test
    void withoutAGovernedCallTheEndpointComesUpOnceTheAppHasStarted() throws Exception {
        int port = freePort();
        Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                metrics:
                  prometheus: { host: 127.0.0.1, port: %d }
                """.formatted(port));
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp.Running running = ForkedApp.of(AppModule.LLM_JDK).args("--base-url", sim.baseUrl(),
                    "--calls", "0", "--linger-ms", "20000").agent(AgentJar.requireImplemented(), policy, log)
                    .start(dir.resolve("out"));
            try {
                awaitLine(running, "DONE ok=0");
                String text = scrapeOnceUp(port);
                assertEquals(0.0, value(text, "tollgate_agent_suppressed_errors", ""), text);
                assertFalse(text.contains("tollgate_llm_calls_total{"), text);
                assertEquals(0, sim.requests().size(), "no call reached the provider");
            } finally {
                stop(running);
            }
            logWithoutSuppressedErrors(log);
        }
    }

    @Test
    @WithoutTheAgent
    void withoutTheAgentNothingListens() throws Exception {
        int port = freePort();
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp.Running running = app(sim).start(dir.resolve("out"));
            try {
                awaitDone(running);
                assertThrows(ConnectException.class, () -> scrape(port));
            } finally {
                stop(running);
            }
        }
    }

    /** SIGTERM: the agent's shutdown hook still writes {@code agent.stopped}. */
    private static void stop(ForkedApp.Running running) throws InterruptedException {
        running.process().destroy();
        running.process().waitFor();
    }

    private static EnforcementLog logWithoutSuppressedErrors(Path log) {
        EnforcementLog entries = EnforcementLog.read(log);
        assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(),
                entries::toString);
        return entries;
    }

    private static void awaitDone(ForkedApp.Running running) throws Exception {
        awaitLine(running, "DONE ok=");
    }

    private static void awaitLine(ForkedApp.Running running, String line) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!running.stdout().contains(line)) {
            if (!running.process().isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the app did not finish its calls\n" + running.stdout() + running.stderr());
            }
            Thread.sleep(100);
        }
    }

    /**
     * The endpoint is started at the first governed call (or once the app's class loading has been quiet for 1 s),
     * on a background thread, so it may come up a moment after the app's first calls: a scraper's retry, as
     * Prometheus does every interval.
     */
    private static String scrapeOnceUp(int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                return scrape(port);
            } catch (ConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private static String scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    /** The value of the one sample of {@code series} whose labels contain {@code labels}. */
    private static double value(String text, String series, String labels) {
        Pattern p = Pattern.compile("^" + series + "(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = p.matcher(text);
        while (m.find()) {
            String l = m.group(1) == null ? "" : m.group(1);
            if (l.contains(labels)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no " + series + " with " + labels + " in\n" + text);
    }
}
