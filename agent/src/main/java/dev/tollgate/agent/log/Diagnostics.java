package dev.tollgate.agent.log;

import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * The agent's own diagnostics: SLF4J API, isolated from the host's SLF4J (we never call {@code LoggerFactory},
 * so no provider lookup, no system property and no {@code simplelogger.properties} of the host's can reach us).
 * Lines go to {@code System.err} with a {@code [tollgate]} prefix; never to {@code System.out}. Debug output is
 * on with {@code -Dtollgate.debug=true}.
 */
public final class Diagnostics {
  private static final boolean DEBUG = Boolean.getBoolean("tollgate.debug");

  private Diagnostics() {}

  public static Logger logger(Class<?> owner) {
    return new StderrLogger(owner.getName(), false);
  }

  /**
   * The logger a library inside the agent (Jedis, commons-pool) gets through SLF4J's {@code LoggerFactory}: quiet
   * unless {@code -Dtollgate.debug=true}, since what such a library has to say reaches the user through our own
   * lines ({@code ledger.degraded}, ...), and the host's stderr is not the place for it.
   */
  static Logger libraryLogger(String name) {
    return new StderrLogger(name, true);
  }

  private static final class StderrLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    private final boolean library;

    StderrLogger(String name, boolean library) {
      this.name = name;
      this.library = library;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
        Throwable t) {
      String msg = MessageFormatter.basicArrayFormat(pattern, args);
      String prefix = level == Level.INFO ? "[tollgate] " : "[tollgate] " + level + " ";
      System.err.println(prefix + msg);
      if (t != null && (DEBUG || level == Level.ERROR)) {
        t.printStackTrace();
      }
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return DEBUG;
    }

    @Override
    public boolean isInfoEnabled() {
      return !library || DEBUG;
    }

    @Override
    public boolean isWarnEnabled() {
      return !library || DEBUG;
    }

    @Override
    public boolean isErrorEnabled() {
      return !library || DEBUG;
    }
  }
}
