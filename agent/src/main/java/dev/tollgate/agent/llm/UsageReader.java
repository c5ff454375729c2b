package dev.tollgate.agent.llm;

import static dev.tollgate.agent.llm.JsonScanner.ARRAY;

import dev.tollgate.policy.budget.Usage;

/**
 * Reads usage, model and generated-text sizes out of a response's JSON documents (one per SSE event, NDJSON line, or
 * element of a streamed JSON array) and normalises usage to {@link Usage}'s disjoint buckets.
 *
 * <p>Each document's usage fields are collected on their own and merged into the call's only when the document
 * ends whole, field by field: the last report of a field wins. That one rule covers OpenAI's single usage chunk,
 * cumulative reports (Anthropic {@code message_start} then {@code message_delta}, Gemini and xAI per chunk) and never
 * sums.
 */
final class UsageReader implements JsonScanner.Sink {
  // slots; the meaning of PROMPT / CACHED / OUTPUT depends on the format, see usage()
  private static final int PROMPT = 0;
  private static final int CACHED = 1;
  private static final int CACHE_WRITE = 2;
  private static final int OUTPUT = 3;
  private static final int REASONING = 4;
  private static final int CACHE_HIT = 5;
  private static final int CACHE_5M = 6;
  private static final int CACHE_1H = 7;
  private static final int TOOL_PROMPT = 8;
  private static final int THOUGHTS = 9;
  private static final int SLOTS = 10;

  private final ApiFormat format;
  private final long[] doc = new long[SLOTS];
  private final long[] call = new long[SLOTS];
  private JsonScanner scanner;
  /** Depth of a document's root: 1 inside a streamed JSON array, else 0. */
  private int base;
  private boolean docHasUsage;
  private boolean callHasUsage;
  private long textBytes;
  private String model;
  private String problem;

  UsageReader(ApiFormat format) {
    this.format = format;
    java.util.Arrays.fill(call, -1);
    java.util.Arrays.fill(doc, -1);
  }

  void attach(JsonScanner scanner) {
    this.scanner = scanner;
  }

  String model() {
    return model;
  }

  long textBytes() {
    return textBytes;
  }

  String problem() {
    return problem;
  }

  void problem(String p) {
    if (problem == null) {
      problem = p;
    }
  }

  // --- paths, relative to the document root

  private int rel() {
    return scanner.depth() - base;
  }

  private String k(int i) {
    return scanner.key(base + i);
  }

  private boolean is(String a) {
    return rel() == 1 && k(0) == a;
  }

  private boolean is(String a, String b) {
    return rel() == 2 && k(0) == a && k(1) == b;
  }

  // --- sink

  @Override
  public void open(boolean array) {
    int depth = scanner.depth();
    if (depth == 0) {
      // a new root value; a root array (Gemini without alt=sse) holds the documents
      base = array ? 1 : 0;
      startDocument();
    } else if (depth == base) {
      startDocument();
    } else if (!array && is(Keys.ERROR)) {
      problem("the provider reported an error in the response");
    }
  }

  @Override
  public void close(boolean array) {
    if (scanner.depth() == base && !array) {
      endDocument();
    }
  }

  @Override
  public boolean wantString() {
    return isModelPath() || is(Keys.TYPE);
  }

  @Override
  public void string(long rawBytes, String captured) {
    int r = rel();
    if (r < 1) {
      return;
    }
    if (captured != null) {
      if (isModelPath()) {
        if (!captured.isEmpty()) {
          model = captured;
        }
        return;
      }
      if (is(Keys.TYPE) && (captured.equals("error") || captured.equals("response.failed"))) {
        problem("the provider reported an error in the response");
        return;
      }
    }
    if (is(Keys.ERROR)) {
      problem("the provider reported an error in the response");
    } else if (isTextPath(r)) {
      textBytes += rawBytes;
    }
  }

