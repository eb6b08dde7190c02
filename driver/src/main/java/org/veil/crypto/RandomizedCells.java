package org.veil.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Randomized cells whose row key comes from a branch key: sealed as version 3 kind 0 (the row key
 * derived from the branch key and a fresh row nonce, {@link RowKeyKdf}); opened in every layout
 * that Veil has written for them (version 1 and 2 kind 0, version 3 kinds 0 and 3). The value is
 * AES-256-GCM under the row key; in version 3 its IV is the cell's position in its row, which
 * never repeats under a row key because each {@link RowSeal} has its own nonce.
 *
 * <p>Thread-safe: per-thread state lives in {@link ThreadCiphers}.
 */
final class RandomizedCells {

  private static final int TAG_BITS = CellFormat.TAG * 8;

  private final CellKeys keys;
  private final Randomness random;
  /** The version of new cells: 3, or 2 while an older Veil still reads (veil.cells.version). */
  private final int writeVersion;

  RandomizedCells(CellKeys keys, Randomness random, int writeVersion) {
    this.keys = keys;
    this.random = random;
    this.writeVersion = writeVersion;
  }

  /**
   * Starts a row under the active branch key: version 3, a fresh nonce and its derived row key;
   * version 2, a fresh random row key wrapped in the cell.
   */
  void startRow(RowSeal row, ThreadCiphers t) throws GeneralSecurityException {
    BranchKey branch = keys.branchKeyForRow();
    if (writeVersion == CellFormat.VERSION_2) {
      startV2Row(row, branch, t);
      return;
    }
    byte[] part = new byte[KeyId.LENGTH + CellFormat.NONCE];
    branch.id().writeTo(part, 0);
    random.nextBytes(part, KeyId.LENGTH, CellFormat.NONCE);
    startRow(row, branch, part, t);
  }

  /** Starts a version 3 row under {@code branch} with the key id and nonce in {@code part}. */
  void startRow(RowSeal row, BranchKey branch, byte[] part, ThreadCiphers t)
      throws GeneralSecurityException {
    try {
      t.kdf.derive(branch, part, KeyId.LENGTH, t.rowKeyBytes);
      row.rowKey = new SecretKeySpec(t.rowKeyBytes, "AES");
    } finally {
      Arrays.fill(t.rowKeyBytes, (byte) 0);
    }
    row.version = CellFormat.VERSION_3;
    row.kind = CellFormat.KIND_DERIVED;
    row.keyPart = part;
    row.cells = 0;
  }

  /** A version 2 row: a random 256-bit row key (key material: not the buffered nonces), wrapped. */
  private void startV2Row(RowSeal row, BranchKey branch, ThreadCiphers t)
      throws GeneralSecurityException {
    try {
      random.source().nextBytes(t.rowKeyBytes);
      row.rowKey = new SecretKeySpec(t.rowKeyBytes, "AES");
    } finally {
      Arrays.fill(t.rowKeyBytes, (byte) 0);
    }
    row.keyPart = wrap(branch, row.rowKey, CellFormat.VERSION_2, CellFormat.KIND_BRANCH, t);
    row.version = CellFormat.VERSION_2;
    row.kind = CellFormat.KIND_BRANCH;
    row.cells = 0;
  }

