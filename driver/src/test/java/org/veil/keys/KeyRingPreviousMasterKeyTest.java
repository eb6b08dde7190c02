package org.veil.keys;

import org.veil.crypto.KeyUnavailableException;
import org.veil.crypto.KeyPurpose;
import org.veil.crypto.KeyId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.veil.config.ColumnPolicy;
import org.veil.config.EncryptionMode;

import org.veil.crypto.ValueType;
import org.veil.kms.DataKey;
import org.veil.kms.FlakyKeyProvider;
import org.veil.kms.KeyContext;
import org.veil.kms.KeyProvider;

/**
 * A key ring with previous master keys ({@code veil.kms.previousKeys}): what an application
 * configured with the new master key and the old one as previous does during a rotation.
 */
class KeyRingPreviousMasterKeyTest {

  static final ColumnPolicy SSN = ColumnPolicy.of("public", "customers", "ssn",
      EncryptionMode.RANDOMIZED);
  static final ColumnPolicy EMAIL = ColumnPolicy.of("public", "customers", "email",
      EncryptionMode.DETERMINISTIC);

  private final byte[] oldKey = randomKey();
  private final byte[] newKey = randomKey();
  private final FlakyKeyProvider oldMaster;
  private final FlakyKeyProvider newMaster;
  private final InMemoryBranchKeyStore store = new InMemoryBranchKeyStore();

  KeyRingPreviousMasterKeyTest() throws Exception {
    oldMaster = new FlakyKeyProvider(oldKey);
    newMaster = new FlakyKeyProvider(newKey);
  }

