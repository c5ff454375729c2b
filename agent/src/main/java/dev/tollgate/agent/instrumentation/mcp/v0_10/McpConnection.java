package dev.tollgate.agent.instrumentation.mcp.v0_10;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The connection an MCP client was configured with, read from the client's transport (never from the server's
 * {@code serverInfo}, which the server chooses): {@code stdio:<command> <args...>} for a stdio transport (its
 * {@code ServerParameters}), the URL for an HTTP transport (its base URI resolved against its endpoint), else
 * {@code transport:<class name>}. Fields are found by type, not by name, so that the SDK's renames between 0.10 and
 * 1.x do not matter; the answer is cached per client. The policy maps connections to names
 * ({@code tools.mcp_servers}).
 */
public final class McpConnection {
  private static final Map<Object, String> CACHE = new WeakHashMap<>();

  private McpConnection() {}

  /** The client's connection; {@code transport:unknown} when it cannot be read. */
  public static String of(Object client) {
    if (client == null) {
      return "transport:unknown";
    }
    synchronized (CACHE) {
      String cached = CACHE.get(client);
      if (cached != null) {
        return cached;
      }
    }
    String connection = read(client);
    synchronized (CACHE) {
      CACHE.put(client, connection);
    }
    return connection;
  }

  private static String read(Object client) {
    // McpClientTransport in 1.x, declared as its parent McpTransport in 0.10
    Object transport = fieldOfType(client, "io.modelcontextprotocol.spec.McpTransport");
    if (transport == null) {
      return "transport:unknown";
    }
    Object params = fieldOfType(transport, "io.modelcontextprotocol.client.transport.ServerParameters");
    if (params != null) {
      try {
        Method command = params.getClass().getMethod("getCommand");
        Method args = params.getClass().getMethod("getArgs");
        StringBuilder out = new StringBuilder("stdio:").append(command.invoke(params));
        Object list = args.invoke(params);
        if (list instanceof List<?> items) {
          for (Object item : items) {
            out.append(' ').append(item);
          }
        }
        return out.toString();
      } catch (ReflectiveOperationException | RuntimeException e) {
        return "transport:" + transport.getClass().getName();
      }
    }
    Object base = fieldOfType(transport, "java.net.URI");
    if (base instanceof java.net.URI uri) {
      String endpoint = stringField(transport, "endpoint", "sseEndpoint");
      try {
        return endpoint == null || endpoint.isEmpty() ? uri.toString() : uri.resolve(endpoint).toString();
      } catch (IllegalArgumentException e) {
        return uri.toString();
      }
    }
    return "transport:" + transport.getClass().getName();
  }

  /** The value of the first field (this class or a superclass) whose type is or implements {@code typeName}. */
  private static Object fieldOfType(Object owner, String typeName) {
    for (Class<?> c = owner.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (!java.lang.reflect.Modifier.isStatic(f.getModifiers()) && isA(f.getType(), typeName)) {
          try {
            f.setAccessible(true);
            return f.get(owner);
          } catch (RuntimeException | IllegalAccessException e) {
            return null;
          }
        }
      }
    }
    return null;
  }

  private static String stringField(Object owner, String... names) {
    for (Class<?> c = owner.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (String name : names) {
        try {
          Field f = c.getDeclaredField(name);
          if (f.getType() == String.class) {
            f.setAccessible(true);
            return (String) f.get(owner);
          }
        } catch (NoSuchFieldException ignored) {
          // try the next name
        } catch (RuntimeException | IllegalAccessException e) {
          return null;
        }
      }
    }
    return null;
  }

  private static boolean isA(Class<?> type, String name) {
    if (type == null) {
      return false;
    }
    if (type.getName().equals(name)) {
      return true;
    }
    for (Class<?> i : type.getInterfaces()) {
      if (isA(i, name)) {
        return true;
      }
    }
    return isA(type.getSuperclass(), name);
  }
}
