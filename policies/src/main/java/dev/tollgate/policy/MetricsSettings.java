package dev.tollgate.policy;

/**
 * {@code metrics:} — what the agent exports beyond its always-on JMX MBeans.
 *
 * @param prometheus where to serve {@code /metrics} in the Prometheus text format, or null (the default) for no
 *                   endpoint
 */
public record MetricsSettings(Prometheus prometheus) {
  public static final MetricsSettings DEFAULT = new MetricsSettings(null);

  /** {@code metrics.prometheus}: the address the scrape endpoint listens on; loopback unless the policy says so. */
  public record Prometheus(String host, int port) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9464;
  }
}
