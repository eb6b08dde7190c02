package org.veil.keys;

import org.veil.crypto.KeyPurpose;
import org.veil.crypto.KeyId;
import java.time.Instant;
import java.util.Objects;

/**
 * One row of {@code veil_keys}: a key wrapped by the master key. Holds no plaintext key material;
 * {@link #toString()} leaves out the wrapped bytes too.
 *
 * @param id the key id, also the encryption context of its wrap
 * @param keyring the keyring it belongs to
 * @param purpose branch or deterministic
 * @param wrapped the key wrapped by the master key (opaque provider blob)
 * @param provider the key provider name ({@code local}, {@code aws})
 * @param masterKeyId the master key that wrapped it
 * @param createdAt when it was created
 */
public record StoredKey(KeyId id, String keyring, KeyPurpose purpose, byte[] wrapped,
    String provider, String masterKeyId, Instant createdAt) {

  public StoredKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(keyring, "keyring");
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(wrapped, "wrapped");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(masterKeyId, "masterKeyId");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  @Override
  public String toString() {
    return "StoredKey[" + purpose.sqlName() + " " + id + " keyring=" + keyring + " master="
        + masterKeyId + " created=" + createdAt + "]";
  }
}
