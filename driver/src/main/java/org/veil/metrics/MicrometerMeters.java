package org.veil.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.veil.crypto.CellEvents;
import org.veil.error.VeilError;
import org.veil.keys.KeyCounters.KmsOperation;

/**
 * Veil's meters in a Micrometer registry: function counters and timers that read
 * {@link VeilDiagnostics} when the registry is scraped, so counting never looks a meter up.
 * The only class that names Micrometer's types; loaded only when Micrometer is on the class
 * path. Tags are the fixed few of README "Metrics" ({@code name}, {@code operation},
 * {@code result}, {@code kind}, {@code reason}). The meters hold the diagnostics weakly, as
 * Micrometer's function meters do. Stateless.
 */
final class MicrometerMeters {

  private MicrometerMeters() {}

  /**
   * Registers the meters in {@code registry} ({@code Metrics.globalRegistry} when null).
   *
   * @return removes them again
   */
  static AutoCloseable bind(Object registry, VeilDiagnostics d, String name) {
    MeterRegistry r = registry == null ? Metrics.globalRegistry : (MeterRegistry) registry;
    Tags common = Tags.of("name", name);
    List<Meter> meters = new ArrayList<>();
    for (KmsOperation op : KmsOperation.values()) {
      Tags tags = common.and("operation", op.tag());
      meters.add(FunctionTimer.builder("veil.kms.calls", d, x -> x.kmsCalls(op),
              x -> x.kmsTime(op).toNanos(), TimeUnit.NANOSECONDS)
          .tags(tags).description("Key provider calls (failed ones included) and their time")
          .register(r));
      meters.add(counter(r, "veil.kms.errors", tags, d, x -> x.kmsFailures(op),
          "Key provider calls that failed or timed out"));
    }
    meters.add(counter(r, "veil.keys.cache.gets", common.and("result", "hit"), d,
        VeilDiagnostics::keyCacheHits, "Key lookups by id the key cache answered"));
    meters.add(counter(r, "veil.keys.cache.gets", common.and("result", "miss"), d,
        VeilDiagnostics::keyCacheMisses, "Key lookups by id the key cache could not answer"));
    meters.add(counter(r, "veil.keys.cache.loads", common, d, VeilDiagnostics::keyCacheLoads,
        "Keys read from the key store and unwrapped by the key provider"));
    meters.add(counter(r, "veil.keys.stale.served", common, d,
        VeilDiagnostics::staleKeysServed,
        "Cached keys served past their expiry while the key provider was down"));
    meters.add(counter(r, "veil.keys.failed.refused", common, d,
        VeilDiagnostics::failedKeyLoadsRefused,
        "Lookups of a key that failed to load recently, refused without a provider call"));
    meters.add(counter(r, "veil.keys.rowkey.gets", common.and("result", "hit"), d,
        VeilDiagnostics::rowKeyCacheHits, "Directly wrapped row keys found in the cache"));
    meters.add(counter(r, "veil.keys.rowkey.gets", common.and("result", "miss"), d,
        VeilDiagnostics::rowKeyCacheMisses, "Directly wrapped row keys unwrapped by the provider"));
    for (CellEvents.Kind kind : CellEvents.Kind.values()) {
      Tags tags = common.and("kind", kind.tag());
      meters.add(counter(r, "veil.cells.sealed", tags, d, x -> x.cellsSealed(kind),
          "Cells sealed"));
      meters.add(counter(r, "veil.cells.opened", tags, d, x -> x.cellsOpened(kind),
          "Cells opened"));
    }
    meters.add(counter(r, "veil.cells.failed", common, d, VeilDiagnostics::cellFailures,
        "Cells that did not open"));
    for (VeilError reason : VeilError.values()) {
      meters.add(counter(r, "veil.refusals", common.and("reason", RefusalCounters.tag(reason)),
          d, x -> x.refusals(reason), "Refusals Veil raised, by reason"));
    }
    return () -> meters.forEach(r::remove);
  }

  private static Meter counter(MeterRegistry r, String name, Tags tags, VeilDiagnostics d,
      ToDoubleFunction<VeilDiagnostics> count, String description) {
    return FunctionCounter.builder(name, d, count).tags(tags).description(description)
        .register(r);
  }
}
