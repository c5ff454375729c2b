package dev.tollgate.agent.installer;

import dev.tollgate.agent.config.AgentConfig;
import dev.tollgate.agent.config.ConfigKey;
import dev.tollgate.agent.guard.LlmGuard;
import dev.tollgate.agent.guard.AuditFollower;
import dev.tollgate.agent.guard.CoverageWatch;
import dev.tollgate.policy.budget.FileAuditJournal;
import dev.tollgate.policy.budget.LedgerKey;
import dev.tollgate.policy.store.AuditJournal;
import dev.tollgate.agent.guard.PolicyGuard;
import dev.tollgate.agent.guard.PolicyWatcher;
import dev.tollgate.agent.guard.ProcessId;
import dev.tollgate.agent.llm.ConfiguredProvider;
import dev.tollgate.agent.llm.Endpoints;
import dev.tollgate.policy.BudgetScope;
import dev.tollgate.policy.LedgerSettings;
import dev.tollgate.policy.RedisSettings;
import dev.tollgate.policy.event.AgentStarted;
import dev.tollgate.policy.event.AgentStopped;
import dev.tollgate.policy.event.BudgetLoaded;
import dev.tollgate.policy.event.LedgerNews;
import dev.tollgate.policy.event.PolicyLoaded;
import dev.tollgate.policy.budget.PriceTable;
import dev.tollgate.policy.store.FleetStore;
import dev.tollgate.policy.store.LocalStore;
import dev.tollgate.policy.store.RedisStore;
import dev.tollgate.policy.ProviderEndpoint;
import dev.tollgate.policy.budget.BudgetState;
import dev.tollgate.policy.budget.FileLedger;
import dev.tollgate.policy.budget.Ledger;
import dev.tollgate.policy.budget.LlmGovernor;
import dev.tollgate.agent.instrumentation.entrypoint.EntryPointInstrumentationModule;
import dev.tollgate.agent.instrumentation.jdkhttp.JdkHttpClientInstrumentationModule;
import dev.tollgate.agent.log.Diagnostics;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.agent.metrics.Metrics;
import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.engine.PolicyEngine;
import java.io.File;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.jar.JarFile;
import org.slf4j.Logger;

/**
 * The agent proper, loaded from the jar's {@code inst.pack} by the launcher: resolve configuration, load the policy
 * strictly (fail-closed by default), open the enforcement log, install the guard, weave.
 */
public final class AgentStartup {
  /** Exit status when the agent refuses to let the application start (sysexits EX_CONFIG). */
  public static final int EXIT_CONFIG = 78;
  static final String DEFAULT_LOG = "tollgate-enforcement.jsonl";
  private static final Logger LOG = Diagnostics.logger(AgentStartup.class);

  private AgentStartup() {}

  /**
   * The launcher's entry: one public static method of two reference parameters, the shape of {@code premain} itself.
   * Core reflection invokes through method handles since JDK 18, and the first call of a method of a new shape spins
   * its lambda forms on premain's thread (15-20 ms measured on Temurin 25, for a constructor or a method taking a
   * {@code boolean}); the JVM's own reflective call of {@code premain} has spun this shape's already (~1.5 ms). A class
   * of its own, so {@code Class.getMethod} lists one method, not {@code AgentStartup}'s (4 ms on JDK 17).
   *
   * <p>With premain, the bootstrap classes are defined on {@code tollgate-modules} (which then lists the
   * instrumentation modules) while this thread reads the configuration and the policy ({@link PremainPolicy}): 12-14
   * ms of premain's on Temurin 25, most of it {@code Instrumentation.redefineModule}'s first call. Until
   * {@link BootstrapDefiner.InBackground#await} this class and what it runs must not touch {@link AgentStartup} (its
   * verification loads {@code PolicyGuard}, a bootstrap class's subclass) nor any other class that refers to a
   * bootstrap class: {@code PremainPolicyTest} keeps it so.
   */
  public static final class Entry {
    private Entry() {}

