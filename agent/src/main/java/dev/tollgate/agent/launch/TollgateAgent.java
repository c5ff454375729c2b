package dev.tollgate.agent.launch;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;

/**
 * The {@code -javaagent} entry point and the {@code java -jar} CLI entry point. Does as little as possible:
 * makes the jar's bootstrap classes visible from the bootstrap class loader, then hands over to the agent proper, which
 * loads from {@code inst.pack} inside the jar through its own class loader so the host never sees our libraries.
 * No static state but a once-per-JVM flag, no logging framework, nothing from {@code dev.tollgate.bootstrap} touched
 * before the append.
 */
public final class TollgateAgent {
  private static final String STARTUP = "dev.tollgate.agent.installer.AgentStartup$Entry";
  private static final String CLI = "dev.tollgate.agent.cli.Cli";
  /** Set by the first {@code premain} in this JVM. */
  private static final java.util.concurrent.atomic.AtomicBoolean STARTED =
      new java.util.concurrent.atomic.AtomicBoolean();

  private TollgateAgent() {}

  public static void premain(String args, Instrumentation inst) {
    start(args, inst, true);
  }

  public static void agentmain(String args, Instrumentation inst) {
    start(args, inst, false);
  }

  /** {@code java -jar tollgate-agent.jar validate FILE...} */
  public static void main(String[] args) throws Exception {
    ClassLoader loader = new InstClassLoader(agentJar(), ClassLoader.getPlatformClassLoader(), true);
    Object code = loader.loadClass(CLI).getMethod("run", String[].class).invoke(null, (Object) args);
    System.exit((Integer) code);
  }

  private static void start(String args, Instrumentation inst, boolean premain) {
    if (premain && !STARTED.compareAndSet(false, true)) {
      // a second -javaagent of this jar (or of a copy of it: the system class loader holds one copy of this class);
      // a late attach asks the bootstrap Guard instead, whose guard is installed by then
      System.err.println("[tollgate] already attached to this JVM; ignoring the second attach");
      return;
    }
    File jar;
    java.lang.reflect.Method startup;
    try {
      jar = agentJar();
      // the bootstrap classes are defined in the boot loader by the agent's start (beside its reading of the policy),
      // never by this loader: a use before that fails instead of making a second copy
      ClassLoader loader = new InstClassLoader(jar, ClassLoader.getPlatformClassLoader(), false);
      // the entry is its class's only public method, static, of two Object parameters: the shape of premain, whose
      // reflective call by the JVM has readied it (see AgentStartup.Entry)
      startup = loader.loadClass(STARTUP).getMethod("launch", Object.class, Object.class);
    } catch (Throwable t) {
      // too early for anything but stderr
      System.err.println("[tollgate] cannot start: " + t);
      failClosedUnlessOpen(args);
      return;
    }
    try {
      startup.invoke(null, inst, new Object[] {args, premain, jar});
    } catch (java.lang.reflect.InvocationTargetException e) {
      System.err.println("[tollgate] cannot start: " + e.getCause());
      e.getCause().printStackTrace();
      failClosedUnlessOpen(args);
    } catch (Throwable t) {
      System.err.println("[tollgate] cannot start: " + t);
      t.printStackTrace();
      failClosedUnlessOpen(args);
    }
  }

  /** Mirrors the precedence of {@code fail-mode} in the agent's config, for failures before config exists. */
  private static void failClosedUnlessOpen(String args) {
    String mode = null;
    if (args != null) {
      for (String kv : args.split(",")) {
        if (kv.trim().startsWith("fail-mode=")) {
          mode = kv.trim().substring("fail-mode=".length());
        }
      }
    }
    if (mode == null) {
      mode = System.getProperty("tollgate.fail-mode");
    }
    if (mode == null) {
      mode = System.getenv("TOLLGATE_FAIL_MODE");
    }
    if ("open".equalsIgnoreCase(mode == null ? "" : mode.trim())) {
      System.err.println("[tollgate] DISABLED: the agent failed to start and fail-mode=open; "
          + "the application runs UNGOVERNED");
      return;
    }
    System.err.println("[tollgate] stopping the JVM (fail-mode=closed). "
        + "Set -Dtollgate.fail-mode=open to run the application ungoverned instead.");
    System.exit(78);
  }

  private static File agentJar() throws URISyntaxException {
    return new File(TollgateAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
