package dev.tollgate.agent.log;

import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J provider of the agent's own class loader, for the libraries we carry that log through SLF4J (Jedis,
 * commons-pool): without one, SLF4J prints "No SLF4J providers were found" on the host's stderr. It never sees the
 * host's SLF4J, nor the host ours. Loggers are {@link Diagnostics#libraryLogger}: silent unless
 * {@code -Dtollgate.debug=true}.
 */
public final class DiagnosticsProvider implements SLF4JServiceProvider {
  private final ConcurrentHashMap<String, Logger> loggers = new ConcurrentHashMap<>();
  private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, Diagnostics::libraryLogger);
  private final IMarkerFactory markers = new BasicMarkerFactory();
  // a working MDC: in the agent's own unit tests (no isolated loader) the host's SLF4J finds this provider too
  private final MDCAdapter mdc = new BasicMDCAdapter();

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}
}
