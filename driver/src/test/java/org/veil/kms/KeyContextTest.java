package org.veil.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.veil.crypto.KeyId;
import org.veil.crypto.KeyPurpose;

class KeyContextTest {

  private static final KeyId ID = KeyId.parse("3f0c5b1e-8a2d-4c6e-9b1f-0a1b2c3d4e5f");

  @Test
  void theKeyIdOnlyFormIsTheKeyIdAloneAsBefore() {
    KeyContext legacy = KeyContext.keyIdOnly(ID);
    assertThat(legacy.isKeyIdOnly()).isTrue();
    assertThat(legacy.canonical()).isEqualTo("3f0c5b1e-8a2d-4c6e-9b1f-0a1b2c3d4e5f");
    assertThat(legacy.encryptionContext())
        .isEqualTo(Map.of("veil:key", "3f0c5b1e-8a2d-4c6e-9b1f-0a1b2c3d4e5f"));
  }

  @Test
  void theFullFormNamesPurposeKeyringByItsLengthAndKeyId() {
    KeyContext bound = KeyContext.of(ID, "billing", KeyPurpose.DETERMINISTIC);
    assertThat(bound.isKeyIdOnly()).isFalse();
    assertThat(bound.canonical())
        .isEqualTo("v2|deterministic|7:billing|3f0c5b1e-8a2d-4c6e-9b1f-0a1b2c3d4e5f");
    assertThat(bound.encryptionContext()).isEqualTo(Map.of(
        "veil:key", "3f0c5b1e-8a2d-4c6e-9b1f-0a1b2c3d4e5f",
        "veil:keyring", "billing",
        "veil:purpose", "deterministic"));
  }

  @Test
  void keyringsThatLookLikeTheEncodingStayApart() {
    // Without the length, "a|7:b" and "a" followed by another field could be read two ways.
    assertThat(KeyContext.of(ID, "a|7:b", KeyPurpose.BRANCH).canonical())
        .isEqualTo("v2|branch|5:a|7:b|3f0c5b1e-8a2d-4c6e-9b1f-0a1b2c3d4e5f");
    assertThat(KeyContext.of(ID, "", KeyPurpose.BRANCH).canonical())
        .isEqualTo("v2|branch|0:|3f0c5b1e-8a2d-4c6e-9b1f-0a1b2c3d4e5f");
  }

  @Test
  void aContextNamesBothKeyringAndPurposeOrNeither() {
    assertThatThrownBy(() -> new KeyContext(ID, "billing", null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KeyContext(ID, null, KeyPurpose.BRANCH))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyContext.of(ID, "bad\ud800", KeyPurpose.BRANCH))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void itsTextNamesTheKeyAndNothingSecret() {
    assertThat(KeyContext.of(ID, "billing", KeyPurpose.BRANCH).toString())
        .isEqualTo("branch key 3f0c5b1e-8a2d-4c6e-9b1f-0a1b2c3d4e5f of keyring billing");
  }
}
