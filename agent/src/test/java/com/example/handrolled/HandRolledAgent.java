package com.example.handrolled;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.service.tool.DefaultToolExecutor;
import dev.tollgate.agent.instrumentation.langchain4j.v1_0.PolicyFeaturesWiringTest;

/** An app's own agent loop with no framework entry point, named in runs.entry_points by the wiring test. */
public class HandRolledAgent {
  public void handle() throws Exception {
    step("1");
    step("2");
  }

  private static void step(String n) throws Exception {
    new DefaultToolExecutor(new PolicyFeaturesWiringTest.Tools(),
        PolicyFeaturesWiringTest.Tools.class.getMethod("step", String.class))
        .execute(ToolExecutionRequest.builder().id("s" + n).name("step").arguments("{\"arg0\":\"" + n + "\"}").build(),
            null);
  }
}
