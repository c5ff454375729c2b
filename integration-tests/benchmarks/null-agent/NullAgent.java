import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

/**
 * A baseline for ab.sh: an agent whose premain registers a retransform-capable transformer that changes nothing (as
 * Tollgate's gate is registered), then optionally keeps premain's thread busy for {@code -Dnull-agent.main-ms} and a
 * background thread busy for {@code -Dnull-agent.background-ms} (both 0 by default). It answers "what does any agent
 * cost here" and "what does N ms of premain cost here", apart from anything Tollgate does. Built by null-agent.sh.
 */
public final class NullAgent {
  static volatile long sink;

  private NullAgent() {}

  public static void premain(String args, Instrumentation inst) {
    inst.addTransformer(new ClassFileTransformer() {
      @Override
      public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
          byte[] classfile) {
        return null;
      }
    }, true);
    long background = Long.getLong("null-agent.background-ms", 0);
    if (background > 0) {
      Thread t = new Thread(new Runnable() { // (not a lambda: its first use would spin a class on premain's thread)
        @Override
        public void run() {
          spin(background);
        }
      }, "null-agent-spin");
      t.setDaemon(true);
      t.start();
    }
    spin(Long.getLong("null-agent.main-ms", 0));
  }

  private static void spin(long ms) {
    long end = System.nanoTime() + ms * 1_000_000L;
    long x = 0;
    while (System.nanoTime() < end) {
      x += x * 31 + 7;
    }
    sink = x;
  }
}
