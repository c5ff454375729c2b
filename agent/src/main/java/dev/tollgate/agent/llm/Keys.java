package dev.tollgate.agent.llm;

/**
 * The field names response metering looks at, interned so that path matching is identity comparison and reading a
 * field name allocates nothing.
 */
final class Keys {
  static final String OTHER = "?";
  static final int MAX_LENGTH = 40;

  // paths
  static final String MODEL = "model";
  static final String MODEL_VERSION = "modelVersion";
  static final String TYPE = "type";
  static final String ERROR = "error";
  static final String USAGE = "usage";
  static final String X_GROQ = "x_groq";
  static final String RESPONSE = "response";
  static final String MESSAGE = "message";
  static final String USAGE_METADATA = "usageMetadata";
  // OpenAI family
  static final String PROMPT_TOKENS = "prompt_tokens";
  static final String COMPLETION_TOKENS = "completion_tokens";
  static final String PROMPT_TOKENS_DETAILS = "prompt_tokens_details";
  static final String COMPLETION_TOKENS_DETAILS = "completion_tokens_details";
  static final String INPUT_TOKENS_DETAILS = "input_tokens_details";
  static final String OUTPUT_TOKENS_DETAILS = "output_tokens_details";
  static final String CACHED_TOKENS = "cached_tokens";
  static final String CACHE_WRITE_TOKENS = "cache_write_tokens";
  static final String REASONING_TOKENS = "reasoning_tokens";
  static final String PROMPT_CACHE_HIT_TOKENS = "prompt_cache_hit_tokens";
  static final String INPUT_TOKENS = "input_tokens";
  static final String OUTPUT_TOKENS = "output_tokens";
  // Anthropic
  static final String CACHE_CREATION_INPUT_TOKENS = "cache_creation_input_tokens";
  static final String CACHE_READ_INPUT_TOKENS = "cache_read_input_tokens";
  static final String CACHE_CREATION = "cache_creation";
  static final String EPHEMERAL_5M = "ephemeral_5m_input_tokens";
  static final String EPHEMERAL_1H = "ephemeral_1h_input_tokens";
  static final String THINKING_TOKENS = "thinking_tokens";
  // Gemini
  static final String PROMPT_TOKEN_COUNT = "promptTokenCount";
  static final String CACHED_CONTENT_TOKEN_COUNT = "cachedContentTokenCount";
  static final String CANDIDATES_TOKEN_COUNT = "candidatesTokenCount";
  static final String THOUGHTS_TOKEN_COUNT = "thoughtsTokenCount";
  static final String TOOL_USE_PROMPT_TOKEN_COUNT = "toolUsePromptTokenCount";
  // Ollama
  static final String PROMPT_EVAL_COUNT = "prompt_eval_count";
  static final String EVAL_COUNT = "eval_count";
  // generated text
  static final String CHOICES = "choices";
  static final String DELTA = "delta";
  static final String CONTENT = "content";
  static final String REASONING_CONTENT = "reasoning_content";
  static final String REASONING = "reasoning";
  static final String TOOL_CALLS = "tool_calls";
  static final String FUNCTION = "function";
  static final String ARGUMENTS = "arguments";
  static final String TEXT = "text";
  static final String PARTIAL_JSON = "partial_json";
  static final String THINKING = "thinking";
  static final String CANDIDATES = "candidates";
  static final String PARTS = "parts";
  static final String OUTPUT = "output";
  static final String SUMMARY = "summary";
  // AWS Bedrock Converse
  static final String INPUT_TOKENS_CAMEL = "inputTokens";
  static final String OUTPUT_TOKENS_CAMEL = "outputTokens";
  static final String CACHE_READ_INPUT_TOKENS_CAMEL = "cacheReadInputTokens";
  static final String CACHE_WRITE_INPUT_TOKENS_CAMEL = "cacheWriteInputTokens";
  static final String TOOL_USE = "toolUse";
  static final String INPUT = "input";
  static final String REASONING_CONTENT_CAMEL = "reasoningContent";

  private static final String[] ALL = {
      MODEL, MODEL_VERSION, TYPE, ERROR, USAGE, X_GROQ, RESPONSE, MESSAGE, USAGE_METADATA,
      PROMPT_TOKENS, COMPLETION_TOKENS, PROMPT_TOKENS_DETAILS, COMPLETION_TOKENS_DETAILS, INPUT_TOKENS_DETAILS,
      OUTPUT_TOKENS_DETAILS, CACHED_TOKENS, CACHE_WRITE_TOKENS, REASONING_TOKENS, PROMPT_CACHE_HIT_TOKENS,
      INPUT_TOKENS, OUTPUT_TOKENS,
      CACHE_CREATION_INPUT_TOKENS, CACHE_READ_INPUT_TOKENS, CACHE_CREATION, EPHEMERAL_5M, EPHEMERAL_1H,
      THINKING_TOKENS,
      PROMPT_TOKEN_COUNT, CACHED_CONTENT_TOKEN_COUNT, CANDIDATES_TOKEN_COUNT, THOUGHTS_TOKEN_COUNT,
      TOOL_USE_PROMPT_TOKEN_COUNT,
      PROMPT_EVAL_COUNT, EVAL_COUNT,
      CHOICES, DELTA, CONTENT, REASONING_CONTENT, REASONING, TOOL_CALLS, FUNCTION, ARGUMENTS, TEXT, PARTIAL_JSON,
      THINKING, CANDIDATES, PARTS, OUTPUT, SUMMARY,
      INPUT_TOKENS_CAMEL, OUTPUT_TOKENS_CAMEL, CACHE_READ_INPUT_TOKENS_CAMEL, CACHE_WRITE_INPUT_TOKENS_CAMEL, TOOL_USE,
      INPUT, REASONING_CONTENT_CAMEL,
  };

  /** BY_LENGTH[n]: the names of n bytes, with their bytes. */
  private static final String[][] NAMES_BY_LENGTH = new String[MAX_LENGTH + 1][];
  private static final byte[][][] BYTES_BY_LENGTH = new byte[MAX_LENGTH + 1][][];

  static {
    for (int n = 0; n <= MAX_LENGTH; n++) {
      int count = 0;
      for (String k : ALL) {
        if (k.length() == n) {
          count++;
        }
      }
      NAMES_BY_LENGTH[n] = new String[count];
      BYTES_BY_LENGTH[n] = new byte[count][];
      int i = 0;
      for (String k : ALL) {
        if (k.length() == n) {
          NAMES_BY_LENGTH[n][i] = k;
          BYTES_BY_LENGTH[n][i] = k.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
          i++;
        }
      }
    }
  }

  private Keys() {}

  /** The interned name spelled by {@code buf[0..len)}, or {@link #OTHER}. */
  static String lookup(byte[] buf, int len) {
    if (len > MAX_LENGTH) {
      return OTHER;
    }
    byte[][] candidates = BYTES_BY_LENGTH[len];
    outer:
    for (int c = 0; c < candidates.length; c++) {
      byte[] k = candidates[c];
      for (int i = 0; i < len; i++) {
        if (k[i] != buf[i]) {
          continue outer;
        }
      }
      return NAMES_BY_LENGTH[len][c];
    }
    return OTHER;
  }
}
