package dev.tollgate.agent.llm;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Recognises LLM calls by the shape of their URL path, on any host (gateways and local servers count).
 *
 * <p>Called for every HTTP request the host makes, so the common "not an LLM call" answer costs a method check and a
 * few {@code endsWith} on the raw path, with no allocation.
 */
public final class Endpoints {
  private static final int OLLAMA_PORT = 11434;
  private static final List<String> FORMATS = List.of("openai", "anthropic", "gemini", "ollama", "azure-openai");

  private final List<Base> configured;

  public Endpoints(List<ConfiguredProvider> configured) {
    List<Base> bases = new ArrayList<>();
    if (configured != null) {
      for (ConfiguredProvider p : configured) {
        bases.add(Base.of(p));
      }
    }
    // the most specific base wins when bases nest
    bases.sort(Comparator.comparingInt((Base b) -> b.path.length()).reversed());
    this.configured = List.copyOf(bases);
  }

  /** The endpoint {@code method uri} calls, or null when it is not an LLM call this package can meter. */
  public Endpoint recognize(String method, URI uri) {
    if (uri == null || method == null || !method.equalsIgnoreCase("POST")) {
      return null;
    }
    String path = uri.getRawPath();
    if (path == null || path.length() < 8) {
      return null;
    }
    Shape shape = shape(path);
    if (shape == null) {
      return null;
    }
    Base base = configured.isEmpty() ? null : configuredFor(uri, path);
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    String hostProvider = providerByHost(host, uri.getPort());
    if (shape.gated && base == null && hostProvider == null) {
      // generic words (".../responses", ".../embeddings", ".../api/chat") on an unknown host are not evidence enough
      if (!shape.versionedParent) {
        return null;
      }
    }
    String provider;
    if (base != null) {
      provider = base.name;
    } else if (shape.azureDeployment) {
      provider = "azure-openai";
    } else if (hostProvider != null) {
      provider = hostProvider;
    } else {
      provider = shape.format.compatibleProvider();
    }
    return new Endpoint(provider, shape.format, shape.pathModel, shape.streamByPath);
  }

  /**
   * The Bedrock Runtime operation {@code method uri} calls, or null: {@code POST /model/{modelId}/converse},
   * {@code /converse-stream}, and {@code /invoke} for Anthropic models (whose body is Anthropic's Messages format).
   * Only the AWS SDK seam asks, which knows the request is a Bedrock Runtime call whatever the host (a VPC endpoint,
   * a local simulator): these paths are never recognised on a plain HTTP client, so a call is counted once. The
   * provider is a configured provider's name when its base URL matches, else {@code aws}.
   */
  public Endpoint recognizeBedrock(String method, URI uri) {
    if (uri == null || method == null || !method.equalsIgnoreCase("POST")) {
      return null;
    }
    String path = uri.getRawPath();
    if (path == null) {
      return null;
    }
    int modelStart = path.lastIndexOf("/model/");
    if (modelStart < 0) {
      return null;
    }
    modelStart += "/model/".length();
    int modelEnd = path.indexOf('/', modelStart);
    if (modelEnd <= modelStart || path.indexOf('/', modelEnd + 1) >= 0) {
      return null;
    }
    String model = decode(path.substring(modelStart, modelEnd));
    String operation = path.substring(modelEnd + 1);
    ApiFormat format;
    boolean stream;
    switch (operation) {
      case "converse" -> {
        format = ApiFormat.BEDROCK_CONVERSE;
        stream = false;
      }
      case "converse-stream" -> {
        format = ApiFormat.BEDROCK_CONVERSE;
        stream = true;
      }
      case "invoke" -> {
        if (!model.toLowerCase(Locale.ROOT).contains("anthropic.")) {
          return null; // other vendors' InvokeModel bodies are not read
        }
        format = ApiFormat.ANTHROPIC_MESSAGES;
        stream = false;
      }
      default -> {
        return null;
      }
    }
    Base base = configured.isEmpty() ? null : configuredFor(uri, path);
    return new Endpoint(base != null ? base.name : BEDROCK, format, model, stream);
  }

  /** The price table's (and the log's) provider id for AWS Bedrock. */
  static final String BEDROCK = "aws";

  /** What a path says: the format, a model or Azure deployment in the path, whether it needs a known host. */
  record Shape(ApiFormat format, String pathModel, boolean streamByPath, boolean azureDeployment,
      boolean gated, boolean versionedParent) {}

  /** The first format whose operation the path names; a miss costs each format an {@code endsWith} or two. */
  private static Shape shape(String path) {
    for (ApiFormat format : ApiFormat.values()) {
      Shape shape = format.shape(path);
      if (shape != null) {
        return shape;
      }
    }
    return null;
  }

