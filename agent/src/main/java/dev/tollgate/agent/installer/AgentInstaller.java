package dev.tollgate.agent.installer;

import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;

import dev.tollgate.agent.log.Diagnostics;
import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import java.lang.instrument.Instrumentation;
import java.util.List;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.bytecode.member.MethodInvocation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;
import org.slf4j.Logger;

/**
 * Weaves every instrumentation module into the JVM: inline {@link Advice} only, no class-format changes (so
 * already-loaded classes can be retransformed), the cheap class-loader check first, and every error inside
 * advice routed to {@link Guard#suppressed} where it is counted.
 */
public final class AgentInstaller {
  private static final Logger LOG = Diagnostics.logger(AgentInstaller.class);
  /** The one JDK-internal class we weave (the JDK HTTP client's request funnel); every other jdk.* is ignored. */
  private static final String HTTP_CLIENT_IMPL = "jdk.internal.net.http.HttpClientImpl";

  private AgentInstaller() {}

  public static ResettableClassFileTransformer install(Instrumentation inst, List<InstrumentationModule> modules,
      CoverageReport coverage) {
    return configure(inst, modules, coverage).installOn(inst);
  }

  /**
   * Returns at once: ByteBuddy is loaded and the woven transformer built on a background thread while the
   * application starts, behind a {@link LoadGate} that holds back every class the instrumentations name until
   * the transformer is ready and weaves anything that slipped by before. For {@code premain}: the JVM's own
   * start and the app's first class loads overlap the agent's set-up instead of waiting for it. {@code first}
   * (the guard's installation) runs on a second thread, {@code tollgate-init-guard}, beside ByteBuddy's set-up;
   * the gate opens when both are done.
   */
  public static void installInBackground(Instrumentation inst, List<InstrumentationModule> modules,
      CoverageReport coverage, Runnable first) {
    List<String> anchors = new java.util.ArrayList<>();
    for (InstrumentationModule m : modules) {
      anchors.addAll(m.anchors());
    }
    LoadGate gate = new LoadGate(anchors);
    Thread init = new Thread(() -> {
      java.lang.instrument.ClassFileTransformer woven = null;
      long start = System.nanoTime();
      long guardReady = start;
      long weaveReady = start;
      // The guard (engine, budgets, log's first lines, metrics) and ByteBuddy's set-up need nothing of each other:
      // each is mostly class loading and first runs of code, so on two cores they finish in about the time of the
      // longer one. The gate opens when both are done.
      Throwable[] guardFailed = {null};
      long[] guardDone = {0};
      Thread guard = new Thread(() -> {
        try {
          first.run();
        } catch (Throwable t) {
          guardFailed[0] = t;
        } finally {
          guardDone[0] = System.nanoTime();
        }
      }, "tollgate-init-guard");
      guard.setDaemon(true);
      try {
        guard.start();
        AgentBuilder b = configure(inst, modules, coverage);
        java.lang.instrument.ClassFileTransformer made = b.makeRaw();
        weaveReady = System.nanoTime();
        guard.join();
        guardReady = guardDone[0];
        if (guardFailed[0] != null) {
          throw guardFailed[0];
        }
        woven = made;
      } catch (Throwable t) {
        LOG.warn("could not set up the instrumentation; nothing is woven: {}", t.toString(), t);
      } finally {
        long opened = System.nanoTime();
        gate.open(woven, inst);
        coverage.ready(millis(guardReady - start), millis(weaveReady - start), millis(System.nanoTime() - opened),
            millis(gate.appBlockedNanos(opened)), gate.waitingLoads(), gate.firstWaiting());
      }
    }, "tollgate-init");
    init.setDaemon(true);
    gate.initThread(init);
    inst.addTransformer(gate, true);
    init.start();
  }

  /**
   * Starts loading ByteBuddy on a daemon thread while {@code premain} reads the policy and opens the log on the main
   * thread: the class initialisation of ByteBuddy's transformer (which generates its module-aware subclass with
   * ByteBuddy itself, loading a few hundred of its classes) is the longest step between {@code premain} and the gate
   * opening, and it needs nothing from the policy. Whatever it has not finished when {@code tollgate-init} needs it,
   * that thread waits for (class initialisation is once per JVM, under the JVM's own lock); a failure here is left
   * for {@code tollgate-init} to meet and report.
   */
  static void warmUpInBackground() {
    Thread warm = new Thread(() -> {
      try {
        Class.forName("net.bytebuddy.agent.builder.AgentBuilder$Default$ExecutingTransformer", true,
            AgentInstaller.class.getClassLoader());
      } catch (Throwable t) {
        // tollgate-init meets the same problem where it is reported
      }
    }, "tollgate-warm-up");
    warm.setDaemon(true);
    warm.start();
  }

