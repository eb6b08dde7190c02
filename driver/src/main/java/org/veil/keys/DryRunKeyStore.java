package org.veil.keys;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.veil.crypto.KeyId;
import org.veil.crypto.KeyPurpose;

/**
 * The key store of a dry run: reads the real store, never writes it. A key the dry run has to
 * create (a keyring's first branch or deterministic key, a rotation) is kept in memory, serves
 * the dry run's throwaway cells (never written), and is listed by {@link #wouldCreate()}; it
 * is gone with this object.
 *
 * <p>Thread-safe.
 */
final class DryRunKeyStore implements BranchKeyStore {

  private final BranchKeyStore stored;
  private final InMemoryBranchKeyStore created = new InMemoryBranchKeyStore();
  private final List<StoredKey> wouldCreate = new ArrayList<>();

  DryRunKeyStore(BranchKeyStore stored) {
    this.stored = stored;
  }

  @Override
  public Optional<StoredKey> active(String keyring, KeyPurpose purpose) throws KeyStoreException {
    Optional<StoredKey> made = created.active(keyring, purpose);
    return made.isPresent() ? made : stored.active(keyring, purpose);
  }

  @Override
  public Optional<StoredKey> find(KeyId id) throws KeyStoreException {
    Optional<StoredKey> made = created.find(id);
    return made.isPresent() ? made : stored.find(id);
  }

  /** Keeps {@code candidate} in memory as the active key, unless a current one exists. */
  @Override
  public StoredKey activate(StoredKey candidate, Instant notBefore) throws KeyStoreException {
    Optional<StoredKey> current = active(candidate.keyring(), candidate.purpose());
    if (current.isPresent()
        && (notBefore == null || !current.get().createdAt().isBefore(notBefore))) {
      return current.get();
    }
    created.write(candidate, true);
    synchronized (wouldCreate) {
      wouldCreate.add(candidate);
    }
    return candidate;
  }

  /** The keys a real run would have stored, in the order the dry run made them. */
  List<StoredKey> wouldCreate() {
    synchronized (wouldCreate) {
      return List.copyOf(wouldCreate);
    }
  }

  @Override
  public String toString() {
    return stored + " (dry run: nothing is written)";
  }
}
