import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

/**
 * A baseline for ab.sh: an agent whose premain registers a retransform-capable transformer that changes nothing (as
 * Tollgate's gate is registered), then optionally keeps premain's thread busy for {@code -Dnull-agent.main-ms}, a
 * background thread busy for {@code -Dnull-agent.background-ms} and each class load it sees for
 * {@code -Dnull-agent.per-class-us} (all 0 by default). It answers "what does any agent cost here" and "what does
 * N ms of premain, or at the gate, cost here", apart from anything Tollgate does. Built by null-agent.sh.
 */
public final class NullAgent {
  static volatile long sink;

  private NullAgent() {}

  public static void premain(String args, Instrumentation inst) {
    long perClassNanos = Long.getLong("null-agent.per-class-us", 0) * 1_000L;
    inst.addTransformer(new ClassFileTransformer() {
      @Override
      public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
          byte[] classfile) {
        if (perClassNanos > 0) {
          spin(perClassNanos);
        }
        return null;
      }
    }, true);
    long backgroundNanos = Long.getLong("null-agent.background-ms", 0) * 1_000_000L;
    if (backgroundNanos > 0) {
      Thread t = new Thread(new Runnable() { // (not a lambda: its first use would spin a class on premain's thread)
        @Override
        public void run() {
          spin(backgroundNanos);
        }
      }, "null-agent-spin");
      t.setDaemon(true);
      t.start();
    }
    spin(Long.getLong("null-agent.main-ms", 0) * 1_000_000L);
  }

  /** Keeps the calling thread busy for {@code nanos}. */
  private static void spin(long nanos) {
    long end = System.nanoTime() + nanos;
    long x = 0;
    while (System.nanoTime() < end) {
      x += x * 31 + 7;
    }
    sink = x;
  }
}
