package dev.tollgate.agent.cli;

import dev.tollgate.agent.config.AgentConfig;
import dev.tollgate.policy.PolicyError;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import java.io.PrintStream;
import java.nio.file.Path;

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
      case "explain" -> {
        return ExplainCommand.run(args, out, err);
      }
      default -> {
        err.println("tollgate: unknown command \"" + args[0] + "\"");
        usage(err);
        return 2;
      }
    }
  }

  private static int validate(String[] args, PrintStream out, PrintStream err) {
    if (args.length < 2) {
      err.println("tollgate: validate needs at least one policy file");
      return 2;
    }
    int status = 0;
    for (int i = 1; i < args.length; i++) {
      try {
        PolicyLoader.load(Path.of(args[i]));
        out.println(args[i] + ": ok");
      } catch (PolicyException e) {
        status = 1;
        for (PolicyError error : e.errors()) {
          err.println(error);
        }
      }
    }
    return status;
  }

  private static void usage(PrintStream s) {
    s.println("""
        Tollgate: governs AI agents in a JVM (tool policy, call limits, enforcement log).

        Attach to an application:
          java -javaagent:tollgate-agent.jar=policy=tollgate.yaml -jar app.jar

        Commands:
          java -jar tollgate-agent.jar validate FILE...   check policy files; prints FILE:LINE:COL: message
                                                          per problem; exit 0 if all valid, 1 if not
          java -jar tollgate-agent.jar explain --policy FILE --tool NAME [--args JSON]
                                       [--mcp-server NAME | --mcp-connection "stdio:COMMAND ARGS" | URL]
                                                          decide one tool call and print the decision, the rule
                                                          that decided and how each argument matcher read its
                                                          value (the canonical path, the host, the commands)
          java -jar tollgate-agent.jar --help             this text

        Configuration (agent argument k=v,k=v > -Dtollgate.KEY > TOLLGATE_KEY > policy file > default):""");
    for (String line : AgentConfig.documentation()) {
      s.println(line);
    }
  }
}