  private static long millis(long nanos) {
    return java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  /** See {@link TargetIndex#NEVER_WOVEN}. */
  static final List<String> NEVER_WOVEN = TargetIndex.NEVER_WOVEN;

  /** See {@link TargetIndex#IGNORED_LIBRARIES} (kept in sync with the instrumentations by a test). */
  static final List<String> IGNORED_LIBRARIES = TargetIndex.IGNORED_LIBRARIES;

  /** Matches type names starting with any of a few prefixes, without building a matcher tree per prefix. */
  static final class NamePrefixes extends net.bytebuddy.matcher.ElementMatcher.Junction.AbstractBase<TypeDescription> {
    private final String[] prefixes;

    NamePrefixes(List<String> prefixes) {
      this.prefixes = prefixes.toArray(new String[0]);
    }

    @Override
    public boolean matches(TypeDescription type) {
      String name = type.getName();
      for (String p : prefixes) {
        if (name.startsWith(p)) {
          return true;
        }
      }
      return false;
    }
  }

  static AgentBuilder configure(Instrumentation inst, List<InstrumentationModule> modules,
      CoverageReport coverage) {
    Advice.ExceptionHandler countSuppressed;
    try {
      countSuppressed = new Advice.ExceptionHandler.Simple(MethodInvocation.invoke(
          new MethodDescription.ForLoadedMethod(Guard.class.getMethod("suppressed", Throwable.class))));
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e);
    }
    ClassFileLocator adviceLocator = ClassFileLocator.ForClassLoader.of(AgentInstaller.class.getClassLoader());

    AgentBuilder builder = newAgentBuilder()
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(AgentBuilder.TypeStrategy.Default.DECORATE)
        .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
        .with(new TypePoolCaches())
        .with(new Listener(modules, coverage))
        .ignore(new NamePrefixes(NEVER_WOVEN)
            .or(nameStartsWith("jdk.").and(not(named(HTTP_CLIENT_IMPL))))
            // libraries no instrumentation targets and no tool or LLM client lives in: at start-up most classes an
            // AI app loads are these (466 of the LangChain4j app's 788 are Jackson's), and each would otherwise have
            // its whole hierarchy parsed for the supertype matchers. Classes of the app that extend them are still
            // matched. See IGNORED_LIBRARIES.
            .or(new NamePrefixes(IGNORED_LIBRARIES))
            .or(isSynthetic()));

    HelperInjector helpers = null;
    for (InstrumentationModule module : modules) {
      ElementMatcher.Junction<ClassLoader> present = new ClassLoaderHasClasses(module.markerClasses());
      if (ModuleCompatibility.needed(module)) {
        present = present.and(new ModuleCompatibility(module, coverage));
      }
      for (TypeInstrumentation type : module.typeInstrumentations()) {
        if (!type.helperClasses().isEmpty() && helpers == null) {
          try {
            helpers = HelperInjector.open(inst, AgentInstaller.class.getClassLoader());
          } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("{}: cannot define helper classes on this JVM ({}); {} is not instrumented", module.name(),
                e, type.chokePoint());
            continue;
          }
        }
        AgentBuilder.Transformer.ForAdvice[] transformer = {
            new AgentBuilder.Transformer.ForAdvice()
                .include(adviceLocator)
                .withExceptionHandler(countSuppressed)
        };
        type.transform((methods, adviceClassName) ->
            transformer[0] = transformer[0].advice(methods, adviceClassName));
        AgentBuilder.Identified.Narrowable matched = builder.type(type.typeMatcher(), present);
        builder = type.helperClasses().isEmpty()
            ? matched.transform(transformer[0])
            : matched.transform(helpers.forType(type.helperClasses())).transform(transformer[0]);
      }
    }
    return builder;
  }

  /**
   * ByteBuddy's default builder eagerly prepares its "Nexus" self-injection, which reaches for
   * {@code sun.misc.Unsafe} (JDK 24+ prints a deprecation warning on the host's stderr) although
   * {@code disableClassFormatChanges()} never uses it. ByteBuddy's own switch skips that; it is read once by our
   * isolated copy of ByteBuddy while the builder is made, then restored so the host's ByteBuddy never sees it.
   */
  private static AgentBuilder newAgentBuilder() {
    String key = "net.bytebuddy.nexus.disabled";
    String previous = System.getProperty(key);
    System.setProperty(key, "true");
    try {
      return new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED));
    } finally {
      if (previous == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, previous);
      }
    }
  }

  /** Reports woven types to the coverage report and transformation failures to stderr. */
  private static final class Listener extends AgentBuilder.Listener.Adapter {
    private final List<InstrumentationModule> modules;
    private final CoverageReport coverage;

    Listener(List<InstrumentationModule> modules, CoverageReport coverage) {
      this.modules = modules;
      this.coverage = coverage;
    }

    @Override
    public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
        DynamicType dynamicType) {
      for (InstrumentationModule m : modules) {
        for (TypeInstrumentation t : m.typeInstrumentations()) {
          if (t.typeMatcher().matches(type)) {
            coverage.woven(m, t, type, loader);
          }
        }
      }
    }

    @Override
    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
      if (error instanceof net.bytebuddy.pool.TypePool.Resolution.NoSuchTypeException) {
        // a supertype without a class file, typically an interface another javaagent (OpenTelemetry's virtual
        // fields) added at run time: the type cannot be one of the framework types we weave by supertype
        LOG.debug("not matched {}: {}", typeName, error.toString());
        return;
      }
      LOG.warn("could not weave {}: {}", typeName, error.toString(), error);
    }
  }
}
