package org.veil.keys;

import org.veil.crypto.KeyPurpose;
import org.veil.crypto.KeyId;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link BranchKeyStore} in memory, for tests and in-process benchmarks. Same semantics as
 * {@link PostgresBranchKeyStore} within one JVM: rows by key id, each active or not, at most one
 * active per keyring and purpose. Thread-safe.
 */
public final class InMemoryBranchKeyStore implements BranchKeyStore {

  private final Map<KeyId, StoredKey> keys = new HashMap<>();
  private final Map<String, KeyId> active = new HashMap<>();

  @Override
  public synchronized Optional<StoredKey> active(String keyring, KeyPurpose purpose) {
    KeyId id = active.get(slot(keyring, purpose));
    return id == null ? Optional.empty() : Optional.of(keys.get(id));
  }

  @Override
  public synchronized Optional<StoredKey> find(KeyId id) {
    return Optional.ofNullable(keys.get(id));
  }

  @Override
  public synchronized StoredKey activate(StoredKey candidate, Instant notBefore) {
    String slot = slot(candidate.keyring(), candidate.purpose());
    KeyId current = active.get(slot);
    if (current != null) {
      StoredKey key = keys.get(current);
      if (notBefore == null || !key.createdAt().isBefore(notBefore)) {
        return key;
      }
    }
    keys.put(candidate.id(), candidate);
    active.put(slot, candidate.id());
    return candidate;
  }

  /**
   * Stores {@code row} as given, replacing the row with its key id, as an {@code UPDATE} or
   * {@code INSERT} on {@code veil_keys} by anyone who may write the table would: nothing is
   * checked. With {@code makeActive} it becomes the active key of its keyring and purpose (the
   * one active before is no longer); otherwise it is not active. For tests of rows that someone
   * altered, and of rows written the way older versions wrote them.
   */
  public synchronized void write(StoredKey row, boolean makeActive) {
    active.values().remove(row.id());
    keys.put(row.id(), row);
    if (makeActive) {
      active.put(slot(row.keyring(), row.purpose()), row.id());
    }
  }

  private static String slot(String keyring, KeyPurpose purpose) {
    return keyring + "/" + purpose;
  }

  @Override
  public String toString() {
    return "InMemoryBranchKeyStore[" + keys.size() + " keys]";
  }
}
