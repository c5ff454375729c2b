package dev.tollgate.agent.cli;

import dev.tollgate.agent.config.AgentConfig;
import dev.tollgate.policy.PolicyError;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.budget.LlmGovernor;
import dev.tollgate.policy.budget.ModelPrice;
import dev.tollgate.policy.budget.PriceTable;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code java -jar tollgate-agent.jar <command>}. Exit status: 0 ok, 1 invalid policy, 2 usage error. */
public final class Cli {
  private Cli() {}

  public static int run(String[] args) {
    return run(args, System.out, System.err);
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      usage(err);
      return 2;
    }
    switch (args[0]) {
      case "--help", "-h", "help" -> {
        usage(out);
        return 0;
      }
      case "validate" -> {
        return validate(args, out, err);
      }
      case "report" -> {
        return dev.tollgate.agent.cli.report.ReportCommand.run(args, System.in, out, err);
      }
      case "simulate" -> {
        return dev.tollgate.agent.cli.report.SimulateCommand.run(args, System.in, out, err);
      }
      case "explain" -> {
        return ExplainCommand.run(args, out, err);
      }
      case "status", "budget", "approvals", "approve", "deny" -> {
        return dev.tollgate.agent.cli.operate.OperatorCommand.run(args, out, err);
      }
      default -> {
        err.println("tollgate: unknown command \"" + args[0] + "\"");
        usage(err);
        return 2;
      }
    }
  }

  /** The policy in {@code file}, or null after printing each of its problems on {@code err} as the loader locates it. */
  public static Policy loadPolicy(String file, PrintStream err) {
    try {
      return PolicyLoader.load(Path.of(file));
    } catch (PolicyException e) {
      for (PolicyError error : e.errors()) {
        err.println(error);
      }
      return null;
    }
  }

  private static int validate(String[] args, PrintStream out, PrintStream err) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    int g = all.indexOf("--governance");
    String governanceDir = null;
    if (g >= 0) {
      if (g + 1 >= all.size() || all.get(g + 1).startsWith("--")) {
        err.println("tollgate: validate --governance needs a directory");
        return 2;
      }
      governanceDir = all.get(g + 1);
      all.subList(g, g + 2).clear();
      args = all.toArray(new String[0]);
    }
    dev.tollgate.policy.Governance org = null;
    if (governanceDir != null) {
      try {
        org = dev.tollgate.policy.GovernanceLoader.load(Path.of(governanceDir));
        out.println(governanceDir + ": ok (" + String.join(", ", org.layers().stream()
            .map(dev.tollgate.policy.Governance.Layer::label).toList()) + ")");
      } catch (PolicyException e) {
        for (PolicyError error : e.errors()) {
          err.println(error);
        }
        return 1;
      }
      if (args.length == 1) {
        return 0;
      }
    }
    int prices = Arrays.asList(args).indexOf("--prices");
    List<String> files = Arrays.asList(args).subList(1, prices < 0 ? args.length : prices);
    List<String> models = prices < 0 ? List.of() : Arrays.asList(args).subList(prices + 1, args.length);
    if (files.isEmpty() && prices < 0) {
      err.println("tollgate: validate needs at least one policy file");
      return 2;
    }
    if (prices >= 0 && models.isEmpty()) {
      err.println("tollgate: validate --prices needs at least one model name");
      return 2;
    }
    int status = 0;
    List<Policy> policies = new ArrayList<>();
    for (String file : files) {
      try {
        Policy policy = PolicyLoader.load(Path.of(file));
        if (org != null) {
          policy = dev.tollgate.policy.GovernanceLoader.govern(policy, org, java.util.Map.of(), null, null).policy();
          policies.add(policy);
          List<String> locked = org.layers().stream().flatMap(l -> l.policy().header().lock().stream()).distinct()
              .toList();
          out.println(file + ": ok, governed by " + org.layers().size() + (org.layers().size() == 1 ? " file" : " files")
              + (locked.isEmpty() ? "" : " (locked: " + String.join(", ", locked) + ")") + "; " + policy.limits().size()
              + " limits and " + policy.budgets().size() + " budgets in force, mode " + policy.mode().name()
              .toLowerCase(java.util.Locale.ROOT));
        } else {
          policies.add(policy);
          out.println(file + ": ok");
        }
      } catch (PolicyException e) {
        status = 1;
        for (PolicyError error : e.errors()) {
          err.println(error);
        }
      }
    }
    if (!models.isEmpty()) {
      if (files.isEmpty()) {
        try {
          policies.add(PolicyLoader.parse("version: 1\n", "(no policy)"));
        } catch (PolicyException e) {
          throw new IllegalStateException(e);
        }
      }
      PriceTable table = PriceTable.bundled();
      out.println("prices: " + table.source() + ", USD per million tokens");
      for (Policy policy : policies) {
        LlmGovernor governor = new LlmGovernor(policy, Clock.systemUTC(), null);
        for (String model : models) {
          out.println((files.isEmpty() ? "" : policy.source() + ": ") + priced(model, governor.price(model), policy));
        }
      }
    }
    return status;
  }

  /** One line: how {@code model} is charged, or that it is unknown and what the policy then does. */
  static String priced(String model, ModelPrice price, Policy policy) {
    if (price == null) {
      return model + ": unknown model; with a USD budget its calls are "
          + (policy.pricing().unknownModel() == dev.tollgate.policy.Pricing.UnknownModel.WARN
              ? "let through unpriced and logged (pricing.unknown_model: warn)"
              : "refused (pricing.unknown_model: block)");
    }
    StringBuilder line = new StringBuilder(model).append(": ").append(price.key()).append(rates(price));
    if (price.longContext() != null) {
      line.append("; prompts over ").append(price.longContext().abovePromptTokens()).append(" tokens")
          .append(rates(price.longContext().rates()));
    }
    return line.toString();
  }

  private static String rates(ModelPrice p) {
    StringBuilder s = new StringBuilder(" input ").append(usd(p.inputPerMtok())).append(", output ")
        .append(usd(p.outputPerMtok()));
    if (p.cacheReadPerMtok() != null) {
      s.append(", cache read ").append(usd(p.cacheReadPerMtok()));
    }
    if (p.cacheWritePerMtok() != null) {
      s.append(", cache write ").append(usd(p.cacheWritePerMtok()));
    }
    if (p.cacheWrite1hPerMtok() != null) {
      s.append(" (1 h: ").append(usd(p.cacheWrite1hPerMtok())).append(')');
    }
    if (p.reasoningPerMtok() != null) {
      s.append(", reasoning ").append(usd(p.reasoningPerMtok()));
    }
    return s.toString();
  }

  private static String usd(double perMtok) {
    return BigDecimal.valueOf(perMtok).stripTrailingZeros().toPlainString();
  }

  private static void usage(PrintStream s) {
    s.println("""
        Tollgate: governs AI agents in a JVM (tool policy, call limits, enforcement log).

        Attach to an application:
          java -javaagent:tollgate-agent.jar=policy=tollgate.yaml -jar app.jar

        Commands:
          java -jar tollgate-agent.jar validate FILE...   check policy files; prints FILE:LINE:COL: message
          java -jar tollgate-agent.jar validate --governance DIR [FILE...]
                                                   check a governance directory, and each app policy merged with it
                                                          per problem; exit 0 if all valid, 1 if not
          java -jar tollgate-agent.jar validate [FILE...] --prices MODEL...
                                                          how each model would be priced (under each policy's
                                                          pricing, else the bundled table), or that it is unknown
          java -jar tollgate-agent.jar report --log FILE... [--since T] [--until T] [--by KEY]
                                                          [--format text|json|csv|html] [--out FILE]
                                                          spend, tokens, refusals, budgets and costliest runs
                                                          from enforcement logs (globs, .gz, - for stdin); html:
                                                          one self-contained page with charts
          java -jar tollgate-agent.jar simulate --policy NEW.yaml --log FILE... [--format text|json]
                                                          replay logged tool and LLM calls through NEW.yaml: the
                                                          calls it would refuse and by which rule, spend saved,
                                                          budgets and limits crossed and when; exit 0 ok, 1 bad
                                                          policy or log line, 2 usage
          java -jar tollgate-agent.jar explain --policy FILE --tool NAME [--args JSON]
                                       [--mcp-server NAME | --mcp-connection "stdio:COMMAND ARGS" | URL]
                                                          decide one tool call and print the decision, the rule
                                                          that decided and how each argument matcher read its
                                                          value (the canonical path, the host, the commands)
          java -jar tollgate-agent.jar status --policy FILE    budgets and limits in the store, live (fleet-wide
                                                          with Redis), overrides, calls waiting for approval
          java -jar tollgate-agent.jar budget reset NAME ... / budget override NAME ...
                                                          audited reset or raise of a budget (see budget --help)
          java -jar tollgate-agent.jar approvals | approve ID | deny ID   calls paused at a cap (on_exceed: pause)
          java -jar tollgate-agent.jar --help             this text

        Configuration (agent argument k=v,k=v > -Dtollgate.KEY > TOLLGATE_KEY > policy file > default):""");
    for (String line : AgentConfig.documentation()) {
      s.println(line);
    }
  }
}
