package org.veil.crypto;

import com.google.crypto.tink.subtle.AesSiv;
import com.google.crypto.tink.subtle.Hkdf;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Deterministic cells (version 1 kind 2): AES-SIV (RFC 5297, Tink's {@link AesSiv}) under a
 * per-column key derived with HKDF-SHA256 from the keyring's deterministic key, so equal values
 * in one column give equal cells and {@code WHERE col = ?} can compare them. They stay version 1
 * for good: the cell is the equality token, and a new version byte would make new cells differ
 * from stored ones (docs/FORMAT.md).
 *
 * <p>Thread-safe. One AES-SIV per (key, context) is kept for the codec's life.
 */
final class DeterministicCells {

  static final byte[] SIV_INFO = CellFormat.SIV_INFO;

  private final CellKeys keys;
  private final ConcurrentMap<SivSlot, AesSiv> sivs = new ConcurrentHashMap<>();

  DeterministicCells(CellKeys keys) {
    this.keys = keys;
  }

  byte[] seal(CellColumn column, ValueType type, byte[] plaintext)
      throws GeneralSecurityException {
    BranchKey key = keys.deterministicKey();
    return seal(key, column, type, plaintext);
  }

  /** Seals under {@code key}; package-private for test vectors. */
  byte[] seal(BranchKey key, CellColumn column, ValueType type, byte[] plaintext)
      throws GeneralSecurityException {
    byte[] header = new byte[CellFormat.HEADER];
    header[0] = CellFormat.MAGIC_0;
    header[1] = CellFormat.MAGIC_1;
    header[CellFormat.VERSION_OFFSET] = CellFormat.VERSION_1;
    header[CellFormat.KIND_OFFSET] = CellFormat.KIND_DETERMINISTIC;
    header[CellFormat.TYPE_OFFSET] = (byte) type.code();
    key.id().writeTo(header, CellFormat.KEY_ID_OFFSET);
    byte[] sealed = siv(key, column).encryptDeterministically(plaintext,
        associatedData(header, column));
    byte[] cell = Arrays.copyOf(header, CellFormat.HEADER + sealed.length);
    System.arraycopy(sealed, 0, cell, CellFormat.HEADER, sealed.length);
    return cell;
  }

  /**
   * The plaintext of a deterministic cell.
   *
   * @throws GeneralSecurityException when it does not authenticate (Tink reports a failed
   *     AES-SIV check as a plain {@code GeneralSecurityException})
   * @throws RandomizedCells.CellKeyPurposeException when the named key is not a deterministic key
   */
  byte[] open(CellColumn column, byte[] cell) throws GeneralSecurityException {
    BranchKey key = keys.key(CellHeader.keyId(cell));
    if (key.purpose() != KeyPurpose.DETERMINISTIC) {
      throw new RandomizedCells.CellKeyPurposeException();
    }
    return siv(key, column).decryptDeterministically(
        Arrays.copyOfRange(cell, CellFormat.HEADER, cell.length),
        associatedData(Arrays.copyOf(cell, CellFormat.HEADER), column));
  }

  private static byte[] associatedData(byte[] header, CellColumn column) {
    byte[] context = column.contextBytes();
    byte[] aad = Arrays.copyOf(header, header.length + context.length);
    System.arraycopy(context, 0, aad, header.length, context.length);
    return aad;
  }

  private AesSiv siv(BranchKey key, CellColumn column) throws GeneralSecurityException {
    SivSlot slot = new SivSlot(key.id(), column.context());
    AesSiv siv = sivs.get(slot);
    if (siv == null) {
      siv = derive(key, column.contextBytes());
      sivs.putIfAbsent(slot, siv);
    }
    return siv;
  }

  /** Where a column's AES-SIV is kept: its deterministic key and the column's context. */
  private record SivSlot(KeyId keyId, String context) {}

  /** HKDF-SHA256(key, salt = key id, info = "veil-siv-v1|" + context, 64 bytes) as AES-SIV key. */
  static AesSiv derive(BranchKey key, byte[] context) throws GeneralSecurityException {
    byte[] ikm = key.copyOfKeyBytes();
    byte[] info = Arrays.copyOf(SIV_INFO, SIV_INFO.length + context.length);
    System.arraycopy(context, 0, info, SIV_INFO.length, context.length);
    byte[] columnKey = Hkdf.computeHkdf("HMACSHA256", ikm, key.id().toBytes(), info, 64);
    try {
      return new AesSiv(columnKey);
    } finally {
      BranchKey.clear(ikm);
      Arrays.fill(columnKey, (byte) 0);
    }
  }

  void clear() {
    sivs.clear();
  }

  @Override
  public String toString() {
    return "DeterministicCells[" + sivs.size() + " column keys]";
  }
}
