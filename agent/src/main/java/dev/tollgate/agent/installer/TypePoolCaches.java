package dev.tollgate.agent.installer;

import java.lang.ref.SoftReference;
import java.util.Map;
import java.util.WeakHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.pool.TypePool;

/**
 * One ByteBuddy type-pool cache per class loader, so that the supertypes every loaded class is matched against
 * ({@code java.lang.Object}, {@code Serializable}, a library's base classes) are parsed once per loader, not once
 * per class that extends them: at start-up nearly every class the app loads walks its whole hierarchy through the
 * pool.
 *
 * <p>No class loader is kept alive by this cache: loaders are weak keys, and a cached description refers to its
 * loader (through the pool's class-file locator), so each cache is held only softly. The boot loader's cache is
 * kept: its types never go away.
 */
final class TypePoolCaches extends AgentBuilder.PoolStrategy.WithTypePoolCache {
  private final TypePool.CacheProvider boot = new TypePool.CacheProvider.Simple();
  private final Map<ClassLoader, SoftReference<TypePool.CacheProvider>> byLoader = new WeakHashMap<>();

  TypePoolCaches() {
    super(TypePool.Default.ReaderMode.FAST);
  }

  @Override
  protected TypePool.CacheProvider locate(ClassLoader loader) {
    if (loader == null) {
      return boot;
    }
    synchronized (byLoader) {
      SoftReference<TypePool.CacheProvider> ref = byLoader.get(loader);
      TypePool.CacheProvider cache = ref == null ? null : ref.get();
      if (cache == null) {
        cache = new TypePool.CacheProvider.Simple();
        byLoader.put(loader, new SoftReference<>(cache));
      }
      return cache;
    }
  }
}
