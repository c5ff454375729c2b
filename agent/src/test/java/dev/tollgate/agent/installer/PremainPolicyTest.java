package dev.tollgate.agent.installer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * premain's thread reads the configuration and the policy while {@code tollgate-modules} defines the bootstrap
 * classes ({@link AgentStartup.Entry}). Nothing it runs before it awaits the definition may refer to a
 * {@code dev.tollgate.bootstrap} class (nor to the {@code dev.tollgate.platform} helpers defined with them): the
 * agent's loader does not serve them, so the start would fail, and before
 * that loader refused them such a use linked the agent against a private second copy (the guard then never
 * installed: "loader constraint violation ... Guard$Delegate"). These classes are read here, not run: every class
 * premain's thread can reach from the entry before the await, by the class files' own references, except
 * {@code AgentStartup} itself, which it calls only after the await.
 */
class PremainPolicyTest {
  private static final String BOOTSTRAP = "dev/tollgate/bootstrap/";
  /** The JDK HttpClient's helpers, which the definition puts in the platform loader: not served by the agent's. */
  private static final String PLATFORM = "dev/tollgate/platform/";
  /** Reached from the entry only after the await (or, by the listing, on tollgate-modules after the definition). */
  private static final Set<String> AFTER_THE_AWAIT = Set.of("dev/tollgate/agent/installer/AgentStartup");

  @Test
  void nothingPremainRunsBeforeTheBootstrapClassesAreDefinedRefersToThem() throws IOException {
    Set<String> seen = new TreeSet<>();
    List<String> offenders = new ArrayList<>();
    Deque<String> todo = new ArrayDeque<>(List.of("dev/tollgate/agent/installer/AgentStartup$Entry",
        "dev/tollgate/agent/launch/TollgateAgent", "dev/tollgate/agent/launch/InstClassLoader"));
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (!seen.add(name)) {
        continue;
      }
      ConstantPool pool = ConstantPool.of(name);
      if (pool == null) {
        continue; // the JDK, a library: not ours
      }
      for (String text : pool.texts) {
        if (text.contains(BOOTSTRAP) || text.contains(PLATFORM)) {
          offenders.add(name + " refers to " + text);
        }
      }
      for (String c : pool.classes) {
        String element = c.startsWith("[") ? c.replaceAll("^\\[+L?|;$", "") : c;
        if (element.startsWith("dev/tollgate/") && !element.startsWith(BOOTSTRAP) && !element.startsWith(PLATFORM)
            && !AFTER_THE_AWAIT.contains(element)) {
          todo.push(element);
        }
      }
    }
    assertTrue(seen.contains("dev/tollgate/agent/installer/PremainPolicy"), seen::toString);
    assertTrue(seen.contains("dev/tollgate/agent/guard/PolicyFiles"), seen::toString);
    assertTrue(seen.contains("dev/tollgate/agent/config/AgentConfig"), seen::toString);
    assertTrue(seen.contains("dev/tollgate/policy/PolicyLoader"), seen::toString);
    assertEquals(List.of(), offenders, () -> "read before the await: " + seen);
  }

  /** The check itself sees a reference: the guard's own class refers to the bootstrap's {@code Guard.Delegate}. */
  @Test
  void theCheckSeesAReferenceToABootstrapClass() throws IOException {
    ConstantPool pool = ConstantPool.of("dev/tollgate/agent/guard/PolicyGuard");
    assertTrue(pool.texts.stream().anyMatch(t -> t.contains(BOOTSTRAP + "Guard$Delegate")), pool.texts::toString);
    // a string that merely names the package (BootstrapDefiner's) is not a reference
    ConstantPool definer = ConstantPool.of("dev/tollgate/agent/installer/BootstrapDefiner");
    assertTrue(definer.texts.stream().noneMatch(t -> t.contains(BOOTSTRAP)), definer.texts::toString);
    // a constant of a platform helper's, inlined, still leaves a reference to its class (moved off premain's path)
    ConstantPool trusted = ConstantPool.of("dev/tollgate/agent/installer/TrustedSubscriberClass");
    assertTrue(trusted.classes.contains(PLATFORM + "jdkhttp/JdkHttpGuard"), trusted.classes::toString);
  }

  /**
   * A class file's UTF-8 constants but those only a string literal uses, and the classes it names; the constant pool
   * is walked by {@link TargetIndex.ClassFileHeader#constantPool}, the gate's own reader.
   */
  private record ConstantPool(List<String> texts, List<String> classes) {
    static ConstantPool of(String internalName) throws IOException {
      InputStream stream = PremainPolicyTest.class.getClassLoader().getResourceAsStream(internalName + ".class");
      if (stream == null || !internalName.startsWith("dev/tollgate/")) {
        return null;
      }
      byte[] b;
      try (stream) {
        b = stream.readAllBytes();
      }
      int[] offsets = TargetIndex.ClassFileHeader.constantPool(b);
      if (offsets == null) {
        throw new IOException(internalName + " is not a class file the gate can read");
      }
      Set<Integer> literals = new HashSet<>();
      List<Integer> classIndexes = new ArrayList<>();
      for (int i = 1; i < offsets.length; i++) {
        int tag = offsets[i] == 0 ? 0 : b[offsets[i] - 1]; // 0: the second slot of a long or double
        if (tag == 7) {
          classIndexes.add(u2(b, offsets[i]));
        } else if (tag == 8) {
          literals.add(u2(b, offsets[i]));
        }
      }
      List<String> texts = new ArrayList<>();
      for (int i = 1; i < offsets.length; i++) {
        if (offsets[i] != 0 && b[offsets[i] - 1] == 1 && !literals.contains(i)) {
          texts.add(utf8(b, offsets[i]));
        }
      }
      List<String> classes = new ArrayList<>();
      for (int index : classIndexes) {
        classes.add(utf8(b, offsets[index]));
      }
      return new ConstantPool(texts, classes);
    }

    private static String utf8(byte[] b, int at) {
      return new String(b, at + 2, u2(b, at), StandardCharsets.UTF_8);
    }

    private static int u2(byte[] b, int i) {
      return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }
  }
}
