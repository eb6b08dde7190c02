package org.veil.keys;

import org.veil.crypto.KeyPurpose;
import org.veil.crypto.KeyId;
import java.time.Instant;
import java.util.Optional;

/**
 * Where wrapped keys live: {@code veil_keys} in the application database
 * ({@link PostgresBranchKeyStore}), or memory for tests ({@link InMemoryBranchKeyStore}).
 *
 * <p>At most one key per keyring and purpose is active. Implementations are thread-safe, and
 * {@link #activate} is atomic across every process that shares the store.
 */
public interface BranchKeyStore {

  /** The active key of a keyring and purpose, if there is one. */
  Optional<StoredKey> active(String keyring, KeyPurpose purpose) throws KeyStoreException;

  /** The key with this id, active or retired. */
  Optional<StoredKey> find(KeyId id) throws KeyStoreException;

  /**
   * Makes {@code candidate} the active key of its keyring and purpose, unless another process
   * got there first: if an active key exists that was created at or after {@code notBefore}
   * (any active key when {@code notBefore} is null), that key is returned and the candidate is
   * dropped. Otherwise the active key, if any, is retired and the candidate stored as active.
   *
   * @return the key that is active afterwards
   */
  StoredKey activate(StoredKey candidate, Instant notBefore) throws KeyStoreException;
}
