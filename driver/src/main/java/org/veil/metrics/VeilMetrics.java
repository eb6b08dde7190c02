package org.veil.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.veil.error.VeilError;
import org.veil.keys.KeyCounters;

/**
 * The counters of one Veil data source or driver, and where they are published: the runtimes it
 * builds count into {@link #keyCounters()} and {@link #refused}, applications read them through
 * {@link #diagnostics()}, and {@link #publish} hands them to Micrometer (when
 * {@code io.micrometer:micrometer-core} is on the class path) and, with
 * {@code veil.metrics.jmx=true}, to the platform MBean server.
 *
 * <p>Micrometer is optional: without it the driver loads and counts as usual, and only the
 * class that names Micrometer's types ({@code MicrometerMeters}) is never loaded. Meters read
 * the counters when scraped (function counters and timers), so counting costs a
 * {@code LongAdder} increment and no meter lookup.
 *
 * <p>Thread-safe.
 */
public final class VeilMetrics {

  private static final System.Logger LOG = System.getLogger(VeilMetrics.class.getName());
  private static final String MICROMETER = "io.micrometer.core.instrument.MeterRegistry";

  private final KeyCounters keys = new KeyCounters();
  private final RefusalCounters refusals = new RefusalCounters();
  private final VeilDiagnostics diagnostics = new VeilDiagnostics(keys, refusals);
  /** The application's MeterRegistry, or null for Micrometer's global registry. */
  private final Object meterRegistry;
  private final List<AutoCloseable> published = new ArrayList<>();
  private volatile boolean publishedOnce;

  /**
   * @param meterRegistry the application's {@code io.micrometer.core.instrument.MeterRegistry},
   *     or null for Micrometer's global registry ({@code Metrics.globalRegistry}, which Spring
   *     Boot's registries join) when Micrometer is on the class path
   * @throws IllegalArgumentException when {@code meterRegistry} is not a MeterRegistry, or
   *     Micrometer is not on the class path
   */
  public VeilMetrics(Object meterRegistry) {
    if (meterRegistry != null && !isMeterRegistry(meterRegistry)) {
      throw new IllegalArgumentException("the meter registry given to Veil is a "
          + meterRegistry.getClass().getName() + ", not an " + MICROMETER);
    }
    this.meterRegistry = meterRegistry;
  }

  /** Whether Micrometer ({@code micrometer-core}) is on the class path of the driver. */
  public static boolean micrometerPresent() {
    try {
      Class.forName(MICROMETER, false, VeilMetrics.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static boolean isMeterRegistry(Object registry) {
    if (!micrometerPresent()) {
      return false;
    }
    try {
      return Class.forName(MICROMETER, false, VeilMetrics.class.getClassLoader())
          .isInstance(registry);
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** The key hierarchy's counters; every runtime of this data source or driver shares them. */
  public KeyCounters keyCounters() {
    return keys;
  }

  /** Counts one refusal Veil raised, by its reason. */
  public void refused(VeilError reason) {
    refusals.refused(reason);
  }

  /** The read-only view applications reach through {@code unwrap(VeilDiagnostics.class)}. */
  public VeilDiagnostics diagnostics() {
    return diagnostics;
  }

  /**
   * Publishes the counters, once (later calls do nothing): to Micrometer when it is present, to
   * JMX when {@code jmx}. A failure to publish is logged once and never fails a connection.
   *
   * @param name the {@code name} tag of every meter and the JMX object's name
   *     ({@code veil.metrics.name}); bounded, chosen by the application
   */
  public void publish(String name, boolean jmx) {
    if (publishedOnce) {
      return;
    }
    synchronized (published) {
      if (publishedOnce) {
        return;
      }
      publishedOnce = true;
      if (meterRegistry != null || micrometerPresent()) {
        try {
          published.add(MicrometerMeters.bind(meterRegistry, diagnostics, name));
        } catch (RuntimeException | LinkageError e) {
          LOG.log(System.Logger.Level.WARNING, "Veil's meters could not be registered with"
              + " Micrometer: " + e);
        }
      }
      if (jmx) {
        try {
          published.add(JmxMetrics.register(diagnostics, name));
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "Veil's MBean could not be registered: " + e);
        }
      }
    }
  }

  /** Removes the meters and the MBean that {@link #publish} registered. */
  public void unpublish() {
    synchronized (published) {
      for (AutoCloseable p : published) {
        try {
          p.close();
        } catch (Exception e) {
          LOG.log(System.Logger.Level.DEBUG, "unpublishing Veil's metrics: " + e);
        }
      }
      published.clear();
    }
  }

  @Override
  public String toString() {
    return "VeilMetrics[" + Objects.toString(meterRegistry == null ? "global registry"
        : meterRegistry.getClass().getSimpleName()) + "]";
  }
}
