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
}
