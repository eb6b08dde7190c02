package org.veil.crypto;

/**
 * The keys that seal and open cells, as the key hierarchy ({@code org.veil.keys.KeyRing})
 * supplies them: unwrapped, cached, rotated elsewhere. Implementations are thread-safe and answer
 * from a cache on the hot path; they never return null.
 */
public interface CellKeys {

  /**
   * The active branch key, to seal one new row with (or re-wrap one row's key under); each call
   * counts one row against the key's rotation rule.
   *
   * @throws KeyUnavailableException when the key cannot be obtained
   */
  BranchKey branchKeyForRow() throws KeyUnavailableException;

  /**
   * The active deterministic key.
   *
   * @throws KeyUnavailableException when the key cannot be obtained
   */
  BranchKey deterministicKey() throws KeyUnavailableException;

  /**
   * The key a stored cell names.
   *
   * @throws KeyNotFoundException when no key has this id
   * @throws KeyUnavailableException when the key cannot be obtained
   */
  BranchKey key(KeyId id) throws KeyUnavailableException;
}