  @Override
  public void number(byte[] text, int length) {
    int r = rel();
    if (r < 1) {
      return;
    }
    int slot = slot(r);
    if (slot < 0) {
      return;
    }
    long v = parse(text, length);
    if (v == NEGATIVE) {
      problem("negative token count ignored: " + k(r - 1));
    } else if (v == INVALID) {
      problem("unreadable token count ignored: " + k(r - 1));
    } else {
      doc[slot] = v;
      docHasUsage = true;
    }
  }

  @Override
  public void literal(byte first) {
    // true/false/null: "usage": null in OpenAI chunks says nothing
  }

  @Override
  public void error() {
    problem("invalid JSON in the response");
    java.util.Arrays.fill(doc, -1);
    docHasUsage = false;
  }

  void startDocument() {
    if (docHasUsage) {
      java.util.Arrays.fill(doc, -1);
      docHasUsage = false;
    }
  }

  private void endDocument() {
    if (docHasUsage) {
      for (int i = 0; i < SLOTS; i++) {
        if (doc[i] >= 0) {
          call[i] = doc[i];
        }
      }
      callHasUsage = true;
    }
    startDocument();
  }

  // --- what is where, per format

  private boolean isModelPath() {
    return switch (format) {
      case GEMINI_GENERATE -> is(Keys.MODEL_VERSION);
      case OPENAI_RESPONSES -> is(Keys.MODEL) || is(Keys.RESPONSE, Keys.MODEL);
      case ANTHROPIC_MESSAGES -> is(Keys.MODEL) || is(Keys.MESSAGE, Keys.MODEL);
      default -> is(Keys.MODEL);
    };
  }

  private boolean isTextPath(int r) {
    String last = k(r - 1);
    switch (format) {
      case OPENAI_CHAT -> {
        // choices[].delta.content | .message.content (and reasoning), choices[].text, tool call arguments
        if (r < 3 || k(0) != Keys.CHOICES || k(1) != ARRAY) {
          return false;
        }
        if (r == 3) {
          return last == Keys.TEXT;
        }
        String kind = k(2);
        if (kind != Keys.DELTA && kind != Keys.MESSAGE) {
          return false;
        }
        if (r == 4) {
          return last == Keys.CONTENT || last == Keys.REASONING_CONTENT || last == Keys.REASONING;
        }
        return r == 7 && k(3) == Keys.TOOL_CALLS && k(5) == Keys.FUNCTION && last == Keys.ARGUMENTS;
      }
      case OPENAI_RESPONSES -> {
        // stream: every *.delta event's "delta"; whole response: output[].content[].text, output[].arguments
        if (r == 1) {
          return last == Keys.DELTA;
        }
        if (k(0) != Keys.OUTPUT || k(1) != ARRAY) {
          return false;
        }
        return (r == 3 && last == Keys.ARGUMENTS)
            || (r == 5 && (k(2) == Keys.CONTENT || k(2) == Keys.SUMMARY) && k(3) == ARRAY && last == Keys.TEXT);
      }
      case ANTHROPIC_MESSAGES -> {
        if (r == 2 && k(0) == Keys.DELTA) {
          return last == Keys.TEXT || last == Keys.PARTIAL_JSON || last == Keys.THINKING;
        }
        return r == 3 && k(0) == Keys.CONTENT && k(1) == ARRAY && (last == Keys.TEXT || last == Keys.THINKING);
      }
      case GEMINI_GENERATE -> {
        return r == 6 && k(0) == Keys.CANDIDATES && k(1) == ARRAY && k(2) == Keys.CONTENT && k(3) == Keys.PARTS
            && k(4) == ARRAY && last == Keys.TEXT;
      }
      case BEDROCK_CONVERSE -> {
        // stream: contentBlockDelta's delta.text | delta.toolUse.input | delta.reasoningContent.text;
        // whole response: output.message.content[].text
        if (k(0) == Keys.DELTA) {
          return (r == 2 && last == Keys.TEXT)
              || (r == 3 && (k(1) == Keys.TOOL_USE && last == Keys.INPUT
                  || k(1) == Keys.REASONING_CONTENT_CAMEL && last == Keys.TEXT));
        }
        return r == 5 && k(0) == Keys.OUTPUT && k(1) == Keys.MESSAGE && k(2) == Keys.CONTENT && k(3) == ARRAY
            && last == Keys.TEXT;
      }
      case OLLAMA_CHAT, OLLAMA_GENERATE -> {
        return (r == 1 && (last == Keys.RESPONSE || last == Keys.THINKING))
            || (r == 2 && k(0) == Keys.MESSAGE && (last == Keys.CONTENT || last == Keys.THINKING));
      }
      default -> {
        return false;
      }
    }
  }

