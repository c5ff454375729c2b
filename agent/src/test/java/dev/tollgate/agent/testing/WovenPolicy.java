package dev.tollgate.agent.testing;

import dev.tollgate.agent.guard.PolicyGuard;
import dev.tollgate.agent.installer.AgentInstaller;
import dev.tollgate.agent.installer.CoverageReport;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.engine.PolicyEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;

/**
 * In-process agent for tests: weaves the given modules into this JVM and installs the real guard and engine
 * for a policy, writing the enforcement log to {@code dir/log.jsonl}. {@link #close()} unweaves.
 */
public final class WovenPolicy implements AutoCloseable {
  private final ResettableClassFileTransformer transformer;
  private final EnforcementLog enforcementLog;
  private final Path log;

  private WovenPolicy(ResettableClassFileTransformer transformer, EnforcementLog enforcementLog) {
    this.transformer = transformer;
    this.enforcementLog = enforcementLog;
    this.log = enforcementLog.path();
  }

  public static WovenPolicy weave(String policyYaml, Path dir, InstrumentationModule... modules)
      throws IOException, PolicyException {
    return weave(PolicyLoader.parse(policyYaml, "test-policy.yaml"), dir, modules);
  }

  public static WovenPolicy weave(Policy policy, Path dir, InstrumentationModule... modules) throws IOException {
    return weave(policy, dir, false, modules);
  }

  /** With LLM-call governance too: the policy's budgets and {@code llm:} limits, an in-memory store. */
  public static WovenPolicy weaveWithLlmCalls(String policyYaml, Path dir, InstrumentationModule... modules)
      throws IOException, PolicyException {
    return weave(PolicyLoader.parse(policyYaml, "test-policy.yaml"), dir, true, modules);
  }

  private static WovenPolicy weave(Policy policy, Path dir, boolean llmCalls, InstrumentationModule... modules)
      throws IOException {
    Path logFile = dir.resolve("log.jsonl");
    EnforcementLog log = EnforcementLog.open(logFile, Clock.systemUTC());
    List<InstrumentationModule> list = List.of(modules);
    ResettableClassFileTransformer transformer =
        AgentInstaller.install(ByteBuddyAgent.install(), list, new CoverageReport(log, list));
    PolicyEngine engine = new PolicyEngine(policy, Clock.systemUTC());
    Guard.install(llmCalls
        ? new PolicyGuard(engine, log, false,
            new dev.tollgate.policy.budget.LlmGovernor(policy, Clock.systemUTC(), dev.tollgate.policy.budget.Ledger.none()),
            new dev.tollgate.agent.llm.Endpoints(List.of()))
        : new PolicyGuard(engine, log, false));
    return new WovenPolicy(transformer, log);
  }

  /** The enforcement log written so far. */
  public String log() throws IOException {
    enforcementLog.flush();
    return Files.readString(log);
  }

  /** The enforcement log's lines written so far. */
  public List<String> logLines() throws IOException {
    enforcementLog.flush();
    return Files.readAllLines(log);
  }

  @Override
  public void close() {
    Guard.install(null);
    enforcementLog.close();
    transformer.reset(ByteBuddyAgent.getInstrumentation(), AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
  }
}