  /** {@code parentEnd}: index of the '/' that starts the operation suffix. */
  static Shape openAi(ApiFormat format, String path, int parentEnd, boolean gated) {
    int parentStart = path.lastIndexOf('/', parentEnd - 1) + 1;
    String parent = path.substring(parentStart, parentEnd);
    // Azure legacy: .../openai/deployments/{deployment}/{operation}
    int deploymentsEnd = parentStart - 1;
    if (deploymentsEnd > 0 && path.startsWith("/deployments", deploymentsEnd - "/deployments".length())
        && path.startsWith("/openai", deploymentsEnd - "/deployments".length() - "/openai".length())
        && !parent.isEmpty()) {
      return new Shape(format, decode(parent), false, true, false, true);
    }
    return new Shape(format, null, false, false, gated, versioned(parent) || parent.equals("openai"));
  }

  private static boolean versioned(String segment) {
    // v1, v2, v1beta, v1alpha1, ...
    return segment.length() >= 2 && segment.charAt(0) == 'v' && Character.isDigit(segment.charAt(1));
  }

  static Shape gemini(ApiFormat format, String path, int modelEnd, boolean stream) {
    int modelStart = path.lastIndexOf('/', modelEnd - 1) + 1;
    if (modelStart == 0 || modelStart >= modelEnd || !path.startsWith("/models/", modelStart - "/models/".length())) {
      return null;
    }
    int modelsStart = modelStart - "/models/".length();
    int publisherStart = path.lastIndexOf('/', modelsStart - 1) + 1;
    int publishersStart = path.lastIndexOf('/', publisherStart - 2) + 1;
    if (publisherStart > 0 && publishersStart >= 0
        && path.startsWith("publishers/", publishersStart)
        && !path.startsWith("google/", publisherStart)) {
      return null; // Vertex: another publisher's model (Anthropic, Mistral, ...) speaks another format
    }
    return new Shape(format, decode(path.substring(modelStart, modelEnd)), stream, false, false,
        true);
  }

  private static String decode(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return segment;
    }
  }

  /** Known first-party hosts; null for any other host. */
  static String providerByHost(String host, int port) {
    if (port == OLLAMA_PORT) {
      return "ollama";
    }
    switch (host) {
      case "api.openai.com":
        return "openai";
      case "api.anthropic.com":
        return "anthropic";
      case "generativelanguage.googleapis.com":
        return "gemini";
      case "ollama.com":
        return "ollama";
      default:
        break;
    }
    if (host.endsWith("aiplatform.googleapis.com")
        || (host.startsWith("aiplatform.") && host.endsWith(".rep.googleapis.com"))) {
      return "gemini";
    }
    if (host.endsWith(".openai.azure.com") || host.endsWith(".cognitiveservices.azure.com")
        || host.endsWith(".services.ai.azure.com")) {
      return "azure-openai";
    }
    return null;
  }

  private Base configuredFor(URI uri, String path) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    int port = Base.port(scheme, uri.getPort());
    for (Base b : configured) {
      if (b.port == port && b.host.equals(host) && b.scheme.equals(scheme)
          && path.startsWith(b.path) && (path.length() == b.path.length() || path.charAt(b.path.length()) == '/')) {
        return b;
      }
    }
    return null;
  }

  private record Base(String name, String scheme, String host, int port, String path) {
    static Base of(ConfiguredProvider p) {
      if (p.name() == null || p.name().isBlank() || p.baseUrl() == null) {
        throw new IllegalArgumentException("provider needs a name and a base_url, got " + p);
      }
      URI u;
      try {
        u = new URI(p.baseUrl().trim());
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException("provider " + p.name() + ": base_url is not a URL: " + p.baseUrl(), e);
      }
      if (u.getScheme() == null || u.getHost() == null) {
        throw new IllegalArgumentException(
            "provider " + p.name() + ": base_url needs a scheme and a host, got " + p.baseUrl());
      }
      if (p.format() != null && !FORMATS.contains(p.format())) {
        throw new IllegalArgumentException("provider " + p.name() + ": format must be one of " + FORMATS + ", got "
            + p.format());
      }
      String scheme = u.getScheme().toLowerCase(Locale.ROOT);
      String path = u.getRawPath() == null ? "" : u.getRawPath();
      while (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      return new Base(p.name(), scheme, u.getHost().toLowerCase(Locale.ROOT), port(scheme, u.getPort()), path);
    }

    static int port(String scheme, int port) {
      if (port >= 0) {
        return port;
      }
      return scheme.equals("http") ? 80 : scheme.equals("https") ? 443 : -1;
    }
  }
}
