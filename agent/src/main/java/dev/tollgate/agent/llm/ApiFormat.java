package dev.tollgate.agent.llm;

/** The wire format of an LLM endpoint: decides which request fields carry the model and caps, and how usage is read. */
public enum ApiFormat {
  OPENAI_CHAT,
  OPENAI_RESPONSES,
  OPENAI_EMBEDDINGS,
  ANTHROPIC_MESSAGES,
  GEMINI_GENERATE,
  OLLAMA_CHAT,
  OLLAMA_GENERATE,
  /**
   * AWS Bedrock Converse / ConverseStream: model in the URL path, cap in {@code inferenceConfig.maxTokens}, usage in
   * {@code usage} (the stream's {@code metadata} event), streams framed as AWS event-stream messages.
   */
  BEDROCK_CONVERSE;

  boolean ollamaNative() {
    return this == OLLAMA_CHAT || this == OLLAMA_GENERATE;
  }
}