    /** {@code rest}: the agent's arguments (a String or null), premain (a Boolean) and the agent jar (a File). */
    public static void launch(Object inst, Object rest) throws java.io.IOException {
      Object[] r = (Object[]) rest;
      String args = (String) r[0];
      Instrumentation instrumentation = (Instrumentation) inst;
      boolean premain = (Boolean) r[1];
      File jar = (File) r[2];
      // (anonymous classes, not lambdas, on premain's path: each lambda's first use spins a class there)
      java.util.concurrent.FutureTask<List<InstrumentationModule>> listing =
          new java.util.concurrent.FutureTask<>(new java.util.concurrent.Callable<>() {
            @Override
            public List<InstrumentationModule> call() {
              return listModules();
            }
          });
      if (!premain) { // late attach: the app runs already, nothing to overlap with
        BootstrapDefiner.defineOrAppend(instrumentation, jar);
        start(args, instrumentation, false, jar, null, listing);
        return;
      }
      BootstrapDefiner.InBackground boot = new BootstrapDefiner.InBackground(instrumentation, jar, listing);
      Thread modules = new Thread(boot, "tollgate-modules");
      modules.setDaemon(true);
      modules.start();
      PremainPolicy read = PremainPolicy.read(args);
      boot.await();
      start(args, instrumentation, true, jar, read, listing);
    }
  }

