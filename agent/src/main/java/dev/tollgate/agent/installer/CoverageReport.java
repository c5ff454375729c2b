package dev.tollgate.agent.installer;

import dev.tollgate.agent.guard.CoverageWatch;
import dev.tollgate.agent.log.Diagnostics;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.agent.log.Event;
import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import net.bytebuddy.description.type.TypeDescription;
import org.slf4j.Logger;

/**
 * Which tool dispatchers and clients are actually woven in this JVM. Each time a new choke point is woven the
 * enforcement log gets a {@code coverage} event listing every choke point woven so far (with the types woven for
 * it at that moment), and stderr gets one line. Further implementations of a known choke point add no event.
 */
public final class CoverageReport implements CoverageWatch.Woven {
  private static final Logger LOG = Diagnostics.logger(CoverageReport.class);

  private final EnforcementLog log;
  private final List<InstrumentationModule> modules;
  private final Map<String, Map<String, Object>> woven = new LinkedHashMap<>();
  private volatile boolean llmCalls;
  private volatile boolean toolCalls;

  public CoverageReport(EnforcementLog log, List<InstrumentationModule> modules) {
    this.log = log;
    this.modules = List.copyOf(modules);
  }

  /** The first report: what is installed, nothing woven yet. */
  public synchronized void started() {
    List<String> names = modules.stream().map(InstrumentationModule::name).toList();
    log.write(Event.of("coverage").with("installed", names).with("instrumentations", List.of()));
    LOG.info("instrumentations installed: {}", String.join(", ", names));
  }

  /**
   * The background set-up is done and the load gate open: how long each part took, and how long the application
   * was held at the gate (from the first class load that had to wait), so that the agent's start-up cost is in the
   * log of every run, not only in benchmarks.
   */
  void ready(long guardMillis, long weaveSetupMillis, long retransformMillis, long appBlockedMillis, int waitingLoads,
      String firstWaiting) {
    log.write(Event.of("agent.ready")
        .with("guard_ms", guardMillis)
        .with("weave_setup_ms", weaveSetupMillis)
        .with("retransform_ms", retransformMillis)
        .with("app_blocked_ms", appBlockedMillis)
        .with("blocked_class_loads", waitingLoads)
        .with("first_blocked_class", firstWaiting));
  }

  synchronized void woven(InstrumentationModule module, TypeInstrumentation type, TypeDescription typeDescription,
      ClassLoader loader) {
    String key = module.name() + "|" + type.chokePoint();
    Map<String, Object> entry = woven.get(key);
    if (entry != null) {
      @SuppressWarnings("unchecked")
      List<String> types = (List<String>) entry.get("types");
      if (!types.contains(typeDescription.getName())) {
        types.add(typeDescription.getName()); // same choke point, one more implementation: no new event
      }
      return;
    }
    if (type.sees() == TypeInstrumentation.Sees.LLM_CALLS) {
      llmCalls = true;
    } else if (type.sees() == TypeInstrumentation.Sees.TOOL_CALLS) {
      toolCalls = true;
    }
    String version = version(module, loader);
    entry = new LinkedHashMap<>();
    entry.put("framework", module.name());
    entry.put("version", version);
    entry.put("choke_point", type.chokePoint());
    List<String> types = new ArrayList<>();
    types.add(typeDescription.getName());
    entry.put("types", types);
    woven.put(key, entry);
    List<Object> snapshot = new ArrayList<>();
    for (Map<String, Object> w : woven.values()) {
      Map<String, Object> copy = new LinkedHashMap<>(w);
      copy.put("types", List.copyOf((List<?>) w.get("types")));
      snapshot.add(copy);
    }
    log.write(Event.of("coverage")
        .with("installed", modules.stream().map(InstrumentationModule::name).toList())
        .with("instrumentations", snapshot));
    LOG.info("coverage: {} {} {} woven ({})", module.name(), version, type.chokePoint(), typeDescription.getName());
  }

  @Override
  public boolean llmCalls() {
    return llmCalls;
  }

  @Override
  public boolean toolCalls() {
    return toolCalls;
  }

  @Override
  public List<String> installed() {
    return modules.stream().map(InstrumentationModule::name).toList();
  }

  @Override
  public synchronized List<String> chokePoints() {
    List<String> points = new ArrayList<>();
    for (Map<String, Object> w : woven.values()) {
      points.add(w.get("framework") + " " + w.get("version") + ": " + w.get("choke_point"));
    }
    return points;
  }

  private static String version(InstrumentationModule module, ClassLoader loader) {
    if (module.fixedVersion() != null) {
      return module.fixedVersion();
    }
    if (loader == null) {
      return "unknown";
    }
    for (String resource : module.versionResources()) {
      try (InputStream in = loader.getResourceAsStream(resource)) {
        if (in != null) {
          Properties p = new Properties();
          p.load(in);
          return p.getProperty("version", "unknown");
        }
      } catch (IOException e) {
        // unreadable: try the next one
      }
    }
    String field = module.versionField();
    if (field != null) {
      int hash = field.indexOf('#');
      try {
        Object value = Class.forName(field.substring(0, hash), true, loader)
            .getField(field.substring(hash + 1)).get(null);
        if (value instanceof String) {
          return (String) value;
        }
      } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
        // not there in this version: unknown
      }
    }
    return "unknown";
  }

}
