package dev.tollgate.agent.installer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/**
 * The JDK-only class file of the trusted metering subscriber is defined and verified by the JVM beside the metering
 * subscriber it extends, implements the JDK client's internal interface, and answers {@code needsExecutor()} as the
 * app's own subscriber would: false for the JDK's own (trusted) subscribers, true for an app's. The test JVM exports
 * {@code jdk.internal.net.http} to the tests as the agent does to the platform loader.
 */
class TrustedSubscriberClassTest {
  @Test
  void definesAVerifiedSubclassThatAnswersAsTheWrappedSubscriberWould() throws Exception {
    Class<?> handler = Class.forName("dev.tollgate.platform.jdkhttp.MeteredBodyHandler");
    Class<?> trusted = Class.forName("jdk.internal.net.http.ResponseSubscribers$TrustedSubscriber");
    Class<?> type = MethodHandles.privateLookupIn(handler, MethodHandles.lookup())
        .defineClass(TrustedSubscriberClass.bytes());
    assertEquals("dev.tollgate.platform.jdkhttp.TrustedMeteredSubscriber", type.getName());
    assertEquals(Class.forName("dev.tollgate.platform.jdkhttp.MeteredBodyHandler$Subscriber"), type.getSuperclass());
    assertTrue(trusted.isAssignableFrom(type));
    Constructor<?> make = type.getDeclaredConstructor(HttpResponse.BodySubscriber.class, handler);
    make.setAccessible(true);
    Method needsExecutor = trusted.getMethod("needsExecutor");

    // before the JDK's answer is reachable: the hand-off, as for any subscriber
    assertTrue((boolean) needsExecutor.invoke(make.newInstance(HttpResponse.BodySubscribers.ofByteArray(), null)));

    Class.forName("dev.tollgate.platform.jdkhttp.JdkHttpGuard").getMethod("useTrustedSubscribers", Class.class)
        .invoke(null, type);
    assertFalse((boolean) needsExecutor.invoke(make.newInstance(HttpResponse.BodySubscribers.ofByteArray(), null)),
        "the JDK's own subscriber runs inline");
    assertTrue((boolean) needsExecutor.invoke(make.newInstance(new AppSubscriber(), null)),
        "an app's subscriber is handed to the executor");
  }

  private static final class AppSubscriber implements HttpResponse.BodySubscriber<String> {
    @Override
    public CompletionStage<String> getBody() {
      return new CompletableFuture<>();
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {}

    @Override
    public void onNext(List<ByteBuffer> item) {}

    @Override
    public void onError(Throwable throwable) {}

    @Override
    public void onComplete() {}
  }
}
