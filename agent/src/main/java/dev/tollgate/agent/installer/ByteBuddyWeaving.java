package dev.tollgate.agent.installer;

import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;

import dev.tollgate.agent.installer.AgentInstaller.Applies;
import dev.tollgate.agent.log.Diagnostics;
import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.function.Supplier;
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
 * Everything of the agent that uses ByteBuddy, in one class so that nothing else loads it: the woven transformer
 * (inline {@link Advice} only, no class-format changes, so already-loaded classes can be retransformed; every error
 * inside advice routed to {@link Guard#suppressed} where it is counted). {@link AgentInstaller} reaches it only when
 * a class must be woven that the {@link WeaveCache} cannot answer.
 */
final class ByteBuddyWeaving {
  private static final Logger LOG = Diagnostics.logger(ByteBuddyWeaving.class);
  /** The one JDK-internal class we weave (the JDK HTTP client's request funnel); every other jdk.* is ignored. */
  private static final String HTTP_CLIENT_IMPL = "jdk.internal.net.http.HttpClientImpl";

  private ByteBuddyWeaving() {}

  /** Late attach: installed on the JVM, every loaded class that matches retransformed. */
  static ResettableClassFileTransformer install(Instrumentation inst, List<InstrumentationModule> modules,
      CoverageReport coverage, List<Applies> applies, Supplier<HelperInjector> helpers) {
    return configure(inst, modules, coverage, applies, helpers).installOn(inst);
  }

  /** The woven transformer, not registered with the JVM: the {@link CachingWeaver} calls it. */
  static ClassFileTransformer transformer(Instrumentation inst, List<InstrumentationModule> modules,
      CoverageReport coverage, List<Applies> applies, Supplier<HelperInjector> helpers) {
    return configure(inst, modules, coverage, applies, helpers).makeRaw();
  }

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
      CoverageReport coverage, List<Applies> applies, Supplier<HelperInjector> helpers) {
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
        .ignore(new NamePrefixes(TargetIndex.NEVER_WOVEN)
            .or(nameStartsWith("jdk.").and(not(named(HTTP_CLIENT_IMPL))))
            // libraries no instrumentation targets and no tool or LLM client lives in: at start-up most classes an
            // AI app loads are these (466 of the LangChain4j app's 788 are Jackson's), and each would otherwise have
            // its whole hierarchy parsed for the supertype matchers. Classes of the app that extend them are still
            // matched. See IGNORED_LIBRARIES.
            .or(new NamePrefixes(TargetIndex.IGNORED_LIBRARIES))
            .or(isSynthetic()));

    for (int i = 0; i < modules.size(); i++) {
      InstrumentationModule module = modules.get(i);
      Applies applied = applies.get(i);
      ElementMatcher.Junction<ClassLoader> present =
          new ElementMatcher.Junction.AbstractBase<ClassLoader>() {
            @Override
            public boolean matches(ClassLoader loader) {
              return applied.matches(loader);
            }
          };
      for (TypeInstrumentation type : module.typeInstrumentations()) {
        HelperInjector injector = null;
        if (!type.helperClasses().isEmpty()) {
          try {
            injector = helpers.get();
          } catch (RuntimeException e) {
            LOG.warn("{}: cannot define helper classes on this JVM ({}); {} is not instrumented", module.name(),
                e.getCause() == null ? e : e.getCause(), type.chokePoint());
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
        builder = injector == null
            ? matched.transform(transformer[0])
            : matched.transform(forType(injector, type.helperClasses())).transform(transformer[0]);
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

  /** The transformer to run before the advice of a type with these helpers: defines them in the type's loader. */
  private static AgentBuilder.Transformer forType(HelperInjector injector, List<String> helperClasses) {
    List<String> helpers = List.copyOf(helperClasses);
    return new AgentBuilder.Transformer() {
      @Override
      public DynamicType.Builder<?> transform(DynamicType.Builder<?> builder, TypeDescription type,
          ClassLoader loader, JavaModule module, ProtectionDomain domain) {
        injector.inject(loader, helpers);
        return builder;
      }
    };
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
            coverage.woven(m, t, type.getName(), loader);
            CachingWeaver.woven(m, t);
          }
        }
      }
    }

    @Override
    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
      CachingWeaver.failed();
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
