package dev.tollgate.it.apps.springai;

import java.util.List;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;

/**
 * An ordinary Spring AI app, unaware of Tollgate: a {@code ChatClient} with a chat memory advisor, asked N questions
 * for each of several users, each call naming the user's conversation ({@code ChatMemory.CONVERSATION_ID}).
 * <pre>SessionApp --base-url URL [--users alice,bob] [--calls N] [--max-tokens M] [--stream]</pre>
 * Prints {@code CALL <user> <i> ok} or {@code CALL <user> <i> error=<class>: <message>} per call, then
 * {@code DONE ok=<n>}.
 */
public final class SessionApp {

    private SessionApp() {
    }

    public static void main(String[] args) {
        String baseUrl = null;
        List<String> users = List.of("alice", "bob");
        int calls = 1;
        int maxTokens = 100;
        boolean stream = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url" -> baseUrl = args[++i];
                case "--users" -> users = List.of(args[++i].split(","));
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
                case "--stream" -> stream = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        ChatMemory memory = MessageWindowChatMemory.builder().maxMessages(2).build();
        ChatClient client = ChatClient.builder(OpenAiModels.chatModel(baseUrl, BudgetApp.API_KEY, "sim-model", maxTokens))
                .defaultAdvisors(MessageChatMemoryAdvisor.builder(memory).build())
                .build();
        int ok = 0;
        for (String user : users) {
            for (int i = 1; i <= calls; i++) {
                try {
                    var request = client.prompt()
                            .user("Question number " + i + ": what is the capital of France?")
                            .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, user));
                    if (stream) {
                        List<String> chunks = request.stream().content().collectList().block();
                        if (chunks == null || chunks.isEmpty()) {
                            throw new IllegalStateException("empty stream");
                        }
                    } else {
                        request.call().content();
                    }
                    ok++;
                    System.out.println("CALL " + user + " " + i + " ok");
                } catch (Exception e) {
                    System.out.println("CALL " + user + " " + i + " error=" + e.getClass().getName() + ": "
                            + e.getMessage());
                }
            }
        }
        System.out.println("DONE ok=" + ok);
        System.exit(0);
    }
}
