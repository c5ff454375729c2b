package dev.tollgate.it.apps.springboot;

import java.nio.file.Path;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.stereotype.Component;

/** What the app does with the auto-configured {@code ChatClient}; each method returns the exit status. */
@Component
class Scenarios {

    private final ChatClient chatClient;
    private final HostTools tools;

    Scenarios(ChatClient.Builder chatClientBuilder, HostTools tools) {
        this.chatClient = chatClientBuilder.build();
        this.tools = tools;
    }

    /**
     * One run: asks the model to clean up {@code victim} and look some keys up; prints its answer (streamed: its
     * chunks joined).
     */
    int toolLoop(Path victim, boolean stream) {
        try {
            ChatClient.ChatClientRequestSpec request = chatClient.prompt()
                    .user("Delete " + victim + ", then look up k1 to k5 one at a time.")
                    .tools(tools);
            String answer = stream
                    ? String.join("", request.stream().content().collectList().block())
                    : request.call().content();
            System.out.println("RESULT: " + answer);
            return 0;
        } catch (RuntimeException e) {
            System.out.println("EXCEPTION: " + e.getClass().getName() + ": " + e.getMessage());
            return 3;
        }
    }

    /** Asks a question {@code calls} times, with Spring AI's auto-configured retry settings. */
    int budget(int calls) {
        int ok = 0;
        for (int i = 1; i <= calls; i++) {
            try {
                chatClient.prompt().user("Question number " + i + ": what is the capital of France?").call().content();
                ok++;
                System.out.println("CALL " + i + " ok");
            } catch (RuntimeException e) {
                System.out.println("CALL " + i + " error=" + e.getClass().getName() + ": " + e.getMessage());
            }
        }
        System.out.println("DONE ok=" + ok);
        return 0;
    }
}
