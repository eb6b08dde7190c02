package org.veil.keys;

import org.veil.crypto.KeyPurpose;
import org.veil.crypto.KeyId;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link BranchKeyStore} in memory, for tests and in-process benchmarks. Same semantics as
 * {@link PostgresBranchKeyStore} within one JVM. Thread-safe.
 */
public final class InMemoryBranchKeyStore implements BranchKeyStore {

  private final Map<KeyId, StoredKey> keys = new HashMap<>();
  private final Map<String, KeyId> active = new HashMap<>();

  @Override
  public synchronized Optional<StoredKey> active(String keyring, KeyPurpose purpose) {
    KeyId id = active.get(keyring + "/" + purpose);
    return id == null ? Optional.empty() : Optional.of(keys.get(id));
  }

  @Override
  public synchronized Optional<StoredKey> find(KeyId id) {
    return Optional.ofNullable(keys.get(id));
  }

  @Override
  public synchronized StoredKey activate(StoredKey candidate, Instant notBefore) {
    String slot = candidate.keyring() + "/" + candidate.purpose();
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

  @Override
  public String toString() {
    return "InMemoryBranchKeyStore[" + keys.size() + " keys]";
  }
}
