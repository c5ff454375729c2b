package dev.tollgate.it.apps.springboot;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * An ordinary Spring Boot application, unaware of Tollgate, run as an executable fat jar ({@code java -jar}: Boot's
 * {@code JarLauncher} loads it and every library from {@code BOOT-INF/} through its {@code LaunchedClassLoader}).
 * Spring AI's Boot auto-configuration builds the {@code ChatClient}; {@link OpenAiConfiguration} points the OpenAI
 * model at {@code --base-url}.
 * <pre>java -jar app.jar tool-loop --base-url URL --victim PATH [--stream]
 * java -jar app.jar budget --base-url URL [--calls N] [--model NAME] [--max-tokens M]
 * java -jar app.jar startup-only --base-url URL</pre>
 * First prints {@code LOADER <class>}, the class loader of Spring AI's {@code ChatClient}. {@code tool-loop}: one
 * {@code ChatClient} call with {@link HostTools} ({@code --stream}: streamed, the tool rounds on Reactor's worker
 * threads), then {@code RESULT: <text>} and exit 0, or
 * {@code EXCEPTION: <class>: <message>} and exit 3. {@code budget}: N {@code ChatClient} calls, each printing
 * {@code CALL <i> ok} or {@code CALL <i> error=<class>: <message>}, then {@code DONE ok=<n>} and exit 0.
 * {@code startup-only}: the context starts (the {@code ChatClient} and the tools are built), then {@code STARTED} and
 * exit 0 without calling the model: what the start-up benchmark times.
 */
@SpringBootApplication
public class FatJarApp {

    public static void main(String[] args) {
        Options options = Options.parse(args);
        SpringApplication app = new SpringApplication(FatJarApp.class);
        app.setAddCommandLineProperties(false); // the arguments are the app's own, not --name=value properties
        app.setDefaultProperties(options.properties());
        int status;
        try (ConfigurableApplicationContext context = app.run(args)) {
            System.out.println("LOADER " + ChatClient.class.getClassLoader().getClass().getName());
            Scenarios scenarios = context.getBean(Scenarios.class);
            status = switch (options.scenario()) {
                case "tool-loop" -> scenarios.toolLoop(options.victim(), options.stream());
                case "budget" -> scenarios.budget(options.calls());
                case "startup-only" -> {
                    System.out.println("STARTED");
                    yield 0;
                }
                default -> throw new IllegalStateException(options.scenario());
            };
        }
        System.exit(status);
    }

    /** The command line; the model settings become Boot properties ({@code app.openai.*}). */
    record Options(String scenario, String baseUrl, Path victim, boolean stream, int calls, String model, int maxTokens) {

        static Options parse(String[] args) {
            if (args.length == 0 || !List.of("tool-loop", "budget", "startup-only").contains(args[0])) {
                usage("the first argument is the scenario: tool-loop, budget or startup-only");
            }
            String baseUrl = null;
            Path victim = null;
            boolean stream = false;
            int calls = 1;
            String model = "sim-model";
            int maxTokens = 100;
            for (int i = 1; i < args.length; i++) {
                switch (args[i]) {
                    case "--base-url" -> baseUrl = args[++i];
                    case "--victim" -> victim = Path.of(args[++i]);
                    case "--stream" -> stream = true;
                    case "--calls" -> calls = Integer.parseInt(args[++i]);
                    case "--model" -> model = args[++i];
                    case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
                    default -> usage("unknown argument " + args[i]);
                }
            }
            if (baseUrl == null || (args[0].equals("tool-loop") && victim == null)) {
                usage("--base-url is required, and --victim for tool-loop");
            }
            return new Options(args[0], baseUrl, victim, stream, calls, model, maxTokens);
        }

        Map<String, Object> properties() {
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("app.openai.base-url", baseUrl);
            properties.put("app.openai.model", model);
            properties.put("app.openai.max-tokens", maxTokens);
            return properties;
        }

        private static void usage(String problem) {
            System.err.println(problem);
            System.err.println("usage: java -jar app.jar tool-loop --base-url URL --victim PATH [--stream]");
            System.err.println("       java -jar app.jar budget --base-url URL [--calls N] [--model NAME] [--max-tokens M]");
            System.exit(2);
        }
    }
}
