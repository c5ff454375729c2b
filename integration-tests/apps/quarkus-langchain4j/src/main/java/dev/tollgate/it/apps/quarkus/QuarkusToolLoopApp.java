package dev.tollgate.it.apps.quarkus;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;

/**
 * An ordinary Quarkus LangChain4j app, unaware of Tollgate: one call of an {@code @RegisterAiService} AI service on
 * the OpenAI model (quarkus-langchain4j's REST client) with a destructive tool and a harmless one.
 * <pre>java -jar target/quarkus-app/quarkus-run.jar --base-url URL --victim PATH
 * java -jar target/quarkus-app/quarkus-run.jar --base-url URL --startup-only</pre>
 * Prints {@code RESULT: <text>} and exits 0, or {@code EXCEPTION: <class>: <message>} and exits 3. With
 * {@code --startup-only} Quarkus starts (the AI service bean, its model client and tools are built), the app prints
 * {@code STARTED} and exits 0 without calling the model: what the start-up benchmark times.
 */
@QuarkusMain
public class QuarkusToolLoopApp implements QuarkusApplication {

    @Inject
    Assistant assistant;

    public static void main(String[] args) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--base-url")) {
                // read by quarkus-langchain4j when it builds the model client at start-up
                System.setProperty("quarkus.langchain4j.openai.base-url", args[i + 1]);
            }
        }
        Quarkus.run(QuarkusToolLoopApp.class, args);
    }

    @Override
    @ActivateRequestContext // AI services are request-scoped beans
    public int run(String... args) {
        String victim = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--startup-only")) {
                System.out.println("STARTED");
                System.out.flush();
                return 0;
            }
            if (args[i].equals("--victim") && i + 1 < args.length) {
                victim = args[i + 1];
            }
        }
        if (victim == null) {
            System.err.println("usage: --base-url URL --victim PATH");
            return 2;
        }
        try {
            String answer = assistant.chat("Delete " + victim + ", then look up k1 to k5 one at a time.");
            System.out.println("RESULT: " + answer);
            System.out.flush();
            return 0;
        } catch (Exception e) {
            System.out.println("EXCEPTION: " + e.getClass().getName() + ": " + e.getMessage());
            System.out.flush();
            return 3;
        }
    }
}