  /** The usage slot a number at this path fills, or -1. */
  private int slot(int r) {
    switch (format) {
      case OPENAI_CHAT, OPENAI_RESPONSES, OPENAI_EMBEDDINGS -> {
        // usage | x_groq.usage (Groq streams) | response.usage (Responses stream events)
        int p;
        if (k(0) == Keys.USAGE) {
          p = 1;
        } else if (r >= 3 && (k(0) == Keys.X_GROQ || k(0) == Keys.RESPONSE) && k(1) == Keys.USAGE) {
          p = 2;
        } else {
          return -1;
        }
        String f = k(r - 1);
        if (r == p + 1) {
          if (f == Keys.PROMPT_TOKENS || f == Keys.INPUT_TOKENS) {
            return PROMPT;
          } else if (f == Keys.COMPLETION_TOKENS || f == Keys.OUTPUT_TOKENS) {
            return OUTPUT;
          } else if (f == Keys.PROMPT_CACHE_HIT_TOKENS) {
            return CACHE_HIT;
          }
        } else if (r == p + 2) {
          String d = k(p);
          if (d == Keys.PROMPT_TOKENS_DETAILS || d == Keys.INPUT_TOKENS_DETAILS) {
            if (f == Keys.CACHED_TOKENS) {
              return CACHED;
            } else if (f == Keys.CACHE_WRITE_TOKENS) {
              return CACHE_WRITE;
            }
          } else if ((d == Keys.COMPLETION_TOKENS_DETAILS || d == Keys.OUTPUT_TOKENS_DETAILS)
              && f == Keys.REASONING_TOKENS) {
            return REASONING;
          }
        }
        return -1;
      }
      case ANTHROPIC_MESSAGES -> {
        // usage (whole message, message_delta) | message.usage (message_start)
        int p;
        if (k(0) == Keys.USAGE) {
          p = 1;
        } else if (r >= 3 && k(0) == Keys.MESSAGE && k(1) == Keys.USAGE) {
          p = 2;
        } else {
          return -1;
        }
        String f = k(r - 1);
        if (r == p + 1) {
          if (f == Keys.INPUT_TOKENS) {
            return PROMPT;
          } else if (f == Keys.OUTPUT_TOKENS) {
            return OUTPUT;
          } else if (f == Keys.CACHE_READ_INPUT_TOKENS) {
            return CACHED;
          } else if (f == Keys.CACHE_CREATION_INPUT_TOKENS) {
            return CACHE_WRITE;
          }
        } else if (r == p + 2) {
          String d = k(p);
          if (d == Keys.CACHE_CREATION) {
            return f == Keys.EPHEMERAL_5M ? CACHE_5M : f == Keys.EPHEMERAL_1H ? CACHE_1H : -1;
          } else if (d == Keys.OUTPUT_TOKENS_DETAILS && f == Keys.THINKING_TOKENS) {
            return REASONING;
          }
        }
        return -1;
      }
      case GEMINI_GENERATE -> {
        if (r != 2 || k(0) != Keys.USAGE_METADATA) {
          return -1;
        }
        String f = k(1);
        if (f == Keys.PROMPT_TOKEN_COUNT) {
          return PROMPT;
        } else if (f == Keys.CACHED_CONTENT_TOKEN_COUNT) {
          return CACHED;
        } else if (f == Keys.CANDIDATES_TOKEN_COUNT) {
          return OUTPUT;
        } else if (f == Keys.THOUGHTS_TOKEN_COUNT) {
          return THOUGHTS;
        } else if (f == Keys.TOOL_USE_PROMPT_TOKEN_COUNT) {
          return TOOL_PROMPT;
        }
        return -1;
      }
      case BEDROCK_CONVERSE -> {
        // usage (Converse's whole response, ConverseStream's metadata event)
        if (r != 2 || k(0) != Keys.USAGE) {
          return -1;
        }
        String f = k(1);
        if (f == Keys.INPUT_TOKENS_CAMEL) {
          return PROMPT;
        } else if (f == Keys.OUTPUT_TOKENS_CAMEL) {
          return OUTPUT;
        } else if (f == Keys.CACHE_READ_INPUT_TOKENS_CAMEL) {
          return CACHED;
        } else if (f == Keys.CACHE_WRITE_INPUT_TOKENS_CAMEL) {
          return CACHE_WRITE;
        }
        return -1;
      }
      case OLLAMA_CHAT, OLLAMA_GENERATE -> {
        if (r != 1) {
          return -1;
        }
        String f = k(0);
        return f == Keys.PROMPT_EVAL_COUNT ? PROMPT : f == Keys.EVAL_COUNT ? OUTPUT : -1;
      }
      default -> {
        return -1;
      }
    }
  }

