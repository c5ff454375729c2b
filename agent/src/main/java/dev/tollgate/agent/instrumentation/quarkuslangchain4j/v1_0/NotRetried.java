package dev.tollgate.agent.instrumentation.quarkuslangchain4j.v1_0;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.NonRetriableException;
import dev.tollgate.bootstrap.Guard;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/**
 * Maps a REST client failure whose response says {@code x-should-retry: false} to LangChain4j's
 * {@code InvalidRequestException} (a {@code NonRetriableException}), keeping the failure as its cause. A helper
 * class, defined into the loader of quarkus-langchain4j (which has LangChain4j and Jakarta REST); contains its own
 * exceptions.
 */
public final class NotRetried {
  private static final int MAX_CAUSES = 16;

  private NotRetried() {}

  /** {@code mapped}, or a non-retriable exception when {@code failure} carries a do-not-retry response. */
  public static RuntimeException map(Throwable failure, RuntimeException mapped) {
    try {
      if (mapped instanceof NonRetriableException) {
        return mapped;
      }
      Throwable cause = failure;
      for (int i = 0; cause != null && i < MAX_CAUSES; i++) {
        if (cause instanceof WebApplicationException web) {
          Response response = web.getResponse();
          if (response != null && "false".equalsIgnoreCase(response.getHeaderString("x-should-retry"))) {
            return new InvalidRequestException(failure);
          }
        }
        cause = cause.getCause() == cause ? null : cause.getCause();
      }
    } catch (Throwable t) {
      Guard.suppressed(t);
    }
    return mapped;
  }
}
