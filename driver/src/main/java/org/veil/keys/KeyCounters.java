package org.veil.keys;

import org.veil.crypto.CellEvents;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one configuration's key traffic, for tests, benchmarks and monitoring:
 * key provider calls by operation (with their failures and time taken), branch key cache hits,
 * misses and loads, failures, and the cells sealed and opened by kind. Every counter is a
 * {@link LongAdder} made once: counting allocates nothing, takes no lock and logs nothing.
 * Counts only: never a key, a key id, a value or a column name. Thread-safe.
 */
public final class KeyCounters implements CellEvents {

  /** A key provider operation, as counted; {@link #tag()} is its metric tag value. */
  public enum KmsOperation {
    GENERATE_DATA_KEY("generateDataKey"),
    WRAP("wrap"),
    UNWRAP("unwrap"),
    DESCRIBE("describe");

    private final String tag;

    KmsOperation(String tag) {
      this.tag = tag;
    }

    /** The operation's name in metrics; one of a fixed few. */
    public String tag() {
      return tag;
    }

    /** The operation KeyRing names {@code name} ("GenerateDataKey", "Wrap", "Unwrap", …). */
    static KmsOperation of(String name) {
      switch (name) {
        case "GenerateDataKey":
          return GENERATE_DATA_KEY;
        case "Wrap":
          return WRAP;
        case "Unwrap":
          return UNWRAP;
        default:
          return DESCRIBE;
      }
    }
  }

  private static final int OPERATIONS = KmsOperation.values().length;
  private static final int KINDS = CellEvents.Kind.values().length;

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
  final LongAdder branchKeyHits = new LongAdder();
  final LongAdder branchKeyLoads = new LongAdder();
  private final LongAdder[] kmsCalls = adders(OPERATIONS);
  private final LongAdder[] kmsOperationFailures = adders(OPERATIONS);
  private final LongAdder[] kmsNanos = adders(OPERATIONS);
  private final LongAdder[] cellsSealed = adders(KINDS);
  private final LongAdder[] cellsOpened = adders(KINDS);

  private static LongAdder[] adders(int n) {
    LongAdder[] a = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }

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
   * {@link #branchKeyHits()}.
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

  /**
   * Lookups of a branch or deterministic key by id answered by the cache: one per cell opened
   * (and one per sealing key refresh, at most every 100 ms per purpose).
   */
  public long branchKeyHits() {
    return branchKeyHits.sum();
  }

  /** Keys loaded from the key store and unwrapped by the key provider, successfully. */
  public long branchKeyLoads() {
    return branchKeyLoads.sum();
  }

  /** Key provider calls of {@code operation}, failed ones included. */
  public long kmsCalls(KmsOperation operation) {
    return kmsCalls[operation.ordinal()].sum();
  }

  /** Key provider calls of {@code operation} that failed or timed out. */
  public long kmsFailures(KmsOperation operation) {
    return kmsOperationFailures[operation.ordinal()].sum();
  }

  /** Time spent waiting for key provider calls of {@code operation}, in nanoseconds. */
  public long kmsNanos(KmsOperation operation) {
    return kmsNanos[operation.ordinal()].sum();
  }

  /** Cells of {@code kind} sealed. */
  public long cellsSealed(CellEvents.Kind kind) {
    return cellsSealed[kind.ordinal()].sum();
  }

  /** Cells of {@code kind} opened (authenticated and decoded). */
  public long cellsOpened(CellEvents.Kind kind) {
    return cellsOpened[kind.ordinal()].sum();
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

  @Override
  public void cellSealed(CellEvents.Kind kind) {
    cellsSealed[kind.ordinal()].increment();
  }

  @Override
  public void cellOpened(CellEvents.Kind kind) {
    cellsOpened[kind.ordinal()].increment();
  }

  /**
   * Counts one key provider call of {@code operation} (as {@link #kmsCall(String, boolean)})
   * that took {@code nanos}.
   */
  void kmsCall(String operation, boolean failed, long nanos) {
    kmsCall(operation, failed);
    kmsNanos[KmsOperation.of(operation).ordinal()].add(nanos);
  }

  /** Counts a direct-mode provider call made outside {@link KeyRing}. */
  public void kmsCall(String operation, boolean failed) {
    int op = KmsOperation.of(operation).ordinal();
    kmsCalls[op].increment();
    if (failed) {
      kmsOperationFailures[op].increment();
    }
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
    m.put("cache.branchKey.hits", branchKeyHits.sum());
    m.put("cache.branchKey.misses", branchKeyMisses.sum());
    m.put("cache.branchKey.loads", branchKeyLoads.sum());
    m.put("cache.branchKey.staleServed", staleKeyServed.sum());
    m.put("cache.branchKey.failedRefused", failedKeyRefused.sum());
    m.put("cache.rowKey.hits", rowKeyHits.sum());
    m.put("cache.rowKey.misses", rowKeyMisses.sum());
    m.put("keyStore.failures", keyStoreFailures.sum());
    m.put("cell.failures", cellFailures.sum());
    for (CellEvents.Kind kind : CellEvents.Kind.values()) {
      m.put("cell.sealed." + kind.tag(), cellsSealed(kind));
    }
    for (CellEvents.Kind kind : CellEvents.Kind.values()) {
      m.put("cell.opened." + kind.tag(), cellsOpened(kind));
    }
    return m;
  }

  @Override
  public String toString() {
    return "KeyCounters" + snapshot();
  }
}
