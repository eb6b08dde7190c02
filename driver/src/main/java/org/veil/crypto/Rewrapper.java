package org.veil.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * Moves stored cells off a branch key, for the re-encrypt tools ({@code veil rotate-branch}).
 * Every cell is opened first, so a cell that does not authenticate is reported and left alone.
 *
 * <ul>
 *   <li>{@link #rewrap}: only the row key's wrap changes, the payload (value IV, ciphertext, tag)
 *       is kept byte for byte, and no AES-GCM operation under the row key is made. A version 3
 *       cell, whose row key is derived from the retiring branch key, becomes a version 3 kind 3
 *       cell carrying that row key wrapped under the active branch key; a version 2 cell gets a
 *       new wrap of its row key. A version 1 cell, whose payload authenticates its wrap, is
 *       re-sealed whole instead (docs/FORMAT.md).</li>
 *   <li>{@link #reseal}: a fresh row key and IV, for a branch key that may have leaked.</li>
 * </ul>
 *
 * <p>Thread-safe; the scopes and rows it is given are not.
 */
public final class Rewrapper {

  private final CellCodec codec;

  Rewrapper(CellCodec codec) {
    this.codec = codec;
  }

  /** Keeps the new row keys of re-wrapped cells that shared a row key; see {@link #rewrap}. */
  public RewrapScope beginRewrap() {
    return new RewrapScope();
  }

  /**
   * Moves a cell whose row key comes from a branch key ({@link CellShape#isBranchWrapped}) to the
   * active branch key; the value and its type stay the same. Cells re-wrapped within one
   * {@code scope} that shared a row key share one afterwards.
   *
   * @param binding the row's binding value for a bound column, else null
   * @throws IllegalArgumentException when the cell's row key does not come from a branch key
   * @throws CellException when the cell does not open for {@code column}
   * @throws KeyUnavailableException when its key or the active key cannot be obtained
   */
  public byte[] rewrap(RewrapScope scope, CellColumn column, byte[] cell, byte[] binding)
      throws GeneralSecurityException {
    CellHeader header = codec.header(column, cell);
    if (!header.layout().isBranchWrapped() && header.layout() != CellHeader.Layout.V3_DERIVED) {
      throw new IllegalArgumentException("only a cell whose row key comes from a branch key can"
          + " be re-wrapped (column " + column.name() + ")");
    }
    byte[] plaintext = codec.openPlaintext(header, column, cell, binding);
    try {
      Object slot = slot(cell, header);
      if (header.layout() == CellHeader.Layout.V1_WRAPPED) {
        RowSeal row = scope.rows.computeIfAbsent(slot, s -> codec.beginRow());
        return codec.sealEncoded(row, column, header.type(), plaintext, binding);
      }
      byte[] part = scope.parts.get(slot);
      if (part == null) {
        part = newWrap(header, cell);
        scope.parts.put(slot, part);
      }
      return withKeyPart(header, cell, part);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /**
   * Re-seals a cell under {@code row}'s row key (so under the active branch key), or a
   * deterministic cell under the active deterministic key: the value and type stay, the cell does
   * not (a fresh row key and IV). The old branch key and row key open nothing it writes. The
   * plaintext exists only inside this call and is cleared before it returns.
   *
   * @param binding the row's binding value for a bound column, else null
   * @throws CellException when the cell does not open for {@code column}
   * @throws KeyUnavailableException when its key or the active key cannot be obtained
   */
  public byte[] reseal(RowSeal row, CellColumn column, byte[] cell, byte[] binding)
      throws GeneralSecurityException {
    CellHeader header = codec.header(column, cell);
    byte[] plaintext = codec.openPlaintext(header, column, cell, binding);
    try {
      return codec.sealEncoded(row, column, header.type(), plaintext, binding);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /** The cell's row key wrapped under the active branch key, as the key part of the new cell. */
  private byte[] newWrap(CellHeader header, byte[] cell) throws GeneralSecurityException {
    ThreadCiphers t = codec.threadCiphers();
    SecretKeySpec rowKey = codec.randomized().rowKey(header, cell, t);
    BranchKey active = codec.keys().branchKeyForRow();
    if (header.layout() == CellHeader.Layout.V2_WRAPPED) {
      return codec.randomized().wrap(active, rowKey, CellFormat.VERSION_2,
          CellFormat.KIND_BRANCH, t);
    }
    return codec.randomized().wrap(active, rowKey, CellFormat.VERSION_3,
        CellFormat.KIND_REWRAPPED, t);
  }

  /** The cell with {@code part} in place of its key part; the payload bytes are copied as is. */
  private static byte[] withKeyPart(CellHeader header, byte[] cell, byte[] part) {
    int payloadAt = header.payloadIvAt();
    int newPayloadAt = CellFormat.KEY_ID_OFFSET + part.length;
    byte[] out = new byte[newPayloadAt + cell.length - payloadAt];
    System.arraycopy(cell, 0, out, 0, CellFormat.KEY_ID_OFFSET);
    if (header.layout() != CellHeader.Layout.V2_WRAPPED) {
      out[CellFormat.KIND_OFFSET] = CellFormat.KIND_REWRAPPED;
    }
    System.arraycopy(part, 0, out, CellFormat.KEY_ID_OFFSET, part.length);
    System.arraycopy(cell, payloadAt, out, newPayloadAt, cell.length - payloadAt);
    return out;
  }

  /** Version, kind, and the cell's key bytes (key id up to the payload): one per row key. */
  private static Object slot(byte[] cell, CellHeader header) {
    byte[] slot = new byte[2 + header.payloadIvAt() - CellFormat.KEY_ID_OFFSET];
    slot[0] = cell[CellFormat.VERSION_OFFSET];
    slot[1] = cell[CellFormat.KIND_OFFSET];
    System.arraycopy(cell, CellFormat.KEY_ID_OFFSET, slot, 2, slot.length - 2);
    return ByteBuffer.wrap(slot);
  }

  @Override
  public String toString() {
    return "Rewrapper[" + codec + "]";
  }
}
