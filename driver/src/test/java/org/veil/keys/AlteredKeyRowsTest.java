package org.veil.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.veil.crypto.BranchKey;
import org.veil.crypto.KeyId;
import org.veil.crypto.KeyPurpose;
import org.veil.crypto.KeyUnavailableException;
import org.veil.kms.BlobAuthenticationException;
import org.veil.kms.KeyContext;
import org.veil.kms.LocalKeyProvider;
import org.veil.kms.WrappedKey;

/**
 * Rows of the key store changed by someone who can write the table, but not wrap: a key's wrap
 * binds its key id, keyring and purpose, so a changed row fails closed, both when a cell names
 * the key and when it is the active key that would seal new rows.
 */
class AlteredKeyRowsTest {

  private static final String KEYRING = "default";

  private final byte[] masterKey = new byte[32];
  private final LocalKeyProvider provider;
  private final InMemoryBranchKeyStore store = new InMemoryBranchKeyStore();

  AlteredKeyRowsTest() throws Exception {
    new SecureRandom().nextBytes(masterKey);
    provider = LocalKeyProvider.ofKey(masterKey, new SecureRandom());
  }

  /** A key ring as a fresh process has it: nothing cached. */
  private KeyRing ring(String keyring) {
    return KeyRing.builder().provider(provider).store(store).keyring(keyring)
        .executor(Runnable::run).build();
  }

  /** The branch and deterministic keys of {@link #KEYRING}, as an application made them. */
  private KeyId[] branchAndDeterministicKeys() throws Exception {
    try (KeyRing ring = ring(KEYRING)) {
      return new KeyId[] {ring.branchKeyForRow().id(),
          ring.activeKey(KeyPurpose.DETERMINISTIC).id()};
    }
  }

  private StoredKey row(KeyId id) {
    return store.find(id).orElseThrow();
  }

  private static StoredKey relabel(StoredKey row, KeyId id, String keyring, KeyPurpose purpose,
      WrapContext wrapContext) {
    return new StoredKey(id, keyring, purpose, row.wrapped(), row.provider(), row.masterKeyId(),
        row.createdAt(), wrapContext);
  }

  @Test
  void newKeysAreWrappedWithTheirKeyIdKeyringAndPurpose() throws Exception {
    KeyId[] keys = branchAndDeterministicKeys();
    StoredKey branch = row(keys[0]);
    StoredKey deterministic = row(keys[1]);
    assertThat(branch.wrapContext()).isEqualTo(WrapContext.KEY_ID_KEYRING_PURPOSE);
    assertThat(deterministic.wrapContext()).isEqualTo(WrapContext.KEY_ID_KEYRING_PURPOSE);
    assertThat(provider.unwrap(branch.wrapped(),
        KeyContext.of(keys[0], KEYRING, KeyPurpose.BRANCH)).plaintext()).hasSize(32);
    assertThat(provider.unwrap(deterministic.wrapped(),
        KeyContext.of(keys[1], KEYRING, KeyPurpose.DETERMINISTIC)).plaintext()).hasSize(32);
    assertThatThrownBy(() -> provider.unwrap(branch.wrapped(), KeyContext.keyIdOnly(keys[0])))
        .isInstanceOf(BlobAuthenticationException.class);
  }

  @Test
  void relabelledPurposeFailsClosedOnRead() throws Exception {
    KeyId branch = branchAndDeterministicKeys()[0];
    // UPDATE veil_keys SET purpose = 'deterministic', active = false WHERE key_id = <branch>
    store.write(relabel(row(branch), branch, KEYRING, KeyPurpose.DETERMINISTIC,
        WrapContext.KEY_ID_KEYRING_PURPOSE), false);

    try (KeyRing fresh = ring(KEYRING)) {
      assertThatThrownBy(() -> fresh.key(branch))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("key " + branch + " of keyring " + KEYRING)
          .hasMessageContaining("the row was altered")
          .satisfies(e -> assertThat(((KeyUnavailableException) e).keyId())
              .isEqualTo(branch.toString()));
    }
  }

  @Test
  void relabelledPurposeFailsClosedOnWrite() throws Exception {
    KeyId[] keys = branchAndDeterministicKeys();
    KeyId deterministic = keys[1];
    // The deterministic key's row relabelled as the active branch key (the branch key retired).
    store.write(relabel(row(keys[0]), keys[0], KEYRING, KeyPurpose.BRANCH,
        WrapContext.KEY_ID_KEYRING_PURPOSE), false);
    store.write(relabel(row(deterministic), deterministic, KEYRING, KeyPurpose.BRANCH,
        WrapContext.KEY_ID_KEYRING_PURPOSE), true);

    try (KeyRing fresh = ring(KEYRING)) {
      assertThatThrownBy(fresh::branchKeyForRow)
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("key " + deterministic + " of keyring " + KEYRING)
          .hasMessageContaining("the row was altered");
    }
    assertThat(store.active(KEYRING, KeyPurpose.BRANCH).orElseThrow().id())
        .as("nothing replaced the altered row silently").isEqualTo(deterministic);
  }

