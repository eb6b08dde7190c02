package org.veil.crypto;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What every stored Veil cell looks like from outside, to checks that cannot open one: the
 * database-side guard ({@code veil guard}) admits exactly the values of this shape. A cell starts
 * with the magic {@code VL} and one of {@link #versions()}, and is at least
 * {@link #minimumLength()} bytes long; in a text column it is {@link #textPrefix()} followed by
 * the standard base64 of those bytes, with padding (docs/FORMAT.md).
 *
 * <p>Derived from {@link CellFormat}'s constants, so a new format version or a shorter layout
 * reaches the guard by that one edit. Stateless and thread-safe; no method returns null.
 *
 * <p>Warning: a value of this shape is not necessarily authentic. Only opening it
 * ({@link CellCodec#open}) tells a real cell from a forged or moved one.
 */
public final class CellShape {

  private CellShape() {}

  /** The format versions a stored cell may carry, in ascending order; never empty. */
  public static List<Integer> versions() {
    List<Integer> versions = new ArrayList<>();
    for (byte v : CellFormat.VERSIONS) {
      versions.add((int) v);
    }
    Collections.sort(versions);
    return List.copyOf(versions);
  }

  /** The first three bytes of a cell of {@code version}: the magic {@code VL}, the version. */
  public static byte[] header(int version) {
    return new byte[] {CellFormat.MAGIC_0, CellFormat.MAGIC_1, (byte) version};
  }

  /**
   * The length of the shortest cell of any version and kind, in bytes: 37, a deterministic cell
   * of an empty value (the 21 header bytes and AES-SIV's 16-byte synthetic IV). Randomized cells
   * take at least 109 bytes (branch wrapping) or 51 plus the key provider's blob (direct).
   */
  public static int minimumLength() {
    return CellFormat.MIN_CELL;
  }

  /** {@code veil:}, what a cell stored in a text column starts with. */
  public static String textPrefix() {
    return CellFormat.TEXT_PREFIX;
  }

  /**
   * Where a cell's key id ({@link KeyId#LENGTH} bytes) starts, in every version and kind: for
   * SQL that looks into stored cells (which cells a retired key still holds).
   */
  public static int keyIdOffset() {
    return CellFormat.KEY_ID_OFFSET;
  }

  /**
   * The key id in a cell's header: the branch key (randomized), the row key's own id (direct
   * wrapping) or the deterministic key; null when {@code cell} is not a cell. Does not
   * authenticate.
   */
  public static KeyId keyIdOf(byte[] cell) {
    return CellHeader.parse(cell) != null ? CellHeader.keyId(cell) : null;
  }

  /**
   * Whether a cell's row key comes from the branch key it names (derived from it, or wrapped by
   * it), so that retiring that branch key concerns it. Does not authenticate.
   */
  public static boolean isBranchWrapped(byte[] cell) {
    CellHeader header = CellHeader.parse(cell);
    return header != null && (header.layout().isBranchWrapped()
        || header.layout() == CellHeader.Layout.V3_DERIVED);
  }

  /** Whether {@code bytes} starts like a cell (magic and a known version): three comparisons. */
  public static boolean looksLikeCell(byte[] bytes) {
    return CellFormat.hasMagic(bytes);
  }

  /** The text form for {@code text}/{@code varchar} columns: {@code veil:} + base64. */
  public static String toText(byte[] cell) {
    return CellFormat.toText(cell);
  }

  /** The cell in a text form, or null when {@code text} is not one (no prefix, bad base64). */
  public static byte[] fromText(String text) {
    return CellFormat.fromText(text);
  }

  /**
   * The cell in a text form given as its UTF-8 bytes (a text column's value as PostgreSQL sends
   * it), or null when they are not one; decodes from {@code utf8} without copying it first.
   */
  public static byte[] fromText(byte[] utf8) {
    return CellFormat.fromText(utf8);
  }

  /** Whether {@code text} is a cell's text form. */
  public static boolean looksLikeCellText(String text) {
    return CellFormat.fromText(text) != null;
  }

  /** Whether {@code text} starts like a cell's text form: a few character comparisons. */
  public static boolean startsLikeTextCell(CharSequence text) {
    return CellFormat.startsLikeTextCell(text);
  }

  /** Whether {@code utf8}, the bytes of a text value, start like a cell's text form. */
  public static boolean startsLikeTextCell(byte[] utf8) {
    return CellFormat.startsLikeTextCell(utf8);
  }

  /** Whether {@code text}, a bytea value in PostgreSQL's text output, starts like a cell. */
  public static boolean startsLikeByteaText(CharSequence text) {
    return CellFormat.startsLikeByteaText(text);
  }
}
