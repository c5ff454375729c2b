package dev.tollgate.agent.installer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every class a type matcher names is an anchor of its module: while the agent sets up in the background, the
 * load gate holds back exactly the anchors, so a matcher naming a class that is not one could see that class
 * defined unwoven.
 */
class InstrumentationModulesTest {
  private static final Pattern NAMES = Pattern.compile("(equals|startsWith|in)\\(([^()]*)\\)");
  /** A field a matched type declares ({@code declaresField(named(..))}): a field name, not a class name. */
  private static final Pattern FIELD = Pattern.compile("declaresFields\\(whereOne\\(name\\(equals\\([^()]*\\)\\)\\)\\)");

  private static String classNamesOf(TypeInstrumentation type) {
    return FIELD.matcher(type.typeMatcher().toString()).replaceAll("");
  }

  /** premain makes the modules with {@code new} ({@link BundledModules}): the services file's, in its order. */
  @Test
  void theBundledModulesAreTheServicesFilesInItsOrder() {
    List<String> services = new ArrayList<>();
    ServiceLoader.load(InstrumentationModule.class).stream().forEach(p -> services.add(p.type().getName()));
    List<String> bundled = new ArrayList<>();
    BundledModules.all().forEach(m -> bundled.add(m.getClass().getName()));
    org.junit.jupiter.api.Assertions.assertEquals(services, bundled);
    assertTrue(services.size() >= 18, services.toString());
  }

  @Test
  void everyNameTheMatchersUseIsAnAnchor() {
    List<InstrumentationModule> modules = new ArrayList<>();
    ServiceLoader.load(InstrumentationModule.class).forEach(modules::add);
    assertTrue(modules.size() >= 8, "modules from the services file: " + modules.size());
    for (InstrumentationModule module : modules) {
      assertFalse(module.anchors().isEmpty(), module.name() + " declares no anchors");
      LoadGate gate = new LoadGate(module.anchors());
      for (TypeInstrumentation type : module.typeInstrumentations()) {
        String matcher = classNamesOf(type);
        Matcher m = NAMES.matcher(matcher);
        int found = 0;
        while (m.find()) {
          for (String raw : m.group(2).split(",")) {
            String name = raw.strip();
            if (name.startsWith("java.")) {
              continue; // JDK supertypes (InvocationHandler) narrow a match that an anchor already names
            }
            found++;
            String internal = name.replace('.', '/');
            boolean covered = m.group(1).equals("startsWith")
                ? module.anchors().contains(name)
                : gate.isAnchor(internal);
            assertTrue(covered, module.name() + ": " + name + " (from " + matcher + ") is not an anchor");
          }
        }
        assertTrue(found > 0, module.name() + ": no class names found in " + matcher);
      }
    }
  }

  @Test
  void noInstrumentedClassLivesInALibraryTheAgentIgnores() {
    List<InstrumentationModule> modules = new ArrayList<>();
    ServiceLoader.load(InstrumentationModule.class).forEach(modules::add);
    for (InstrumentationModule module : modules) {
      List<String> names = new ArrayList<>(module.anchors());
      for (TypeInstrumentation type : module.typeInstrumentations()) {
        Matcher m = NAMES.matcher(classNamesOf(type));
        while (m.find()) {
          for (String raw : m.group(2).split(",")) {
            names.add(raw.strip());
          }
        }
      }
      for (String name : names) {
        for (String ignored : TargetIndex.IGNORED_LIBRARIES) {
          assertFalse(name.startsWith(ignored), module.name() + " instruments " + name + ", which starts with "
              + ignored + ": remove that prefix from TargetIndex.IGNORED_LIBRARIES");
        }
      }
    }
    ByteBuddyWeaving.NamePrefixes prefixes = new ByteBuddyWeaving.NamePrefixes(TargetIndex.IGNORED_LIBRARIES);
    assertTrue(prefixes.matches(net.bytebuddy.description.type.TypeDescription.ForLoadedType.of(
        com.fasterxml.jackson.core.JsonFactory.class)));
    assertFalse(prefixes.matches(net.bytebuddy.description.type.TypeDescription.ForLoadedType.of(
        InstrumentationModulesTest.class)));
  }

  /**
   * No anchor lives in a package of the boot loader's modules: the list premain makes on JDK 24+ of the classes an AOT
   * cache loaded before the gate ({@link LoadGate#loadedBeforeTheGate}) passes over the boot loader's classes (about
   * a thousand by then) on that ground. (The JDK's HTTP client, {@code java.net.http}, is the platform loader's.)
   */
  @Test
  void noAnchorIsTheBootLoaders() {
    java.util.Set<String> bootPackages = new java.util.HashSet<>();
    for (Module m : ModuleLayer.boot().modules()) {
      if (m.getClassLoader() == null) {
        bootPackages.addAll(m.getPackages());
      }
    }
    assertTrue(bootPackages.contains("java.lang") && bootPackages.contains("jdk.internal.misc"));
    List<InstrumentationModule> modules = new ArrayList<>();
    ServiceLoader.load(InstrumentationModule.class).forEach(modules::add);
    for (InstrumentationModule module : modules) {
      for (String anchor : module.anchors()) {
        String pkg = anchor.substring(0, Math.max(0, anchor.lastIndexOf('.')));
        assertFalse(bootPackages.contains(pkg), module.name() + "'s anchor " + anchor + " is in " + pkg
            + ", a package of the boot loader: LoadGate.loadedBeforeTheGate must then look at the boot loader's "
            + "classes too");
      }
    }
  }

  @Test
  void anchorsMatchExactlyOrByPrefix() {
    LoadGate gate = new LoadGate(List.of("a.b.C", "a.b.D$"));
    assertTrue(gate.isAnchor("a/b/C"));
    assertFalse(gate.isAnchor("a/b/Cx"));
    assertTrue(gate.isAnchor("a/b/D$1"));
    assertFalse(gate.isAnchor("a/b/D"));
  }
}
