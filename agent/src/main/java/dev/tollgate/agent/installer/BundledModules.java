package dev.tollgate.agent.installer;

import dev.tollgate.agent.spi.InstrumentationModule;
import java.util.List;

/**
 * The agent's instrumentation modules, made with {@code new}: what {@code ServiceLoader} finds in the services file
 * ({@code META-INF/services/dev.tollgate.agent.spi.InstrumentationModule}), in its order, without the services file's
 * look-up and parse and the reflective constructor calls (~5 ms of {@code tollgate-modules}' CPU per start, beside
 * the app's, in async-profiler: docs/benchmarks.md, "Start-up, twentieth pass"). {@code InstrumentationModulesTest}
 * keeps the two lists the same.
 */
final class BundledModules {
  private BundledModules() {}

  /** A new instance of each module, in the services file's order. */
  static List<InstrumentationModule> all() {
    return List.of(
        new dev.tollgate.agent.instrumentation.langchain4j.v1_0.LangChain4jInstrumentationModule(),
        new dev.tollgate.agent.instrumentation.quarkuslangchain4j.v1_0.QuarkusLangChain4jInstrumentationModule(),
        new dev.tollgate.agent.instrumentation.springai.v1_0.SpringAiInstrumentationModule(),
        new dev.tollgate.agent.instrumentation.mcp.v0_10.McpClientInstrumentationModule(),
        new dev.tollgate.agent.instrumentation.adk.v0_5.AdkInstrumentationModule(),
        new dev.tollgate.agent.instrumentation.koog.v1.KoogInstrumentationModule(),
        new dev.tollgate.agent.instrumentation.embabel.v0_5.EmbabelInstrumentationModule(),
        new dev.tollgate.agent.instrumentation.langgraph4j.LangGraph4jInstrumentationModule(),
        new dev.tollgate.agent.instrumentation.jdkhttp.JdkHttpClientInstrumentationModule(),
        new dev.tollgate.agent.instrumentation.apachehttp.v5.ApacheHttpClient5InstrumentationModule(),
        new dev.tollgate.agent.instrumentation.okhttp.OkHttpInstrumentationModule(),
        new dev.tollgate.agent.instrumentation.springweb.v6_1.SpringWebInstrumentationModule(),
        new dev.tollgate.agent.instrumentation.springwebflux.v6_1.SpringWebFluxInstrumentationModule(),
        new dev.tollgate.agent.instrumentation.quarkusrestclient.v3.QuarkusRestClientInstrumentationModule(),
        new dev.tollgate.agent.instrumentation.awssdk.v2.AwsSdkInstrumentationModule(),
        new dev.tollgate.agent.instrumentation.azurecore.v1.AzureCoreInstrumentationModule(),
        new dev.tollgate.agent.instrumentation.kotlinx.coroutines.KotlinCoroutinesInstrumentationModule(),
        new dev.tollgate.agent.instrumentation.reactornetty.v1.ReactorNettyInstrumentationModule());
  }
}
