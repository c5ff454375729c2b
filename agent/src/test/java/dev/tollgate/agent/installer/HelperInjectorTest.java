package dev.tollgate.agent.installer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.Test;

class HelperInjectorTest {
  @Test
  void helperThatCannotLinkInTheHostLoaderFailsLoudlySoTheTypeIsNotWoven() throws Exception {
    HelperInjector injector = HelperInjector.open(ByteBuddyAgent.install(), HelperInjectorTest.class.getClassLoader());
    try (URLClassLoader noOkHttp = new URLClassLoader("no-okhttp", new URL[0], ClassLoader.getPlatformClassLoader())) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> injector.inject(noOkHttp,
          List.of("dev.tollgate.agent.instrumentation.okhttp.TollgateInterceptor")));
      assertTrue(e.getMessage().contains("cannot define helper classes"), e.getMessage());
    }
  }

  @Test
  void thePackagedAgentsLoaderIsKnownByItsName() throws Exception {
    // the injector skips asking host loaders for helpers when the agent runs from its jar: a renamed loader would
    // silently bring the asks back
    assertTrue(ClassLoader.class.isAssignableFrom(Class.forName(HelperInjector.PACKAGED_LOADER)));
  }
}
