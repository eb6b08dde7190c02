package org.veil.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The driver without Micrometer on its class path: Veil's classes loaded afresh by a class
 * loader that cannot see {@code io.micrometer}, as in an application that does not have it.
 */
class WithoutMicrometerTest {

  /** Loads org.veil classes itself (from the test's class path) and hides io.micrometer. */
  static final class NoMicrometer extends ClassLoader {
    NoMicrometer() {
      super(WithoutMicrometerTest.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith("io.micrometer.")) {
        throw new ClassNotFoundException(name);
      }
      if (!name.startsWith("org.veil.")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          String file = name.replace('.', '/') + ".class";
          try (InputStream in = getParent().getResourceAsStream(file)) {
            if (in == null) {
              throw new ClassNotFoundException(name);
            }
            byte[] bytes = in.readAllBytes();
            c = defineClass(name, bytes, 0, bytes.length);
          } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
          }
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }
  }

  @Test
  void theLoaderHidesMicrometer() {
    assertThatThrownBy(() -> Class.forName("io.micrometer.core.instrument.MeterRegistry", false,
        new NoMicrometer())).isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void withoutMicrometerMetricsCountAndPublishingDoesNothingElse() throws Exception {
    ClassLoader loader = new NoMicrometer();
    Class<?> metricsClass = Class.forName(VeilMetrics.class.getName(), true, loader);
    assertThat(metricsClass.getClassLoader()).isSameAs(loader);
    assertThat((Boolean) metricsClass.getMethod("micrometerPresent").invoke(null)).isFalse();
    Object metrics = metricsClass.getConstructor(Object.class).newInstance((Object) null);
    metricsClass.getMethod("publish", String.class, boolean.class).invoke(metrics, "none", false);
    Class<?> error = Class.forName("org.veil.error.VeilError", true, loader);
    Object refused = error.getField("PLAINTEXT_REFUSED").get(null);
    metricsClass.getMethod("refused", error).invoke(metrics, refused);
    Object diagnostics = metricsClass.getMethod("diagnostics").invoke(metrics);
    assertThat(diagnostics.getClass().getMethod("refusals", error).invoke(diagnostics, refused))
        .isEqualTo(1L);
    Map<?, ?> snapshot = (Map<?, ?>) diagnostics.getClass().getMethod("snapshot")
        .invoke(diagnostics);
    assertThat(snapshot.get("refusals.plaintext_refused")).isEqualTo(1L);
  }

  @Test
  void withoutMicrometerTheDataSourceLoadsAndListsItsSetters() throws Exception {
    ClassLoader loader = new NoMicrometer();
    Class<?> dataSource = Class.forName("org.veil.jdbc.VeilDataSource", true, loader);
    // What bean tools and HikariCP's dataSourceClassName do: list every public method.
    Method[] methods = dataSource.getMethods();
    assertThat(methods).extracting(Method::getName).contains("setMeterRegistry", "setColumns");
    Object ds = dataSource.getConstructor().newInstance();
    assertThatThrownBy(() -> invoke(dataSource.getMethod("setMeterRegistry", Object.class), ds,
        new Object())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MeterRegistry");
    Class<?> diagnostics = Class.forName(VeilDiagnostics.class.getName(), true, loader);
    assertThat((Boolean) dataSource.getMethod("isWrapperFor", Class.class).invoke(ds,
        diagnostics)).isTrue();
    Object unwrapped = dataSource.getMethod("unwrap", Class.class).invoke(ds, diagnostics);
    assertThat(diagnostics.isInstance(unwrapped)).isTrue();
  }

  private static Object invoke(Method m, Object target, Object arg) throws Throwable {
    try {
      return m.invoke(target, arg);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