  private static byte[] randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }

  private TestCodec.Builder codec(KeyProvider current, KeyProvider... previous) {
    return TestCodec.builder().keyProvider(current).previousKeyProviders(List.of(previous))
        .keyStore(store).executor(Runnable::run).timeout(Duration.ofSeconds(2));
  }

  /** Cells sealed by an application that has only the old master key. */
  private byte[] sealedUnderOldMaster(ColumnPolicy column, String value) throws Exception {
    try (TestCodec before = codec(oldMaster).build()) {
      return before.seal(before.beginRow(), column, ValueType.TEXT, value);
    }
  }

  @Test
  void aKeyUnderAPreviousMasterKeyIsUnwrappedByThatMasterKey() throws Exception {
    byte[] cell = sealedUnderOldMaster(SSN, "123-45-6789");
    int oldCalls = oldMaster.calls();

    try (TestCodec app = codec(newMaster, oldMaster).build()) {
      assertThat(app.open(SSN, cell).value()).isEqualTo("123-45-6789");
    }
    assertThat(oldMaster.unwrapped.get()).isEqualTo(1);
    assertThat(oldMaster.calls() - oldCalls).isEqualTo(1);
    assertThat(newMaster.calls()).isZero();
  }

  @Test
  void anUnwrapWithAPreviousMasterKeyIsCountedLikeAnyProviderCall() throws Exception {
    byte[] first;
    byte[] second;
    try (TestCodec before = codec(oldMaster).build()) {
      first = before.seal(before.beginRow(), SSN, ValueType.TEXT, "x");
      second = before.seal(before.beginRow(), SSN, ValueType.TEXT, "y");
    }

    try (TestCodec app = codec(newMaster, oldMaster).build()) {
      app.open(SSN, first);
      app.open(SSN, second); // another row, the same branch key: from the cache
      assertThat(app.counters().kmsUnwrap()).isEqualTo(1);
      assertThat(app.counters().kmsCalls()).isEqualTo(1);
      assertThat(app.counters().branchKeyMisses()).isEqualTo(1);
    }
  }

  @Test
  void newKeysAreGeneratedUnderTheCurrentMasterKeyNeverAPreviousOne() throws Exception {
    int oldCalls = oldMaster.calls();
    try (TestCodec app = codec(newMaster, oldMaster).build()) {
      app.seal(app.beginRow(), SSN, ValueType.TEXT, "a");
      app.seal(app.beginRow(), EMAIL, ValueType.TEXT, "a@example.com");
    }
    assertThat(newMaster.generated.get()).isEqualTo(2);
    assertThat(oldMaster.calls()).isEqualTo(oldCalls).isZero();
    for (KeyPurpose purpose : KeyPurpose.values()) {
      assertThat(store.active("default", purpose).orElseThrow().masterKeyId())
          .as(purpose.sqlName()).isEqualTo(newMaster.masterKeyId());
    }
  }

  @Test
  void aRotatedBranchKeyIsGeneratedUnderTheCurrentMasterKeyWhileTheOldOneStillOpens()
      throws Exception {
    byte[] before = sealedUnderOldMaster(SSN, "old");
    KeyId oldBranch = KeyId.read(before, 5);
    int generatedByOld = oldMaster.generated.get();

    try (TestCodec app = codec(newMaster, oldMaster).build()) {
      assertThat(app.open(SSN, before).value()).isEqualTo("old");
      app.keyRing().rotateBranchKey();
      byte[] after = app.seal(app.beginRow(), SSN, ValueType.TEXT, "new");
      KeyId newBranch = KeyId.read(after, 5);

      assertThat(newBranch).isNotEqualTo(oldBranch);
      assertThat(store.find(newBranch).orElseThrow().masterKeyId())
          .isEqualTo(newMaster.masterKeyId());
      assertThat(store.find(oldBranch).orElseThrow().masterKeyId())
          .isEqualTo(oldMaster.masterKeyId());
      assertThat(app.open(SSN, after).value()).isEqualTo("new");
      assertThat(app.open(SSN, before).value()).isEqualTo("old");
    }
    assertThat(oldMaster.generated.get()).isEqualTo(generatedByOld);
    assertThat(oldMaster.wrapped.get()).isZero();
  }

  @Test
  void aKeyUnderAnUnknownMasterKeyIsRefusedSayingWhatToConfigureAndNoProviderIsAsked()
      throws Exception {
    FlakyKeyProvider other = FlakyKeyProvider.withRandomKey();
    byte[] cell;
    try (TestCodec elsewhere = codec(other).build()) {
      cell = elsewhere.seal(elsewhere.beginRow(), SSN, ValueType.TEXT, "x");
    }
    KeyId branch = KeyId.read(cell, 5);
    int oldCalls = oldMaster.calls();

    try (TestCodec app = codec(newMaster, oldMaster).build()) {
      assertThatThrownBy(() -> app.open(SSN, cell))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining(branch.toString())
          .hasMessageContaining("master key " + other.masterKeyId())
          .hasMessageContaining("configured master key " + newMaster.masterKeyId())
          .hasMessageContaining("veil.kms.previousKeys [" + oldMaster.masterKeyId() + "]")
          .hasMessageContaining("add its keystore or key file to veil.kms.previousKeys")
          .hasMessageContaining("veil rotate-master")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(
              HexFormat.of().formatHex(newKey), HexFormat.of().formatHex(oldKey),
              Base64.getEncoder().encodeToString(newKey),
              Base64.getEncoder().encodeToString(oldKey)));
    }
    assertThat(newMaster.calls()).isZero();
    assertThat(oldMaster.calls()).isEqualTo(oldCalls);
  }

  @Test
  void anApplicationWithOnlyTheNewMasterKeyIsToldToAddTheOldOneAsPrevious() throws Exception {
    byte[] cell = sealedUnderOldMaster(SSN, "x");

    try (TestCodec app = codec(newMaster).build()) {
      assertThatThrownBy(() -> app.open(SSN, cell))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("wrapped by master key " + oldMaster.masterKeyId())
          .hasMessageContaining("veil.kms.previousKeys is not set")
          .hasMessageContaining("add its keystore or key file to veil.kms.previousKeys");
    }
  }

  @Test
  void anApplicationStillOnTheOldMasterKeyAfterRotationIsToldToMakeTheNewOneCurrent()
      throws Exception {
    byte[] cell;
    try (TestCodec rotated = codec(newMaster).build()) {
      cell = rotated.seal(rotated.beginRow(), SSN, ValueType.TEXT, "x");
    }

    try (TestCodec stale = codec(oldMaster).build()) {
      assertThatThrownBy(() -> stale.open(SSN, cell))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("wrapped by master key " + newMaster.masterKeyId())
          .hasMessageContaining("configured master key " + oldMaster.masterKeyId())
          .hasMessageContaining("if veil rotate-master has moved them to "
              + newMaster.masterKeyId() + ", make it the configured master key"
              + " (veil.kms.keystore) and put the current one in veil.kms.previousKeys");
    }
  }

  @Test
  void aPreviousMasterKeyWhoseAnswerNamesAnotherMasterKeyIsRefused() throws Exception {
    KeyId id = KeyId.random(new SecureRandom());
    DataKey created = oldMaster.generateDataKey(KeyContext.of(id, "default", KeyPurpose.BRANCH));
    store.activate(new StoredKey(id, "default", KeyPurpose.BRANCH, created.blob(), "local",
        oldMaster.masterKeyId(), Instant.now(), WrapContext.KEY_ID_KEYRING_PURPOSE), null);
    oldMaster.answerFor("local:another");

    try (KeyRing ring = KeyRing.builder().provider(newMaster)
        .previousProviders(List.of(oldMaster)).store(store).executor(Runnable::run).build()) {
      assertThatThrownBy(() -> ring.key(id))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("Unwrap names master key local:another")
          .hasMessageContaining("master key " + oldMaster.masterKeyId() + " was asked");
    }
  }

  @Test
  void thePreviousMasterKeysCannotNameTheCurrentOneOrOneTwice() {
    assertThatThrownBy(() -> new MasterKeys(newMaster, List.of(oldMaster, newMaster)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("veil.kms.previousKeys names the configured master key "
            + newMaster.masterKeyId());
    assertThatThrownBy(() -> new MasterKeys(newMaster, List.of(oldMaster, oldMaster)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names master key " + oldMaster.masterKeyId() + " twice");
  }
}