  /** The provider's usage in disjoint buckets, or null if it reported none. */
  Usage usage() {
    if (!callHasUsage) {
      return null;
    }
    long prompt = n(PROMPT);
    long output = n(OUTPUT);
    switch (format) {
      case BEDROCK_CONVERSE -> {
        // inputTokens excludes the cache reads and writes, reported beside it (TokenUsage)
        return new Usage(prompt, n(CACHED), n(CACHE_WRITE), output, 0);
      }
      case ANTHROPIC_MESSAGES -> {
        // input_tokens already excludes cache reads and writes
        long write = call[CACHE_WRITE] >= 0 ? call[CACHE_WRITE] : n(CACHE_5M) + n(CACHE_1H);
        return new Usage(prompt, n(CACHED), write, output, Math.min(n(REASONING), output));
      }
      case GEMINI_GENERATE -> {
        // promptTokenCount includes cached content; candidatesTokenCount excludes thoughts
        long cached = Math.min(n(CACHED), prompt);
        long thoughts = n(THOUGHTS);
        return new Usage(prompt - cached + n(TOOL_PROMPT), cached, 0, output + thoughts, thoughts);
      }
      case OLLAMA_CHAT, OLLAMA_GENERATE -> {
        return new Usage(prompt, 0, 0, output, 0);
      }
      default -> {
        // OpenAI family: prompt_tokens includes cached and cache-write tokens; completion_tokens includes reasoning
        long cached = call[CACHED] >= 0 ? call[CACHED] : n(CACHE_HIT);
        cached = Math.min(cached, prompt);
        long write = Math.min(n(CACHE_WRITE), prompt - cached);
        long out = format == ApiFormat.OPENAI_EMBEDDINGS ? 0 : output;
        return new Usage(prompt - cached - write, cached, write, out, Math.min(n(REASONING), out));
      }
    }
  }

  private long n(int slot) {
    return Math.max(call[slot], 0);
  }

  private static final long NEGATIVE = -1;
  private static final long INVALID = -2;

  /** A token count: a non-negative integer (an integral decimal like 12.0 is accepted). */
  static long parse(byte[] text, int length) {
    if (length <= 0 || length > text.length) {
      return INVALID;
    }
    if (text[0] == '-') {
      // "-0" is zero; anything else negative is a lie
      for (int i = 1; i < length; i++) {
        if (text[i] >= '1' && text[i] <= '9') {
          return NEGATIVE;
        }
      }
      return length > 1 ? 0 : INVALID;
    }
    long v = 0;
    for (int i = 0; i < length; i++) {
      byte c = text[i];
      if (c < '0' || c > '9') {
        try {
          double d = Double.parseDouble(new String(text, 0, length, java.nio.charset.StandardCharsets.US_ASCII));
          return d >= 0 && d == Math.rint(d) && d < 1e15 ? (long) d : INVALID;
        } catch (NumberFormatException e) {
          return INVALID;
        }
      }
      if (v > (Long.MAX_VALUE - 9) / 10) {
        return INVALID;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
