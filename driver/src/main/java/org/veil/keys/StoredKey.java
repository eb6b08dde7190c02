package org.veil.keys;

import org.veil.crypto.KeyPurpose;
import org.veil.crypto.KeyId;
import java.time.Instant;
import java.util.Objects;
import org.veil.kms.KeyContext;

/**
 * One row of {@code veil_keys}: a key wrapped by the master key. Holds no plaintext key material;
 * {@link #toString()} leaves out the wrapped bytes too.
 *
 * <p>What the row says is not trusted by itself (anyone who can write the table can change it);
 * {@link #context()} turns it into the context its wrap must authenticate, so a row whose id,
 * keyring or purpose changed since it was wrapped does not unwrap.
 *
 * @param id the key id
 * @param keyring the keyring it belongs to
 * @param purpose branch or deterministic
 * @param wrapped the key wrapped by the master key (opaque provider blob)
 * @param provider the key provider name ({@code local}, {@code aws})
 * @param masterKeyId the master key that wrapped it
 * @param createdAt when it was created
 * @param wrapContext which context the wrap is bound to ({@code wrap_context})
 */
public record StoredKey(KeyId id, String keyring, KeyPurpose purpose, byte[] wrapped,
    String provider, String masterKeyId, Instant createdAt, WrapContext wrapContext) {

  public StoredKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(keyring, "keyring");
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(wrapped, "wrapped");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(masterKeyId, "masterKeyId");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(wrapContext, "wrapContext");
  }

  /**
   * A row wrapped with the key id only context ({@link WrapContext#KEY_ID_ONLY}), as every row
   * was before keyring and purpose were bound.
   */
  public StoredKey(KeyId id, String keyring, KeyPurpose purpose, byte[] wrapped,
      String provider, String masterKeyId, Instant createdAt) {
    this(id, keyring, purpose, wrapped, provider, masterKeyId, createdAt,
        WrapContext.KEY_ID_ONLY);
  }

  /** The context this row's wrap must authenticate, built from what the row says. */
  public KeyContext context() {
    return wrapContext == WrapContext.KEY_ID_KEYRING_PURPOSE
        ? KeyContext.of(id, keyring, purpose) : KeyContext.keyIdOnly(id);
  }

  @Override
  public String toString() {
    return "StoredKey[" + purpose.sqlName() + " " + id + " keyring=" + keyring + " master="
        + masterKeyId + " created=" + createdAt + " wrap_context=" + wrapContext.code() + "]";
  }
}
