package dev.tollgate.agent.instrumentation.entrypoint;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.not;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.policy.EntryPoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code runs.entry_points} from the policy: methods the app names as run boundaries, for agents that have no
 * framework entry point (a hand-written loop, a message handler). Built from the policy at start-up, not from
 * the services file. Each invocation is a run; framework entry points reached inside it join it.
 */
public final class EntryPointInstrumentationModule implements InstrumentationModule {
  private final List<EntryPoint> entryPoints;

  public EntryPointInstrumentationModule(List<EntryPoint> entryPoints) {
    this.entryPoints = List.copyOf(entryPoints);
  }

  @Override
  public String name() {
    return "entry-point";
  }

  @Override
  public List<String> markerClasses() {
    return List.of();
  }

  @Override
  public List<String> anchors() {
    return entryPoints.stream().map(EntryPoint::className).distinct().toList();
  }

  @Override
  public List<String> versionResources() {
    return List.of();
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    Map<String, List<String>> methodsByClass = new LinkedHashMap<>();
    for (EntryPoint e : entryPoints) {
      methodsByClass.computeIfAbsent(e.className(), k -> new ArrayList<>()).add(e.method());
    }
    List<TypeInstrumentation> types = new ArrayList<>();
    methodsByClass.forEach((type, methods) -> types.add(new EntryPointInstrumentation(type, methods)));
    return types;
  }

  static final class EntryPointInstrumentation implements TypeInstrumentation {
    private final String type;
    private final List<String> methods;

    EntryPointInstrumentation(String type, List<String> methods) {
      this.type = type;
      this.methods = methods;
    }

    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return named(type);
    }

    @Override
    public String chokePoint() {
      return "run entry (runs.entry_points " + type + "#" + String.join(",", methods) + ")";
    }

    @Override
    public void transform(AdviceTarget target) {
      ElementMatcher.Junction<MethodDescription> matcher = none();
      for (String m : methods) {
        matcher = matcher.or(named(m));
      }
      target.applyAdvice(matcher.and(not(isAbstract())),
          EntryPointInstrumentationModule.class.getName() + "$RunEntryAdvice");
    }
  }

  @SuppressWarnings("unused")
  public static class RunEntryAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter() {
      return Guard.runEnter("entry-point");
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object run, @Advice.Thrown(readOnly = false) Throwable thrown) {
      Throwable halt = Guard.runExit(run, thrown);
      if (halt != null) {
        thrown = halt;
      }
    }
  }
}
