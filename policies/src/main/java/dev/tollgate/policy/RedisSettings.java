package dev.tollgate.policy;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * {@code ledger.redis:}: the Redis (or Valkey) server that JVMs with the same key prefix share budgets and limits
 * through.
 *
 * <p>{@link #toString()} never shows the URL's password; neither must anything else that reports these settings
 * (use {@link #redactedUrl()}).
 *
 * @param url           {@code redis://[user:password@]host[:port][/db]}, or {@code rediss://} for TLS
 * @param keyPrefix     every key starts with it; JVMs with the same prefix share budgets and limits
 * @param timeout       the longest one Redis command may take; a host thread never waits longer per command
 * @param onUnavailable what a governed call gets while Redis cannot be reached
 * @param holdTtl       a reservation not settled by then expires by itself (a JVM killed mid-call leaves nothing)
 */
public record RedisSettings(String url, String keyPrefix, Duration timeout, OnUnavailable onUnavailable,
    Duration holdTtl) {
  public static final String DEFAULT_KEY_PREFIX = "tollgate:";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(250);
  public static final Duration DEFAULT_HOLD_TTL = Duration.ofMinutes(10);

  /**
   * {@code block}: refuse governed calls, saying the ledger is unavailable; {@code local}: enforce with this JVM's
   * own counters and add what was spent meanwhile to Redis when it is back; {@code allow}: admit and log.
   */
  public enum OnUnavailable { BLOCK, LOCAL, ALLOW }

  /** Why {@code text} is not a Redis URL this store accepts, or null. Never repeats the text (it may hold a password). */
  public static String urlProblem(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      return "it does not parse as a URL (at index " + e.getIndex() + ")";
    }
    String scheme = uri.getScheme();
    if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
      return "the scheme is " + (scheme == null ? "missing" : "\"" + scheme + "\"") + ", expected redis or rediss";
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return "it has no host";
    }
    if (uri.getPort() > 65535) {
      return "the port is out of range";
    }
    String path = uri.getPath();
    if (path != null && !path.isEmpty() && !path.equals("/") && !path.substring(1).matches("[0-9]{1,5}")) {
      return "the path must be a database number such as /0";
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      return "it must not have a query or fragment";
    }
    return null;
  }

  /** The host. */
  public String host() {
    return URI.create(url).getHost();
  }

  /** The port (6379 by default). */
  public int port() {
    int port = URI.create(url).getPort();
    return port < 0 ? 6379 : port;
  }

  /** The database number (0 by default). */
  public int database() {
    String path = URI.create(url).getPath();
    return path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1));
  }

  public boolean tls() {
    return url.startsWith("rediss:");
  }

  /** The user named in the URL, or null. */
  public String user() {
    String info = URI.create(url).getUserInfo();
    if (info == null) {
      return null;
    }
    int colon = info.indexOf(':');
    String user = colon < 0 ? null : info.substring(0, colon);
    return user == null || user.isEmpty() ? null : user;
  }

  /** The password in the URL (after the colon of its user info, or the whole user info without one), or null. */
  public String urlPassword() {
    String info = URI.create(url).getUserInfo();
    if (info == null || info.isEmpty()) {
      return null;
    }
    int colon = info.indexOf(':');
    return colon < 0 ? info : info.substring(colon + 1);
  }

  /** The URL with any user info replaced by {@code ***}, safe to log. */
  public String redactedUrl() {
    URI uri = URI.create(url);
    return uri.getScheme() + "://" + (uri.getRawUserInfo() == null ? "" : "***@") + uri.getHost()
        + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  @Override
  public String toString() {
    return "RedisSettings[url=" + redactedUrl() + ", keyPrefix=" + keyPrefix + ", timeout=" + timeout
        + ", onUnavailable=" + onUnavailable + ", holdTtl=" + holdTtl + "]";
  }
}
