package dev.tollgate.sim;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultTest {

    private static final String CHAT = "{\"model\":\"m\",\"stream\":%s,\"stream_options\":{\"include_usage\":true},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static HttpResponse<String> chat(Fault fault, boolean stream) throws Exception {
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.builder().answer("hello").build()).usage(10, 5)
                .fault(fault).start()) {
            HttpResponse<String> response = Http.post(sim.baseUrl() + "/chat/completions", CHAT.formatted(stream));
            assertEquals(sim.lastResponse().sha256(), ProviderSimulator.sha256(response.body().getBytes()),
                    "the recorded digest is of what was sent");
            return response;
        }
    }

    @Test
    void truncatedStreamEndsInTheMiddleOfAnEvent() throws Exception {
        String body = chat(Fault.TRUNCATED, true).body();
        assertFalse(body.endsWith("\n\n"), body);
        assertFalse(body.contains("[DONE]"), body);
    }

    @Test
    void negativeAndMissingUsage() throws Exception {
        assertTrue(chat(Fault.NEGATIVE_USAGE, false).body().contains("\"prompt_tokens\":-10"));
        assertFalse(chat(Fault.USAGE_MISSING, true).body().contains("usage"));
    }

    @Test
    void wrongContentTypeAndFakeGzip() throws Exception {
        assertEquals("application/json", chat(Fault.WRONG_CONTENT_TYPE, true).headers().firstValue("content-type").orElseThrow());
        HttpResponse<String> gzip = chat(Fault.CORRUPT_GZIP, false);
        assertEquals("gzip", gzip.headers().firstValue("content-encoding").orElseThrow());
        assertTrue(gzip.body().startsWith("{"), "plain bytes under a gzip header");
    }

    @Test
    void connectionResetFailsTheRead() {
        assertThrows(IOException.class, () -> chat(Fault.CONNECTION_RESET, true));
    }
}