  @Test
  void aCachedKeyRelabelledAsTheActiveKeyOfAnotherPurposeDoesNotSeal() throws Exception {
    KeyId[] keys = branchAndDeterministicKeys();
    KeyId deterministic = keys[1];
    try (KeyRing running = ring(KEYRING)) {
      // The running application has the deterministic key cached, as a deterministic key.
      assertThat(running.key(deterministic).purpose()).isEqualTo(KeyPurpose.DETERMINISTIC);
      store.write(relabel(row(keys[0]), keys[0], KEYRING, KeyPurpose.BRANCH,
          WrapContext.KEY_ID_KEYRING_PURPOSE), false);
      store.write(relabel(row(deterministic), deterministic, KEYRING, KeyPurpose.BRANCH,
          WrapContext.KEY_ID_KEYRING_PURPOSE), true);

      assertThatThrownBy(running::branchKeyForRow)
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("the active branch key of keyring " + KEYRING)
          .hasMessageContaining("is key " + deterministic)
          .hasMessageContaining("loaded as a deterministic key")
          .hasMessageContaining("altered");
    }
  }

  @Test
  void relabelledKeyringFailsClosedOnReadAndOnWrite() throws Exception {
    KeyId[] keys = branchAndDeterministicKeys();
    for (KeyId id : keys) {
      StoredKey row = row(id);
      store.write(relabel(row, id, "billing", row.purpose(), row.wrapContext()), true);
    }

    try (KeyRing billing = ring("billing")) {
      assertThatThrownBy(billing::branchKeyForRow)
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("key " + keys[0] + " of keyring billing")
          .hasMessageContaining("the row was altered");
      assertThatThrownBy(() -> billing.activeKey(KeyPurpose.DETERMINISTIC))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("key " + keys[1] + " of keyring billing")
          .hasMessageContaining("the row was altered");
    }
    try (KeyRing fresh = ring(KEYRING)) {
      assertThatThrownBy(() -> fresh.key(keys[0]))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("the row was altered");
    }
  }

  @Test
  void aRowCopiedUnderAnotherKeyIdFailsClosedOnReadAndOnWrite() throws Exception {
    KeyId branch = branchAndDeterministicKeys()[0];
    KeyId copy = KeyId.random(new SecureRandom());
    // INSERT INTO veil_keys SELECT <copy>, … FROM veil_keys WHERE key_id = <branch>, made active
    store.write(relabel(row(branch), copy, KEYRING, KeyPurpose.BRANCH,
        WrapContext.KEY_ID_KEYRING_PURPOSE), true);

    try (KeyRing fresh = ring(KEYRING)) {
      assertThatThrownBy(() -> fresh.key(copy))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("key " + copy + " of keyring " + KEYRING)
          .hasMessageContaining("the row was altered");
      assertThatThrownBy(fresh::branchKeyForRow)
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("key " + copy)
          .hasMessageContaining("the row was altered");
      assertThat(fresh.key(branch).id()).as("the original row still loads").isEqualTo(branch);
    }
  }

  @Test
  void aNewRowMarkedKeyIdOnlyFailsClosed() throws Exception {
    KeyId[] keys = branchAndDeterministicKeys();
    for (KeyId id : keys) {
      StoredKey row = row(id);
      store.write(relabel(row, id, KEYRING, row.purpose(), WrapContext.KEY_ID_ONLY), true);
    }

    try (KeyRing fresh = ring(KEYRING)) {
      assertThatThrownBy(() -> fresh.key(keys[1]))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("key " + keys[1] + " of keyring " + KEYRING + " (wrap_context 1)")
          .hasMessageContaining("the row was altered");
      assertThatThrownBy(fresh::branchKeyForRow)
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("the row was altered");
    }
  }

  @Test
  void aKeyIdOnlyRowWrittenTheOldWayStillLoadsAndSeals() throws Exception {
    KeyId id = KeyId.random(new SecureRandom());
    byte[] material = new byte[32];
    new SecureRandom().nextBytes(material);
    WrappedKey wrapped = provider.wrap(material, KeyContext.keyIdOnly(id));
    // The seven-column row of a table written before wrap contexts: key id only.
    store.write(new StoredKey(id, KEYRING, KeyPurpose.BRANCH, wrapped.blob(), provider.name(),
        wrapped.masterKeyId(), Instant.now()), true);

    try (KeyRing fresh = ring(KEYRING)) {
      BranchKey loaded = fresh.key(id);
      byte[] bytes = loaded.copyOfKeyBytes();
      assertThat(bytes).isEqualTo(material);
      BranchKey.clear(bytes);
      assertThat(fresh.branchKeyForRow().id())
          .as("an active key from before still seals, as it did").isEqualTo(id);
    }
  }

  @Test
  void anUnknownWrapContextIsNotOneThisVersionGuesses() {
    assertThatThrownBy(() -> WrapContext.ofCode(3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("wrap_context 3");
    assertThat(WrapContext.ofCode(1)).isEqualTo(WrapContext.KEY_ID_ONLY);
    assertThat(WrapContext.ofCode(2)).isEqualTo(WrapContext.KEY_ID_KEYRING_PURPOSE);
  }
}
