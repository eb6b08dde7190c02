package org.veil.crypto;

import java.security.GeneralSecurityException;

/**
 * What the benchmarks need from inside {@code org.veil.crypto} that it does not offer publicly:
 * the version 3 row key derivation ({@link RowKeyKdf}, package-private), to time it beside other
 * key derivations.
 *
 * <p>This class lives in the benchmarks module but in package {@code org.veil.crypto}: the driver
 * is not a named module and both jars are on the class path of one class loader, so a class of
 * the same package name may call the driver's package-private members (as
 * {@code org.veil.jdbc.VeilInternals} does for the JDBC layer). Nothing in the driver is changed
 * or loaded differently; only benchmarks use this.
 */
public final class CryptoInternals {

  private CryptoInternals() {}

  /**
   * A row key derivation on its own cipher, as one thread of the codec has it: an
   * {@code AES/ECB} cipher from the JDK ({@link GcmProvider#ecb()}, the one the codec uses
   * whatever its GCM provider), keyed by the branch key on first use. Not thread-safe.
   */
  public static RowKeys rowKeys() {
    return new RowKeys(new RowKeyKdf(GcmProvider.jdk().ecb()));
  }

  /** {@link RowKeyKdf} behind a public face. Confined to one thread; holds key-derived state. */
  public static final class RowKeys {
    private final RowKeyKdf kdf;

    private RowKeys(RowKeyKdf kdf) {
      this.kdf = kdf;
    }

    /**
     * Writes the 32-byte row key for the 16-byte nonce at {@code nonce[at, at + 16)} under
     * {@code branch} into {@code rowKey[0, 32)}, as {@code RowKeyKdf.derive} does.
     */
    public void derive(BranchKey branch, byte[] nonce, int at, byte[] rowKey)
        throws GeneralSecurityException {
      kdf.derive(branch, nonce, at, rowKey);
    }

    @Override
    public String toString() {
      return "RowKeys[" + kdf + "]";
    }
  }
}