  /**
   * Seals {@code plaintext} into a cell of {@code row}: version 3 kind 0 ({@code binding} joins
   * the associated data of a bound column), or version 2 kind 0 while veil.cells.version=2.
   */
  byte[] seal(RowSeal row, CellColumn column, ValueType type, byte[] plaintext, byte[] binding,
      ThreadCiphers t) throws GeneralSecurityException {
    if (row.cells < 0) {
      throw new GeneralSecurityException("a row of more than 2^31 cells");
    }
    int ivAt = CellFormat.KEY_ID_OFFSET + row.keyPart.length;
    byte[] cell = new byte[ivAt + CellFormat.IV + plaintext.length + CellFormat.TAG];
    cell[0] = CellFormat.MAGIC_0;
    cell[1] = CellFormat.MAGIC_1;
    cell[CellFormat.VERSION_OFFSET] = row.version;
    cell[CellFormat.KIND_OFFSET] = (byte) row.kind;
    cell[CellFormat.TYPE_OFFSET] = (byte) type.code();
    System.arraycopy(row.keyPart, 0, cell, CellFormat.KEY_ID_OFFSET, row.keyPart.length);
    int counter = row.cells++;
    boolean v2 = row.version == CellFormat.VERSION_2;
    if (v2) {
      if (binding != null) {
        throw new IllegalArgumentException("column " + column.name() + " is bound to its row,"
            + " which format v2 cannot carry (veil.cells.version=2)");
      }
      random.nextBytes(cell, ivAt, CellFormat.IV); // v2: a random IV per cell
    } else {
      // IV: eight zero bytes, then the cell's position in its row (big-endian).
      cell[ivAt + 8] = (byte) (counter >>> 24);
      cell[ivAt + 9] = (byte) (counter >>> 16);
      cell[ivAt + 10] = (byte) (counter >>> 8);
      cell[ivAt + 11] = (byte) counter;
    }
    Cipher gcm = t.gcm;
    gcm.init(Cipher.ENCRYPT_MODE, row.rowKey,
        new GCMParameterSpec(TAG_BITS, cell, ivAt, CellFormat.IV));
    if (v2) {
      gcm.updateAAD(cell, 0, CellFormat.V2_AAD_HEADER);
      gcm.updateAAD(column.contextBytes());
    } else {
      v3AssociatedData(gcm, cell, column, binding, t);
    }
    try {
      gcm.doFinal(plaintext, 0, plaintext.length, cell, ivAt + CellFormat.IV);
    } catch (ShortBufferException e) {
      throw new IllegalStateException(e);
    }
    return cell;
  }

  /**
   * Version 3 value associated data: magic, version 3, {@code 00} (randomized, whether the row key
   * is derived or re-wrapped), the type; the column's context with its length; for a bound column
   * the binding's length (4 bytes) and bytes.
   */
  private static void v3AssociatedData(Cipher gcm, byte[] cell, CellColumn column,
      byte[] binding, ThreadCiphers t) {
    byte[] prefix = t.aadPrefix;
    prefix[0] = CellFormat.MAGIC_0;
    prefix[1] = CellFormat.MAGIC_1;
    prefix[2] = CellFormat.VERSION_3;
    prefix[3] = CellFormat.KIND_DERIVED;
    prefix[4] = cell[CellFormat.TYPE_OFFSET];
    gcm.updateAAD(prefix);
    gcm.updateAAD(column.framedContext());
    if (binding != null) {
      byte[] length = t.bindingLength;
      length[0] = (byte) (binding.length >>> 24);
      length[1] = (byte) (binding.length >>> 16);
      length[2] = (byte) (binding.length >>> 8);
      length[3] = (byte) binding.length;
      gcm.updateAAD(length);
      gcm.updateAAD(binding);
    }
  }

  /**
   * The plaintext of a randomized cell of a branch-key layout: in {@code into} from offset 0 when
   * given (it may be {@code cell} itself: AES-GCM is copy-safe), else in a new array.
   *
   * @throws javax.crypto.AEADBadTagException when it does not authenticate
   */
  byte[] open(CellHeader header, CellColumn column, byte[] cell, byte[] binding, byte[] into,
      ThreadCiphers t) throws GeneralSecurityException {
    SecretKeySpec rowKey = rowKey(header, cell, t);
    Cipher gcm = t.gcm;
    int ivAt = header.payloadIvAt();
    gcm.init(Cipher.DECRYPT_MODE, rowKey, new GCMParameterSpec(TAG_BITS, cell, ivAt,
        CellFormat.IV));
    if (header.layout() == CellHeader.Layout.V1_WRAPPED) {
      gcm.updateAAD(cell, 0, ivAt);
      gcm.updateAAD(column.contextBytes());
    } else if (header.layout() == CellHeader.Layout.V2_WRAPPED) {
      gcm.updateAAD(cell, 0, CellFormat.V2_AAD_HEADER);
      gcm.updateAAD(column.contextBytes());
    } else {
      v3AssociatedData(gcm, cell, column, binding, t);
    }
    byte[] plaintext = into != null ? into : new byte[header.plaintextLength(cell)];
    try {
      gcm.doFinal(cell, header.ciphertextAt(), cell.length - header.ciphertextAt(), plaintext, 0);
    } catch (ShortBufferException e) {
      throw new IllegalStateException(e);
    }
    return plaintext;
  }

