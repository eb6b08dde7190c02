package org.veil.keys;

import org.veil.crypto.CellEvents;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one configuration's key traffic, for tests, benchmarks and monitoring:
 * key provider calls by operation, cache hits and misses, failures. Thread-safe and cheap to
 * increment.
 */
public final class KeyCounters implements CellEvents {

  final LongAdder kmsGenerateDataKey = new LongAdder();
  final LongAdder kmsWrap = new LongAdder();
  final LongAdder kmsUnwrap = new LongAdder();
  final LongAdder kmsDescribe = new LongAdder();
  final LongAdder kmsFailures = new LongAdder();
  final LongAdder branchKeyMisses = new LongAdder();
  final LongAdder staleKeyServed = new LongAdder();
  final LongAdder keyStoreFailures = new LongAdder();
  final LongAdder failedKeyRefused = new LongAdder();
  private final LongAdder rowKeyHits = new LongAdder();
  private final LongAdder rowKeyMisses = new LongAdder();
  private final LongAdder cellFailures = new LongAdder();

  /** Key provider calls of every operation. */
  public long kmsCalls() {
    return kmsGenerateDataKey.sum() + kmsWrap.sum() + kmsUnwrap.sum() + kmsDescribe.sum();
  }

  public long kmsGenerateDataKey() {
    return kmsGenerateDataKey.sum();
  }

  public long kmsWrap() {
    return kmsWrap.sum();
  }

  public long kmsUnwrap() {
    return kmsUnwrap.sum();
  }

  public long kmsFailures() {
    return kmsFailures.sum();
  }

  /**
   * Key lookups the cache could not answer (each a key store read and a provider call); hits are
   * not counted, so that no counter is touched per row.
   */
  public long branchKeyMisses() {
    return branchKeyMisses.sum();
  }

  /**
   * Lookups of a key that had failed to load within {@code veil.cache.failureExpireAfter},
   * refused again with its error without asking the key store or the key provider.
   */
  public long failedKeyRefused() {
    return failedKeyRefused.sum();
  }

  /** Accesses answered with a cached key past its expiry because the provider was down. */
  public long staleKeyServed() {
    return staleKeyServed.sum();
  }

  /** Directly wrapped row keys found in the codec's cache ({@code veil.keys.wrapping=direct}). */
  public long rowKeyHits() {
    return rowKeyHits.sum();
  }

  /** Directly wrapped row keys unwrapped by the key provider, one call each. */
  public long rowKeyMisses() {
    return rowKeyMisses.sum();
  }

  /** Cells that failed to open (tampered, truncated, moved, or not cells). */
  public long cellFailures() {
    return cellFailures.sum();
  }

  @Override
  public void directKeyLookup(boolean hit) {
    (hit ? rowKeyHits : rowKeyMisses).increment();
  }

  @Override
  public void cellFailed() {
    cellFailures.increment();
  }

  /** Counts a direct-mode provider call made outside {@link KeyRing}. */
  public void kmsCall(String operation, boolean failed) {
    switch (operation) {
      case "GenerateDataKey":
        kmsGenerateDataKey.increment();
        break;
      case "Wrap":
        kmsWrap.increment();
        break;
      case "Unwrap":
        kmsUnwrap.increment();
        break;
      default:
        kmsDescribe.increment();
    }
    if (failed) {
      kmsFailures.increment();
    }
  }

  /** Every counter by name, in a stable order. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("kms.generateDataKey", kmsGenerateDataKey.sum());
    m.put("kms.wrap", kmsWrap.sum());
    m.put("kms.unwrap", kmsUnwrap.sum());
    m.put("kms.describe", kmsDescribe.sum());
    m.put("kms.failures", kmsFailures.sum());
    m.put("cache.branchKey.misses", branchKeyMisses.sum());
    m.put("cache.branchKey.staleServed", staleKeyServed.sum());
    m.put("cache.branchKey.failedRefused", failedKeyRefused.sum());
    m.put("cache.rowKey.hits", rowKeyHits.sum());
    m.put("cache.rowKey.misses", rowKeyMisses.sum());
    m.put("keyStore.failures", keyStoreFailures.sum());
    m.put("cell.failures", cellFailures.sum());
    return m;
  }

  @Override
  public String toString() {
    return "KeyCounters" + snapshot();
  }
}