  /**
   * {@code read}: what premain read beside the bootstrap classes' definition (null on a late attach: read here);
   * {@code listing}: the instrumentation modules' listing, running with premain, not started on a late attach.
   */
  private static void start(String agentArgs, Instrumentation inst, boolean premain, File agentJar,
      PremainPolicy read, java.util.concurrent.FutureTask<List<InstrumentationModule>> listing) {
    if (!premain && Guard.installed()) { // premain: the launcher lets one start per JVM through
      LOG.warn("already attached to this JVM; ignoring the second attach");
      return;
    }
    PremainPolicy early = read != null ? read : PremainPolicy.read(agentArgs);
    if (early.configProblem != null) {
      refuse(List.of(early.configProblem), failOpenFromRaw(agentArgs));
      return;
    }
    AgentConfig config = early.config;
    String policyPath = early.policyPath;
    if (policyPath == null) {
      refuse(List.of("no policy configured: pass -javaagent:tollgate-agent.jar=policy=PATH, "
          + "-Dtollgate.policy=PATH or TOLLGATE_POLICY=PATH"), config.failOpen());
      return;
    }
    Map<Path, String> stamps = early.stamps;
    if (early.failure != null) {
      refuse(early.failure.lines, early.failure.failOpen);
      return;
    }
    Policy policy = early.loaded.policy();
    boolean failOpen = early.loaded.failOpen();
    // ByteBuddy starts loading now, beside the log and ledger opening, when it will be needed: no weave cache, or none
    // that any start has stored entries in (installInBackground, which knows this start's configuration, starts it
    // otherwise if the cache has nothing for that configuration)
    if (premain && ("off".equals(config.get(ConfigKey.WEAVE_CACHE))
        || !new WeaveCache(weaveCacheDir(config, policy), "").warm())) {
      AgentInstaller.warmUpInBackground();
    }
    String logPath = config.get(ConfigKey.LOG);
    if (logPath == null) {
      logPath = policy.log().path() != null ? policy.log().path() : DEFAULT_LOG;
    }
    Clock clock = Clock.systemUTC();
    // The ledger (its lock, key and records verified: mostly the JDK's crypto providers loading) is opened by the
    // guard's set-up, on tollgate-init-guard with premain: the app's main does not wait for it.
    Policy opened = policy;
    java.util.concurrent.FutureTask<Ledger> ledgerOpening = new java.util.concurrent.FutureTask<>(
        new java.util.concurrent.Callable<>() {
          @Override
          public Ledger call() throws Exception {
            return openLedger(opened, clock);
          }
        });
    EnforcementLog log;
    try {
      log = EnforcementLog.open(Path.of(logPath), clock);
    } catch (IOException | RuntimeException e) {
      refuse(List.of("cannot open the enforcement log " + logPath + ": " + e), failOpen);
      return;
    }
    if (!premain) { // late attach: the app runs already; a ledger that cannot be opened is refused here, as ever
      try {
        ledgerOpening.run();
        ledgerOpening.get();
      } catch (java.util.concurrent.ExecutionException e) {
        refuse(List.of(ledgerProblem(policy, e.getCause())), failOpen);
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        refuse(List.of("interrupted while opening the budget ledger"), failOpen);
        return;
      }
    }
    java.util.concurrent.atomic.AtomicReference<PolicyGuard> installed = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.CountDownLatch startSettled = new java.util.concurrent.CountDownLatch(1);
    GuardStart guardStart = new GuardStart();
    if (!premain) {
      guardStart.beginNow();
    }
    Planning planning = new Planning(inst, config, policy, policyPath, agentJar, premain, failOpen, log,
        ledgerOpening, listing, clock, installed, startSettled, guardStart, stamps);
    if (premain) {
      // Everything below is what the first governed call needs, not what the app's main needs: the policy is valid
      // and the log's path usable (so their errors still stop the JVM before main). premain puts the load gate in
      // front of the app's class loading with the anchors listed when the jar was packaged, and returns; the
      // background thread tollgate-init lists the instrumentation modules and weaves; the guard's set-up (the first
      // events, the ledger, the engine, the budget governor with its price table, the policy watcher, the metrics)
      // runs beside ByteBuddy's, or, with a warm weave cache, at the first governed call or once the app's start-up
      // is over (GuardStart). Until the guard is installed every tool or LLM call waits for it; a ledger that cannot
      // be opened then stops the JVM with no such call run (fail-mode=closed).
      List<String> anchors = AnchorList.bundled(AgentStartup.class.getClassLoader());
      if (anchors == null) { // the agent's classes on a class path (no packaged list): the modules say
        anchors = AnchorList.of(modules(policy, listing));
      }
      List<String> all = new ArrayList<>(anchors);
      for (dev.tollgate.policy.EntryPoint e : policy.entryPoints()) {
        all.add(e.className());
      }
      AgentInstaller.installInBackground(inst, all, planning);
    } else {
      AgentInstaller.Plan plan = planning.call();
      plan.guard().run();
      AgentInstaller.install(inst, plan.modules(), plan.coverage()); // late attach: everything is loaded already
    }
    // The log stays open: shutdown hooks run in no set order, and the app's own hooks may still call tools
    // after ours. So ours writes what is queued and makes later writes synchronous; the OS closes the file.
    Runtime.getRuntime().addShutdownHook(new Thread("tollgate-shutdown") {
      @Override
      public void run() {
        // an app that ended before the guard's set-up began (no governed call, its start-up not over) needed none:
        // the log's first lines are written here, without the ledger or the engine
        if (!guardStart.endedFirst(planning::writeFirstLines)) {
          try {
            // an app that ends before the background set-up wrote the log's first lines still leaves them, and one
            // whose ledger turned out unusable still says so (a set-up that fails before the guard's releases this)
            startSettled.await(5, java.util.concurrent.TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        PolicyGuard guard = installed.get();
        if (guard != null) {
          guard.drainSettlements(2_000);
          guard.endBoundRuns();
          guard.closeStores();
        }
        log.drainAndWriteSynchronously();
        log.write(new AgentStopped(Guard.suppressedCount()));
      }
    });
    LOG.info("governing this JVM with {} ({} mode); enforcement log: {}", policyPath,
        policy.mode().name().toLowerCase(Locale.ROOT), log.path());
  }

  /**
   * What the weaving and the guard need that the app's main does not: the instrumentation modules
   * ({@link BundledModules}, the {@link ServiceLoader}'s list), their coverage report, the guard's installation and
   * the weave cache. With {@code premain} it is called on {@code tollgate-init}, beside the app's start.
   */
  private static final class Planning implements java.util.concurrent.Callable<AgentInstaller.Plan> {
    private final Instrumentation inst;
    private final AgentConfig config;
    private final Policy policy;
    private final String policyPath;
    private final File agentJar;
    private final boolean premain;
    private final boolean failOpen;
    private final EnforcementLog log;
    private final java.util.concurrent.RunnableFuture<Ledger> ledger;
    private final java.util.concurrent.RunnableFuture<List<InstrumentationModule>> listing;
    private final Clock clock;
    private final java.util.concurrent.atomic.AtomicReference<PolicyGuard> installed;
    private final java.util.concurrent.CountDownLatch startSettled;
    private final GuardStart guardStart;
    /** The policy files' stamps before premain read them ({@link dev.tollgate.agent.guard.PolicyFiles#stamps}). */
    private final Map<Path, String> stamps;
    /** Set by whoever writes the log's first lines: the guard's set-up, or the shutdown hook when none began. */
    private final java.util.concurrent.atomic.AtomicBoolean firstLines = new java.util.concurrent.atomic.AtomicBoolean();

    Planning(Instrumentation inst, AgentConfig config, Policy policy, String policyPath, File agentJar,
        boolean premain, boolean failOpen, EnforcementLog log, java.util.concurrent.RunnableFuture<Ledger> ledger,
        java.util.concurrent.RunnableFuture<List<InstrumentationModule>> listing, Clock clock,
        java.util.concurrent.atomic.AtomicReference<PolicyGuard> installed,
        java.util.concurrent.CountDownLatch startSettled, GuardStart guardStart, Map<Path, String> stamps) {
      this.inst = inst;
      this.config = config;
      this.policy = policy;
      this.policyPath = policyPath;
      this.agentJar = agentJar;
      this.premain = premain;
      this.failOpen = failOpen;
      this.log = log;
      this.ledger = ledger;
      this.listing = listing;
      this.clock = clock;
      this.installed = installed;
      this.startSettled = startSettled;
      this.guardStart = guardStart;
      this.stamps = stamps;
    }

    @Override
    public AgentInstaller.Plan call() {
      try {
        return plan();
      } catch (RuntimeException | Error e) {
        startSettled.countDown(); // no guard's set-up will: the shutdown hook must not wait for one
        throw e;
      }
    }

    private AgentInstaller.Plan plan() {
      List<InstrumentationModule> modules = modules(policy, listing);
      Map<String, String> disabled = new LinkedHashMap<>();
      for (Map.Entry<String, String> off : config.disabledInstrumentations().entrySet()) {
        if (modules.removeIf(m -> m.name().equals(off.getKey()))) {
          disabled.put(off.getKey(), off.getValue());
        } else {
          LOG.warn("{} names no instrumentation; known: {}", off.getValue(),
              String.join(", ", modules.stream().map(InstrumentationModule::name).toList()));
        }
      }
      CoverageReport coverage = new CoverageReport(log, modules, disabled);
      // (anonymous classes, not lambdas: this runs on the way to the gate opening, where each lambda's first use spins
      // its class)
      return new AgentInstaller.Plan(modules, coverage, new Runnable() {
        @Override
        public void run() {
          installGuard(coverage);
        }
      }, new Runnable() {
        @Override
        public void run() {
          startSettled.countDown();
        }
      }, premain ? weaveCache(config, policy, modules, agentJar) : null, guardStart);
    }

    /** The log's first lines (agent.started, policy.loaded), once. */
    void writeFirstLines() {
      if (firstLines.compareAndSet(false, true)) {
        logStarted(log, policy, config, policyPath, agentJar, premain, failOpen);
      }
    }

    /**
     * The guard's installation: the log's first lines, the ledger, the engine, the guard, the policy watcher, the
     * metrics. A ledger that cannot be opened stops the JVM here (fail-mode=closed: every governed call made so far
     * is still waiting for this guard, and stays so) or leaves it ungoverned, said loudly (fail-mode=open).
     */
    private void installGuard(CoverageReport coverage) {
      try {
        install(coverage);
      } finally {
        // released once the guard is in place (or its set-up failed): a shutdown hook that waits for this finds the
        // guard to drain, and writes agent.stopped after the set-up's lines (budget.loaded), not between them
        startSettled.countDown();
      }
    }

    private void install(CoverageReport coverage) {
      Metrics metrics = Metrics.listen(log, policy); // counts from the first event on
      Ledger opened = null;
      String refused = null;
      writeFirstLines();
      try {
        ledger.run(); // here, unless late attach opened it already
        opened = ledger.get();
      } catch (java.util.concurrent.ExecutionException e) {
        refused = ledgerProblem(policy, e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        refused = "interrupted while opening the budget ledger";
      }
      if (refused != null) {
        System.err.println("[tollgate] " + refused);
        System.err.println(failOpen ? "[tollgate] DISABLED: the budget ledger could not be opened and "
            + "fail-mode=open; the application runs UNGOVERNED" : "[tollgate] stopping the JVM (fail-mode=closed): "
            + "no tool or LLM call has run. Fix the ledger, or set -Dtollgate.fail-mode=open to run ungoverned.");
        startSettled.countDown(); // before System.exit, whose shutdown hook waits for it
        if (!failOpen) {
          System.exit(EXIT_CONFIG);
        }
        throw new IllegalStateException(refused);
      }
      FleetStore fleet = fleet(policy, clock, log);
      PolicyEngine engine = new PolicyEngine(policy, clock, fleet);
      coverage.started();
      installed.set(AgentStartup.installGuard(policy, clock, opened, fleet, engine, log, failOpen,
          new CoverageWatch(policy, coverage, log)));
      String dir = config.get(ConfigKey.GOVERNANCE);
      new PolicyWatcher(Path.of(policyPath), dir == null ? null : Path.of(dir), () -> {
        try {
          return PremainPolicy.load(config, policyPath).policy();
        } catch (PremainPolicy.LoadFailure f) {
          throw new PolicyWatcher.Failure(f.lines);
        }
      }, installed.get(), log, clock, fleet, stamps).start();
      // the app's start-up is known to be over when that is what began this set-up: the export need not wait again
      String began = guardStart.reason();
      boolean over = Metrics.START_UP_OVER.equals(began) || Metrics.AT_THE_LATEST.equals(began);
      metrics.exportInBackground(engine, () -> installed.get().governor(), LoadGate::classesDefined,
          over ? 0 : Metrics.QUIET_MILLIS, Metrics.MAX_DELAY_MILLIS);
      if (!TrustedSubscriberClass.trustMeteredJdkResponses(inst)) {
        LOG.debug("metered JDK HttpClient responses are delivered on the client's executor on this JDK");
      }
    }
  }

  /**
   * Every instrumentation module in the agent jar ({@link BundledModules}: the services file's, made without the
   * {@link ServiceLoader}): instantiated, nothing else (on premain's {@code tollgate-modules} thread, beside the
   * policy's parse).
   */
  private static List<InstrumentationModule> listModules() {
    return BundledModules.all(); // modules() copies it
  }

  /** The instrumentation modules this start weaves with, before the configuration switches any off. */
  private static List<InstrumentationModule> modules(Policy policy,
      java.util.concurrent.RunnableFuture<List<InstrumentationModule>> listing) {
    listing.run(); // here, unless premain's tollgate-modules thread has run it
    List<InstrumentationModule> modules;
    try {
      modules = new ArrayList<>(listing.get());
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("cannot list the instrumentation modules", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing the instrumentation modules", e);
    }
    if (!BootstrapDefiner.platformHelpersDefined()) {
      // the JDK client's advice calls helpers that must live in the platform loader (see BootstrapDefiner)
      modules.removeIf(m -> m instanceof JdkHttpClientInstrumentationModule);
      LOG.warn("the JDK HttpClient is not metered on this JVM: its helpers could not be defined");
    }
    if (!policy.entryPoints().isEmpty()) {
      modules.add(new EntryPointInstrumentationModule(policy.entryPoints()));
    }
    return modules;
  }

  /**
   * The weave cache of this start, or null: switched off, no agent jar to key it by (the agent's classes on a class
   * path), or a directory others may write to (its entries are bytecode the JVM would define: never trusted then).
   */
  private static WeaveCache weaveCache(AgentConfig config, Policy policy, List<InstrumentationModule> modules,
      File agentJar) {
    String configured = config.get(ConfigKey.WEAVE_CACHE);
    if ("off".equals(configured) || agentJar == null || !agentJar.isFile()) {
      return null;
    }
    Path dir = weaveCacheDir(config, policy);
    String unsafe = WeaveCache.unsafe(dir);
    if (unsafe != null) {
      LOG.warn("the weave cache {} is not used: {}", dir.toAbsolutePath(), unsafe);
      return null;
    }
    List<String> names = new ArrayList<>();
    for (InstrumentationModule m : modules) {
      names.add(m.name());
    }
    // the jar's path, size and time identify its build without opening it on this thread
    String build = agentJar.getAbsolutePath() + " " + agentJar.length() + " " + agentJar.lastModified();
    return new WeaveCache(dir, WeaveCache.configOf(build, names) + "\nentry_points=" + entryPointNames(policy));
  }

  private static Path weaveCacheDir(AgentConfig config, Policy policy) {
    String configured = config.get(ConfigKey.WEAVE_CACHE);
    return configured != null && !"off".equals(configured) ? Path.of(configured)
        : Path.of(policy.ledger().dir(), "weave-cache");
  }

  /** The log's first lines: agent.started and policy.loaded. */
  private static void logStarted(EnforcementLog log, Policy policy, AgentConfig config, String policyPath,
      File agentJar, boolean premain, boolean failOpen) {
    log.write(new AgentStarted(agentVersion(agentJar), premain ? "premain" : "agentmain",
        System.getProperty("java.version"), ProcessId.current(), failOpen ? "open" : "closed"));
    log.write(new PolicyLoaded(Path.of(policyPath).toAbsolutePath().toString(), config.source(ConfigKey.POLICY),
        PolicyGuard.modeName(policy.mode()), policy.profile(), policy.tools().deny(), policy.tools().allow(),
        policy.tools().defaultAccess().name().toLowerCase(Locale.ROOT), policy.tools().rules().size(),
        limitNames(policy), budgetNames(policy), entryPointNames(policy),
        policy.ledger().store().name().toLowerCase(Locale.ROOT),
        policy.ledger().redis() == null ? null : policy.ledger().redis().redactedUrl(),
        policy.ledger().redis() == null ? null : policy.ledger().redis().keyPrefix(), log.path().toString(),
        policy.governance().layers().isEmpty() ? null : policy.governance().files(),
        policy.governance().layers().isEmpty() ? null : policy.governance().layers().stream()
            .flatMap(l -> l.policy().header().lock().stream()).distinct().toList()));
  }

  // (loops, not streams with lambdas: the log's first lines are written while the app starts, where each lambda's
  // first use spins a class)
  private static List<String> limitNames(Policy policy) {
    List<String> names = new ArrayList<>();
    for (dev.tollgate.policy.Limit l : policy.limits()) {
      names.add(l.name());
    }
    return List.copyOf(names);
  }

  private static List<String> budgetNames(Policy policy) {
    List<String> names = new ArrayList<>();
    for (dev.tollgate.policy.Budget b : policy.budgets()) {
      names.add(b.name());
    }
    return List.copyOf(names);
  }

  private static List<String> entryPointNames(Policy policy) {
    List<String> names = new ArrayList<>();
    for (dev.tollgate.policy.EntryPoint e : policy.entryPoints()) {
      names.add(e.toString());
    }
    return List.copyOf(names);
  }

  private static PolicyGuard installGuard(Policy policy, Clock clock, Ledger ledger, FleetStore fleet,
      PolicyEngine engine, EnforcementLog log, boolean failOpen, CoverageWatch coverage) {
    // one Adjustments for the engine and the governor: the audit follower raises tool and LLM caps alike
    LlmGovernor governor = fleet == null
        ? new LlmGovernor(policy, clock, new LocalStore(ledger, LlmGovernor.DEFAULT_RESERVATION_TTL, clock), null,
            LlmGovernor.DEFAULT_RESERVATION_TTL, PriceTable.bundled(), engine.adjustments())
        : new LlmGovernor(policy, clock, new LocalStore(Ledger.none(), fleet.holdTtl(), clock), fleet, fleet.holdTtl(),
            PriceTable.bundled(), engine.adjustments());
    List<ConfiguredProvider> configured = new ArrayList<>();
    for (ProviderEndpoint p : policy.providers()) {
      configured.add(new ConfiguredProvider(p.name(), p.baseUrl(), p.format()));
    }
    if (!governor.sharedStore().shared()) {
      // a shared store is not listed at start: it may be down, and SCAN is for `status`, not the start path
      for (BudgetState state : governor.snapshot()) {
        log.write(new BudgetLoaded(state.budget(), state.scope(), state.partition(), state.period(),
            state.spentNanos(), state.spentTokens(), state.limitNanos() < 0 ? null : state.limitNanos(),
            state.limitTokens() < 0 ? null : state.limitTokens()));
      }
    }
    PolicyGuard guard = new PolicyGuard(engine, log, failOpen, governor, new Endpoints(configured), coverage);
    Guard.install(guard);
    if (!policy.budgets().isEmpty()
        || policy.limits().stream().anyMatch(l -> l.onExceed() == dev.tollgate.policy.OnExceed.PAUSE)) {
      AuditFollower follower = auditFollower(policy, fleet, governor, log);
      if (follower != null) {
        guard.follow(follower);
        follower.start();
      }
    }
    return guard;
  }

  /**
   * Follows the store's audit journal (operators' resets, overrides and approvals): the Redis list with the fleet
   * store, {@code audit.log} in the ledger directory otherwise. A journal that cannot be opened is a warning, not a
   * reason to refuse the app: budgets hold as the policy says, without operators' changes.
   */
  private static AuditFollower auditFollower(Policy policy, FleetStore fleet, LlmGovernor governor,
      EnforcementLog log) {
    Path dir = Path.of(policy.ledger().dir());
    Path keyFile = policy.ledger().keyFile() == null ? null : Path.of(policy.ledger().keyFile());
    try {
      AuditJournal journal = fleet != null
          ? fleet.redis().journal(LedgerKey.forStore(dir, keyFile))
          : FileAuditJournal.open(dir, keyFile);
      return new AuditFollower(journal, governor, log);
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot open the audit journal ({}); budget reset, override and approvals do not reach this JVM",
          e.getMessage());
      return null;
    }
  }

  /**
   * With {@code ledger.store: redis}, the fleet store that session, day, month and total instances live in (run and
   * process ones stay in this JVM's own store); null with the file store. Redis is not contacted here: a Redis that
   * is down at start does not keep the app from starting, {@code on_unavailable} decides each call.
   */
  private static FleetStore fleet(Policy policy, Clock clock, EnforcementLog log) {
    RedisSettings redis = policy.ledger().redis();
    if (policy.ledger().store() != LedgerSettings.Store.REDIS || redis == null) {
      return null;
    }
    return new FleetStore(new RedisStore(redis, System.getenv("TOLLGATE_REDIS_PASSWORD")),
        new LocalStore(Ledger.none(), redis.holdTtl(), clock), news -> ledgerNews(news, redis, log));
  }

  /** What the fleet store says about Redis going away and coming back, as log lines and one stderr warning. */
  private static void ledgerNews(String news, RedisSettings redis, EnforcementLog log) {
    int colon = news.indexOf(": ");
    String kind = colon < 0 ? news : news.substring(0, colon);
    String detail = colon < 0 ? null : news.substring(colon + 2);
    log.writeDurably(new LedgerNews(LedgerNews.Kind.valueOf(kind.toUpperCase(Locale.ROOT)), "redis",
        redis.redactedUrl(), redis.onUnavailable().name().toLowerCase(Locale.ROOT), detail));
    if (kind.equals("degraded")) {
      LOG.warn("the shared budget ledger is unavailable ({}); ledger.redis.on_unavailable={} decides governed "
          + "calls until it is back", detail, redis.onUnavailable().name().toLowerCase(Locale.ROOT));
    } else {
      LOG.info("shared budget ledger: {}", news);
    }
  }

  /** The persistent ledger when the policy has day or month budgets; nothing is written otherwise. */
  private static Ledger openLedger(Policy policy, Clock clock) throws IOException {
    boolean persistent = policy.ledger().store() == LedgerSettings.Store.FILE && policy.budgets().stream()
        .anyMatch(b -> b.scope() == BudgetScope.DAY || b.scope() == BudgetScope.MONTH || b.scope() == BudgetScope.TOTAL);
    if (!persistent) {
      return Ledger.none();
    }
    String keyFile = policy.ledger().keyFile();
    return FileLedger.open(Path.of(policy.ledger().dir()), clock, policy.ledger().zone(),
        keyFile == null ? null : Path.of(keyFile));
  }

  /** Why the budget ledger could not be opened, as said on stderr. */
  private static String ledgerProblem(Policy policy, Throwable cause) {
    return "cannot open the budget ledger " + Path.of(policy.ledger().dir()).toAbsolutePath()
        + " (day and month budgets persist there): " + cause.getMessage();
  }

  private static void refuse(List<String> problems, boolean failOpen) {
    for (String p : problems) {
      System.err.println("[tollgate] " + p);
    }
    if (failOpen) {
      System.err.println("[tollgate] DISABLED: the policy could not be loaded and fail-mode=open; "
          + "the application runs UNGOVERNED");
      return;
    }
    System.err.println("[tollgate] stopping the JVM before the application starts (fail-mode=closed). "
        + "Fix the policy, or set -Dtollgate.fail-mode=open to run ungoverned.");
    System.exit(EXIT_CONFIG);
  }

  private static String agentVersion(File agentJar) {
    if (agentJar == null || !agentJar.isFile()) {
      return "dev";
    }
    try (JarFile jar = new JarFile(agentJar, false)) {
      String v = jar.getManifest() == null ? null
          : jar.getManifest().getMainAttributes().getValue("Implementation-Version");
      return v == null ? "dev" : v;
    } catch (IOException e) {
      return "dev";
    }
  }

  private static boolean failOpenFromRaw(String agentArgs) {
    String raw = agentArgs == null ? "" : agentArgs;
    return raw.contains("fail-mode=open") || "open".equals(System.getProperty("tollgate.fail-mode"))
        || "open".equals(System.getenv("TOLLGATE_FAIL_MODE"));
  }
}
