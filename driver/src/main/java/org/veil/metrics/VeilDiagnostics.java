package org.veil.metrics;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.veil.crypto.CellEvents;
import org.veil.error.VeilError;
import org.veil.keys.KeyCounters;
import org.veil.keys.KeyCounters.KmsOperation;

/**
 * What one Veil data source or driver did so far, counted since it was made: key provider
 * calls, key cache traffic, cells sealed and opened, and refusals by reason. Reached without
 * Micrometer, by {@code dataSource.unwrap(VeilDiagnostics.class)} or
 * {@code connection.unwrap(VeilDiagnostics.class)}; the same numbers are published to
 * Micrometer and JMX (README, "Metrics").
 *
 * <p>Counts only: nothing here is a key, a key id, a value, a column name or SQL text. Each
 * getter reads the live counters (a sum of {@code LongAdder}s), never null. Thread-safe.
 */
public final class VeilDiagnostics {

  private final KeyCounters keys;
  private final RefusalCounters refusals;

  VeilDiagnostics(KeyCounters keys, RefusalCounters refusals) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.refusals = Objects.requireNonNull(refusals, "refusals");
  }

  /** Key provider calls of {@code operation}, failed ones included. */
  public long kmsCalls(KmsOperation operation) {
    return keys.kmsCalls(operation);
  }

  /** Key provider calls of {@code operation} that failed or timed out. */
  public long kmsFailures(KmsOperation operation) {
    return keys.kmsFailures(operation);
  }

  /** Time spent in key provider calls of {@code operation}, failed ones included. */
  public Duration kmsTime(KmsOperation operation) {
    return Duration.ofNanos(keys.kmsNanos(operation));
  }

  /** Key provider calls of every operation. */
  public long kmsCalls() {
    return keys.kmsCalls();
  }

  /** Branch and deterministic key lookups that the key cache answered. */
  public long keyCacheHits() {
    return keys.branchKeyHits();
  }

  /** Key lookups that the key cache could not answer (each a key store read). */
  public long keyCacheMisses() {
    return keys.branchKeyMisses();
  }

  /** Keys read from the key store and unwrapped by the key provider (first loads, refreshes). */
  public long keyCacheLoads() {
    return keys.branchKeyLoads();
  }

  /** Accesses answered with a cached key past its expiry because the provider was down. */
  public long staleKeysServed() {
    return keys.staleKeyServed();
  }

  /** Lookups of a key that failed to load recently, refused again without a provider call. */
  public long failedKeyLoadsRefused() {
    return keys.failedKeyRefused();
  }

  /** Directly wrapped row keys found in the codec's cache ({@code veil.keys.wrapping=direct}). */
  public long rowKeyCacheHits() {
    return keys.rowKeyHits();
  }

  /** Directly wrapped row keys not in the codec's cache, each a key provider call. */
  public long rowKeyCacheMisses() {
    return keys.rowKeyMisses();
  }

  /** Cells of {@code kind} sealed. */
  public long cellsSealed(CellEvents.Kind kind) {
    return keys.cellsSealed(kind);
  }

  /** Cells of {@code kind} opened. */
  public long cellsOpened(CellEvents.Kind kind) {
    return keys.cellsOpened(kind);
  }

  /** Cells that failed to open (tampered, truncated, moved, not cells, key unavailable). */
  public long cellFailures() {
    return keys.cellFailures();
  }

  /** Refusals Veil raised for {@code reason}. */
  public long refusals(VeilError reason) {
    return refusals.count(reason);
  }

  /** Every count by a stable name, in a stable order, for logs and JMX. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (KmsOperation op : KmsOperation.values()) {
      m.put("kms." + op.tag() + ".calls", kmsCalls(op));
      m.put("kms." + op.tag() + ".failures", kmsFailures(op));
      m.put("kms." + op.tag() + ".nanos", keys.kmsNanos(op));
    }
    m.put("keys.cache.hits", keyCacheHits());
    m.put("keys.cache.misses", keyCacheMisses());
    m.put("keys.cache.loads", keyCacheLoads());
    m.put("keys.staleServed", staleKeysServed());
    m.put("keys.failedLoadsRefused", failedKeyLoadsRefused());
    m.put("keys.rowKey.hits", rowKeyCacheHits());
    m.put("keys.rowKey.misses", rowKeyCacheMisses());
    for (CellEvents.Kind kind : CellEvents.Kind.values()) {
      m.put("cells.sealed." + kind.tag(), cellsSealed(kind));
      m.put("cells.opened." + kind.tag(), cellsOpened(kind));
    }
    m.put("cells.failed", cellFailures());
    for (VeilError reason : VeilError.values()) {
      m.put("refusals." + RefusalCounters.tag(reason), refusals(reason));
    }
    return m;
  }

  @Override
  public String toString() {
    return "VeilDiagnostics" + snapshot();
  }
}