  /**
   * The row key of a cell: derived (version 3 kind 0) or unwrapped under the branch key the cell
   * names; the thread's memo serves the other cells of the row just opened.
   *
   * @throws CellKeyPurposeException when the named key is not a branch key
   */
  SecretKeySpec rowKey(CellHeader header, byte[] cell, ThreadCiphers t)
      throws GeneralSecurityException {
    BranchKey branch = keys.key(CellHeader.keyId(cell));
    if (branch.purpose() != KeyPurpose.BRANCH) {
      throw new CellKeyPurposeException();
    }
    int from = CellFormat.HEADER;
    int to = header.payloadIvAt();
    SecretKeySpec rowKey = t.lastRowKey(branch, header.layout(), cell, from, to);
    if (rowKey != null) {
      return rowKey;
    }
    try {
      if (header.layout() == CellHeader.Layout.V3_DERIVED) {
        t.kdf.derive(branch, cell, CellHeader.nonceAt(), t.rowKeyBytes);
      } else {
        unwrap(branch, cell, t);
      }
      rowKey = new SecretKeySpec(t.rowKeyBytes, "AES");
    } finally {
      Arrays.fill(t.rowKeyBytes, (byte) 0);
    }
    t.rememberRowKey(branch, header.layout(), cell, from, to, rowKey);
    return rowKey;
  }

  /** Unwraps a branch-wrapped row key into {@code t.rowKeyBytes}. */
  private static void unwrap(BranchKey branch, byte[] cell, ThreadCiphers t)
      throws GeneralSecurityException {
    Cipher wrap = t.wrapGcm;
    int ivAt = CellHeader.wrapIvAt();
    wrap.init(Cipher.DECRYPT_MODE, branch.secretKey(), new GCMParameterSpec(TAG_BITS, cell, ivAt,
        CellFormat.IV));
    wrap.updateAAD(wrapAad(cell[CellFormat.VERSION_OFFSET], cell[CellFormat.KIND_OFFSET],
        branch.id()));
    try {
      wrap.doFinal(cell, ivAt + CellFormat.IV, CellFormat.DEK + CellFormat.TAG, t.rowKeyBytes, 0);
    } catch (ShortBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Wraps {@code rowKey} under {@code branch} into a key part (key id, wrap IV, wrapped key) for
   * a cell of {@code version} and {@code kind}; the wrap IV is fresh.
   */
  byte[] wrap(BranchKey branch, SecretKeySpec rowKey, byte version, int kind, ThreadCiphers t)
      throws GeneralSecurityException {
    byte[] part = new byte[KeyId.LENGTH + CellFormat.WRAPPED_DEK];
    branch.id().writeTo(part, 0);
    random.nextBytes(part, KeyId.LENGTH, CellFormat.IV);
    Cipher wrap = t.wrapGcm;
    wrap.init(Cipher.ENCRYPT_MODE, branch.secretKey(),
        new GCMParameterSpec(TAG_BITS, part, KeyId.LENGTH, CellFormat.IV));
    wrap.updateAAD(wrapAad(version, (byte) kind, branch.id()));
    byte[] key = rowKey.getEncoded();
    try {
      wrap.doFinal(key, 0, CellFormat.DEK, part, KeyId.LENGTH + CellFormat.IV);
    } catch (ShortBufferException e) {
      throw new IllegalStateException(e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
    return part;
  }

  /** The row key wrap's associated data: magic, version, kind and the branch key id. */
  static byte[] wrapAad(byte version, byte kind, KeyId branch) {
    byte[] aad = new byte[4 + KeyId.LENGTH];
    aad[0] = CellFormat.MAGIC_0;
    aad[1] = CellFormat.MAGIC_1;
    aad[2] = version;
    aad[3] = kind;
    branch.writeTo(aad, 4);
    return aad;
  }

  /** A cell names a key that is not a branch key (a deterministic key's id): altered. */
  static final class CellKeyPurposeException extends GeneralSecurityException {
    private static final long serialVersionUID = 1L;

    CellKeyPurposeException() {
      super("the key the cell names is not a branch key");
    }
  }

  @Override
  public String toString() {
    return "RandomizedCells[" + random + "]";
  }
}
