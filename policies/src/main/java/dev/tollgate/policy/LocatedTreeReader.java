package dev.tollgate.policy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Turns policy text into a {@link Node} tree with locations, using Jackson's streaming parsers only
 * (no data binding, so no reflection and nothing a file can make us instantiate).
 *
 * <p>YAML aliases ({@code *name}) are rejected: a policy is short, and an alias would make one location
 * stand for values written elsewhere. An anchor ({@code &name}) alone is harmless and ignored, since nothing
 * can refer to it. A file must hold exactly one document. An empty value ({@code deny:}) is null, a quoted
 * {@code ""} is the empty string.
 * Only {@code true} and {@code false} are booleans ({@code yes}, {@code on}, ... stay strings), and
 * quoted scalars are always strings, so {@code max_calls: "5"} is a type error rather than a guess.
 */
final class LocatedTreeReader {
  /** Far deeper than any valid policy; stops hostile nesting before Jackson's own (message-unfriendly) limit. */
  static final int MAX_DEPTH = 32;

  private static final JsonFactory JSON = JsonFactory.builder()
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .build();
  private static final YAMLFactory YAML;

  static {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(true); // we report duplicates ourselves, with both locations known
    YAML = YAMLFactory.builder()
        .loaderOptions(options)
        .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS, YAMLParser.Feature.EMPTY_STRING_AS_NULL)
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .build();
  }

  private final String file;
  private final boolean json;
  private final List<PolicyError> errors = new ArrayList<>();

  private LocatedTreeReader(String file, boolean json) {
    this.file = file;
    this.json = json;
  }

  /** Reads one document; throws with every structural problem found (syntax errors stop at the first). */
  static Node read(String text, String file, boolean json) throws PolicyException {
    return new LocatedTreeReader(file, json).read(text);
  }

  private Node read(String text) throws PolicyException {
    String format = json ? "JSON" : "YAML";
    try (JsonParser p = (json ? JSON : YAML).createParser(text)) {
      if (p.nextToken() == null) {
        throw new PolicyException(List.of(new PolicyError(file, 1, 1,
            "policy file is empty; expected a mapping starting with version: 1")));
      }
      Node root = readValue(p, 0);
      if (p.nextToken() != null) {
        JsonLocation at = p.currentTokenLocation();
        errors.add(new PolicyError(file, line(at), column(at), json
            ? "unexpected content after the end of the policy object; a policy file holds one JSON object"
            : "a second YAML document starts here; a policy file holds exactly one document"));
      }
      if (!errors.isEmpty()) {
        throw new PolicyException(errors);
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new PolicyException(List.of(syntaxError(e, format)));
    } catch (IOException e) {
      throw new PolicyException(List.of(new PolicyError(file, 0, 0, "cannot read policy: malformed " + format)));
    }
  }

  private Node readValue(JsonParser p, int depth) throws IOException {
    JsonLocation at = p.currentTokenLocation();
    int line = line(at);
    int column = column(at);
    if (p instanceof YAMLParser yaml) {
      if (yaml.isCurrentAlias()) {
        errors.add(new PolicyError(file, line, column, "YAML aliases (*" + p.getText()
            + ") are not supported in policy files; write the value out in full"));
        return new Node.Scalar(line, column, Node.Kind.NULL, null, "");
      }
    }
    JsonToken token = p.currentToken();
    if ((token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) && depth >= MAX_DEPTH) {
      errors.add(new PolicyError(file, line, column, "nesting is deeper than " + MAX_DEPTH + " levels"));
      p.skipChildren();
      return new Node.Scalar(line, column, Node.Kind.NULL, null, "");
    }
    switch (token) {
      case START_OBJECT: {
        List<Node.Entry> entries = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          JsonLocation keyAt = p.currentTokenLocation();
          String key = p.currentName();
          p.nextToken();
          entries.add(new Node.Entry(key, line(keyAt), column(keyAt), readValue(p, depth + 1)));
        }
        return new Node.Mapping(line, column, List.copyOf(entries));
      }
      case START_ARRAY: {
        List<Node> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          items.add(readValue(p, depth + 1));
        }
        return new Node.Sequence(line, column, List.copyOf(items));
      }
      case VALUE_STRING:
        return new Node.Scalar(line, column, Node.Kind.STRING, p.getText(), p.getText());
      case VALUE_NUMBER_INT:
        return new Node.Scalar(line, column, Node.Kind.INTEGER,
            p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue() : p.getLongValue(),
            p.getText());
      case VALUE_NUMBER_FLOAT:
        return new Node.Scalar(line, column, Node.Kind.DECIMAL, null, p.getText());
      case VALUE_TRUE:
      case VALUE_FALSE:
        return new Node.Scalar(line, column, Node.Kind.BOOLEAN, token == JsonToken.VALUE_TRUE, p.getText());
      case VALUE_NULL:
        return new Node.Scalar(line, column, Node.Kind.NULL, null, "");
      default:
        // VALUE_EMBEDDED_OBJECT (YAML !!binary and the like): nothing a policy can use.
        errors.add(new PolicyError(file, line, column, "unsupported value; expected a string, number, list or mapping"));
        return new Node.Scalar(line, column, Node.Kind.NULL, null, "");
    }
  }

  private PolicyError syntaxError(JsonProcessingException e, String format) {
    if (e.getCause() instanceof MarkedYAMLException yaml) {
      Mark mark = yaml.getProblemMark() != null ? yaml.getProblemMark() : yaml.getContextMark();
      String message = clean(yaml.getProblem());
      if (yaml.getContext() != null) {
        message += " (" + clean(yaml.getContext()) + ")";
      }
      int line = mark == null ? 0 : mark.getLine() + 1;
      int column = mark == null ? 0 : mark.getColumn() + 1;
      return new PolicyError(file, line, column, "malformed YAML: " + message);
    }
    JsonLocation at = e.getLocation();
    String message = clean(e.getOriginalMessage());
    return new PolicyError(file, at == null ? 0 : line(at), at == null ? 0 : column(at),
        "malformed " + format + (message.isEmpty() ? "" : ": " + message));
  }

  private static final Pattern SOURCE_REFERENCE = Pattern.compile("\\s*\\(?(start marker at )?\\[Source:[^\\]]*\\]\\)?");
  private static final Pattern JAVA_NAME = Pattern.compile(
      "\\b[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+\\.[A-Z]\\w*|`[^`]*`|\\bjava\\.|Exception\\b");

  /** Keeps the parser's explanation, drops its internals (source references, Java names, second lines). */
  static String clean(String message) {
    if (message == null) {
      return "";
    }
    String first = message.strip();
    int newline = first.indexOf('\n');
    if (newline >= 0) {
      first = first.substring(0, newline);
    }
    first = SOURCE_REFERENCE.matcher(first).replaceAll("").strip();
    if (JAVA_NAME.matcher(first).find()) {
      return "";
    }
    return first;
  }

  private static int line(JsonLocation at) {
    return Math.max(at.getLineNr(), 0);
  }

  private static int column(JsonLocation at) {
    return Math.max(at.getColumnNr(), 0);
  }
}
