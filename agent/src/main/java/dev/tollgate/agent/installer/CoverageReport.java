package dev.tollgate.agent.installer;

import dev.tollgate.agent.guard.CoverageWatch;
import dev.tollgate.agent.log.Diagnostics;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.policy.event.AgentReady;
import dev.tollgate.policy.event.CoverageEvent;
import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;

/**
 * Which tool dispatchers and clients are actually woven in this JVM. Each time a new choke point is woven the
 * enforcement log gets a {@code coverage} event listing every choke point woven so far (with the types woven for
 * it at that moment), and stderr gets one line. Further implementations of a known choke point add no event.
 */
public final class CoverageReport implements CoverageWatch.Woven {
  private static final Logger LOG = Diagnostics.logger(CoverageReport.class);

  private final EnforcementLog log;
  /** The installed modules' names, in order: what every coverage event and gap names. */
  private final List<String> installed;
  private final Map<String, Map<String, Object>> woven = new LinkedHashMap<>();
  private final List<Map<String, Object>> disabled;
  private final List<Map<String, Object>> skipped = new ArrayList<>();
  private volatile boolean llmCalls;
  private volatile boolean toolCalls;

  public CoverageReport(EnforcementLog log, List<InstrumentationModule> modules) {
    this(log, modules, Map.of());
  }

  /** @param disabled modules switched off by configuration: name -> which setting did it */
  public CoverageReport(EnforcementLog log, List<InstrumentationModule> modules, Map<String, String> disabled) {
    this.log = log;
    // once, here, not per event (a loop, not a stream with a method reference: built while the app starts, where
    // each lambda's first use spins a class)
    List<String> names = new ArrayList<>(modules.size());
    for (InstrumentationModule m : modules) {
      names.add(m.name());
    }
    this.installed = List.copyOf(names);
    List<Map<String, Object>> off = new ArrayList<>();
    for (Map.Entry<String, String> e : disabled.entrySet()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("framework", e.getKey());
      entry.put("disabled_by", e.getValue());
      off.add(entry);
    }
    this.disabled = List.copyOf(off);
  }

  /** The first report: what is installed (and switched off), nothing woven yet. */
  public synchronized void started() {
    log.write(event());
    LOG.info("instrumentations installed: {}", String.join(", ", installed));
    for (Map<String, Object> off : disabled) {
      LOG.info("instrumentation {} is switched off ({})", off.get("framework"), off.get("disabled_by"));
    }
  }

  /** A coverage event with everything known so far. */
  private CoverageEvent event() {
    List<Map<String, Object>> snapshot = new ArrayList<>();
    for (Map<String, Object> w : woven.values()) {
      Map<String, Object> copy = new LinkedHashMap<>(w);
      copy.put("types", List.copyOf((List<?>) w.get("types")));
      snapshot.add(copy);
    }
    return new CoverageEvent(installed, snapshot, disabled, skipped);
  }

  /**
   * {@code module} is not woven into {@code loader}'s copy of its library (out of its version range, or a member
   * its advice needs is missing): one more {@code coverage} event, and a warning on stderr.
   */
  synchronized void skipped(InstrumentationModule module, ClassLoader loader, String reason) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("framework", module.name());
    entry.put("version", version(module, loader));
    entry.put("reason", reason);
    entry.put("class_loader", loader.getClass().getName());
    skipped.add(entry);
    log.write(event());
    LOG.info("WARNING instrumentation {} skipped for {}: {}; its calls are not governed there", module.name(),
        loader.getClass().getName(), reason);
  }

  /**
   * The background set-up is done and the load gate open: how long each part took, and how long the application
   * was held at the gate (from the first class load that had to wait), so that the agent's start-up cost is in the
   * log of every run, not only in benchmarks.
   */
  void ready(long guardMillis, long weaveSetupMillis, long retransformMillis, long appBlockedMillis, int waitingLoads,
      String firstWaiting, long waitingCalls, String weaveCache, String guardStart, long guardDeferredMillis) {
    log.write(new AgentReady(guardMillis, weaveSetupMillis, retransformMillis, appBlockedMillis, waitingLoads,
        firstWaiting, waitingCalls, weaveCache, guardStart, guardDeferredMillis));
  }

  synchronized void woven(InstrumentationModule module, TypeInstrumentation type, String typeName,
      ClassLoader loader) {
    String key = module.name() + "|" + type.chokePoint();
    Map<String, Object> entry = woven.get(key);
    if (entry != null) {
      @SuppressWarnings("unchecked")
      List<String> types = (List<String>) entry.get("types");
      if (!types.contains(typeName)) {
        types.add(typeName); // same choke point, one more implementation: no new event
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
    types.add(typeName);
    entry.put("types", types);
    woven.put(key, entry);
    log.write(event());
    LOG.info("coverage: {} {} {} woven ({})", module.name(), version, type.chokePoint(), typeName);
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
    return installed;
  }

  @Override
  public synchronized List<String> notWoven() {
    List<String> out = new ArrayList<>();
    for (Map<String, Object> off : disabled) {
      out.add(off.get("framework") + " switched off (" + off.get("disabled_by") + ")");
    }
    for (Map<String, Object> s : skipped) {
      out.add(s.get("framework") + " " + s.get("version") + " skipped: " + s.get("reason"));
    }
    return out;
  }

  @Override
  public synchronized List<String> chokePoints() {
    List<String> points = new ArrayList<>();
    for (Map<String, Object> w : woven.values()) {
      points.add(w.get("framework") + " " + w.get("version") + ": " + w.get("choke_point"));
    }
    return points;
  }

  /** The version in the module's {@link InstrumentationModule#versionResources()} under {@code loader}, or null. */
  static String resourceVersion(InstrumentationModule module, ClassLoader loader) {
    if (module.fixedVersion() != null) {
      return module.fixedVersion();
    }
    if (loader == null) {
      return null;
    }
    for (String resource : module.versionResources()) {
      try (InputStream in = loader.getResourceAsStream(resource)) {
        if (in != null) {
          Properties p = new Properties();
          p.load(in);
          return p.getProperty("version");
        }
      } catch (IOException e) {
        // unreadable: try the next one
      }
    }
    return null;
  }

  private static String version(InstrumentationModule module, ClassLoader loader) {
    String fromResource = resourceVersion(module, loader);
    if (fromResource != null) {
      return fromResource;
    }
    if (loader == null) {
      return "unknown";
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
