package org.veil.crypto;

/**
 * A cell's layout as its first bytes declare it, checked against the cell's length: which
 * version and kind, which value type, where the key id, the row nonce or wrapped row key, and
 * the payload (value IV, ciphertext, tag) are. The one place that turns {@link CellFormat}'s
 * offsets into positions in a cell. Parsing authenticates nothing.
 *
 * <p>Immutable; {@link #toString()} names the layout only.
 */
final class CellHeader {

  /** How a cell is laid out and how its value is opened. */
  enum Layout {
    /** Version 1 kind 0: row key wrapped by a branch key; the value's tag covers the wrap. */
    V1_WRAPPED,
    /** Version 2 kind 0: row key wrapped by a branch key; the value's tag does not cover it. */
    V2_WRAPPED,
    /** Version 1 kind 1: row key wrapped by the key provider. */
    V1_DIRECT,
    /** Version 1 kind 2: AES-SIV. */
    V1_DETERMINISTIC,
    /** Version 3 kind 0: row key derived from the branch key and the row nonce. */
    V3_DERIVED,
    /** Version 3 kind 3: a derived row key re-wrapped under another branch key. */
    V3_REWRAPPED;

    boolean isDeterministic() {
      return this == V1_DETERMINISTIC;
    }

    /** The row key is wrapped by a branch key in the cell (so a re-wrap can change that key). */
    boolean isBranchWrapped() {
      return this == V1_WRAPPED || this == V2_WRAPPED || this == V3_REWRAPPED;
    }
  }

  private final Layout layout;
  private final ValueType type;
  private final int payloadIvAt;

  private CellHeader(Layout layout, ValueType type, int payloadIvAt) {
    this.layout = layout;
    this.type = type;
    this.payloadIvAt = payloadIvAt;
  }

  /**
   * The header of {@code cell}, or null when its first bytes are not those of a cell of a known
   * version, kind and type, or it is shorter than that layout requires.
   */
  static CellHeader parse(byte[] cell) {
    if (!CellFormat.hasMagic(cell)) {
      return null;
    }
    ValueType type = ValueType.ofCode(cell[CellFormat.TYPE_OFFSET]);
    if (type == null) {
      return null;
    }
    int kind = cell[CellFormat.KIND_OFFSET];
    Layout layout;
    int ivAt;
    switch (cell[CellFormat.VERSION_OFFSET]) {
      case CellFormat.VERSION_1:
        if (kind == CellFormat.KIND_BRANCH) {
          layout = Layout.V1_WRAPPED;
          ivAt = CellFormat.BRANCH_PAYLOAD_IV;
        } else if (kind == CellFormat.KIND_DIRECT) {
          if (cell.length < CellFormat.DIRECT_BLOB) {
            return null;
          }
          layout = Layout.V1_DIRECT;
          ivAt = CellFormat.DIRECT_BLOB + (((cell[CellFormat.HEADER] & 0xff) << 8)
              | (cell[CellFormat.HEADER + 1] & 0xff));
        } else if (kind == CellFormat.KIND_DETERMINISTIC) {
          return cell.length < CellFormat.DETERMINISTIC_MIN ? null
              : new CellHeader(Layout.V1_DETERMINISTIC, type, CellFormat.HEADER);
        } else {
          return null;
        }
        break;
      case CellFormat.VERSION_2:
        if (kind != CellFormat.KIND_BRANCH) {
          return null;
        }
        layout = Layout.V2_WRAPPED;
        ivAt = CellFormat.BRANCH_PAYLOAD_IV;
        break;
      case CellFormat.VERSION_3:
        if (kind == CellFormat.KIND_DERIVED) {
          layout = Layout.V3_DERIVED;
          ivAt = CellFormat.DERIVED_PAYLOAD_IV;
        } else if (kind == CellFormat.KIND_REWRAPPED) {
          layout = Layout.V3_REWRAPPED;
          ivAt = CellFormat.BRANCH_PAYLOAD_IV;
        } else {
          return null;
        }
        break;
      default:
        return null;
    }
    if (cell.length < ivAt + CellFormat.IV + CellFormat.TAG) {
      return null;
    }
    return new CellHeader(layout, type, ivAt);
  }

  Layout layout() {
    return layout;
  }

  ValueType type() {
    return type;
  }

  static KeyId keyId(byte[] cell) {
    return KeyId.read(cell, CellFormat.KEY_ID_OFFSET);
  }

  /** Where the value's IV starts (the payload); for AES-SIV cells, where its output starts. */
  int payloadIvAt() {
    return payloadIvAt;
  }

  /** Where the ciphertext starts (after the value's IV). */
  int ciphertextAt() {
    return payloadIvAt + CellFormat.IV;
  }

  /** The plaintext length of a GCM payload. */
  int plaintextLength(byte[] cell) {
    return cell.length - ciphertextAt() - CellFormat.TAG;
  }

  /** Version 3 kind 0: where the row nonce starts. */
  static int nonceAt() {
    return CellFormat.HEADER;
  }

  /** Branch-wrapped layouts: where the wrap IV starts; the wrapped row key follows it. */
  static int wrapIvAt() {
    return CellFormat.HEADER;
  }

  /** Version 1 kind 1: where the key provider's blob starts. */
  static int blobAt() {
    return CellFormat.DIRECT_BLOB;
  }

  @Override
  public String toString() {
    return "CellHeader[" + layout + ", " + type + "]";
  }
}
