package dev.tollgate.agent.cli;

import dev.tollgate.policy.Policy;
import dev.tollgate.policy.engine.Explanation;
import dev.tollgate.policy.engine.PolicyEngine;
import dev.tollgate.policy.engine.ToolCall;
import dev.tollgate.policy.engine.ToolVerdict;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;

/**
 * {@code explain --policy P --tool NAME [--args JSON] [--mcp-server S | --mcp-connection C]}: decides one tool call
 * against a policy (an MCP tool named by its server, or by the connection the app configured), as
 * the agent would as the first call of a run, and prints the decision, the rule path that decided and how each
 * typed matcher read its argument. The engine decides; this class only prints.
 */
final class ExplainCommand {
  static final String USAGE =
      "explain --policy FILE --tool NAME [--args JSON] [--mcp-server NAME | --mcp-connection CONNECTION]";

  private ExplainCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    String policyFile = null;
    String tool = null;
    String arguments = "{}";
    String server = null;
    String connection = null;
    for (int i = 1; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        err.println("tollgate: " + flag + " needs a value; usage: " + USAGE);
        return 2;
      }
      String value = args[++i];
      switch (flag) {
        case "--policy" -> policyFile = value;
        case "--tool" -> tool = value;
        case "--args" -> arguments = value;
        case "--mcp-server" -> server = value;
        case "--mcp-connection" -> connection = value;
        default -> {
          err.println("tollgate: unknown option \"" + flag + "\"; usage: " + USAGE);
          return 2;
        }
      }
    }
    if (policyFile == null || tool == null) {
      err.println("tollgate: explain needs --policy and --tool; usage: " + USAGE);
      return 2;
    }
    Policy policy = Cli.loadPolicy(policyFile, err);
    if (policy == null) {
      return 1;
    }
    if (server != null && connection != null) {
      err.println("tollgate: give --mcp-server or --mcp-connection, not both; usage: " + USAGE);
      return 2;
    }
    PolicyEngine engine = new PolicyEngine(policy, Clock.systemUTC());
    if (connection != null) {
      server = engine.mcpServerName(connection);
    }
    String name = server == null ? tool : server + "/" + tool;
    Explanation x = engine.explain(new ToolCall(name, "explain", "explain", arguments, null, Map.of()));
    ToolVerdict v = x.verdict();
    out.println("tool:     " + name);
    if (connection != null) {
      out.println("server:   " + server + " (the name tools.mcp_servers gives connection " + connection + ")");
    }
    out.println("decision: " + v.outcome().name().toLowerCase(Locale.ROOT)
        + (v.enforced() ? " (the call is refused" + (v.halt() ? " and the run halted" : "") + ")"
        : v.outcome().name().equals("DENY") ? " (not enforced: monitor mode)" : ""));
    out.println("rule:     " + v.rule());
    out.println("reason:   " + v.reason());
    if (!x.readings().isEmpty()) {
      out.println("arguments read:");
      for (Explanation.ArgumentReading r : x.readings()) {
        out.println("  " + r.rule() + " " + r.argument() + " (" + r.matcher() + "): " + r.reading().account()
            + " [" + r.reading().result().name().toLowerCase(Locale.ROOT).replace('_', ' ') + "]");
      }
    }
    return 0;
  }
}
