package org.veil.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Collectors;
import org.veil.crypto.CellShape;
import org.veil.crypto.CellShapeSql;

/**
 * The database-side guard of an encrypted column: a {@code CHECK} constraint that admits SQL
 * NULL and every value of a Veil cell's shape ({@link CellShape}), and nothing else, so that the
 * database itself refuses plaintext from any writer (another application, psql, a trigger, a
 * function). {@code veil guard} creates, validates and drops guards; the driver checks at its
 * first connection that every configured column has a current, validated one
 * ({@code veil.guard}).
 *
 * <p>The guard of column {@code c} is named {@link #constraintName constraintName(c)} and
 * carries the comment {@link #comment()}, which records the shape it admits: a guard whose
 * comment differs was made for another set of format versions and is renewed by
 * {@code veil guard add}.
 *
 * <p>Security guarantee: a value that is not NULL and not of a cell's shape is never stored in
 * a guarded column while the guard exists (PostgreSQL checks every inserted and updated row).
 * Warning: the guard sees the shape only; a forged, replayed or moved cell of the right shape is
 * caught when Veil opens it, not by the guard. The table's owner or a superuser can drop it.
 *
 * <p>Stateless and thread-safe; every method returns SQL text or names, and does no I/O. No
 * argument may be null, and no method returns null.
 */
public final class CellGuard {

  /** Every guard's name starts with this. */
  public static final String NAME_PREFIX = "veil_guard_";

  /** PostgreSQL's identifier limit, in bytes (NAMEDATALEN - 1). */
  private static final int MAX_IDENTIFIER = 63;

  /** Bumped when the predicate changes in a way the shape does not show. */
  private static final int REVISION = 1;

  private CellGuard() {}

  /**
   * The guard's name for a column: {@code veil_guard_<column>}; when that exceeds PostgreSQL's
   * 63 bytes, the column name is cut (at a character boundary) and followed by {@code _} and 8
   * hex digits of its SHA-256, so that two long names sharing a prefix get distinct guards.
   * Quote it as an identifier ({@link #quote}) in SQL.
   */
  public static String constraintName(String column) {
    String name = NAME_PREFIX + column;
    if (name.getBytes(StandardCharsets.UTF_8).length <= MAX_IDENTIFIER) {
      return name;
    }
    String hash = "_" + HexFormat.of().formatHex(sha256(column), 0, 4);
    int room = MAX_IDENTIFIER - NAME_PREFIX.length() - hash.length();
    StringBuilder cut = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < column.length(); ) {
      int cp = column.codePointAt(i);
      int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + size > room) {
        break;
      }
      cut.appendCodePoint(cp);
      bytes += size;
      i += Character.charCount(cp);
    }
    return NAME_PREFIX + cut + hash;
  }

  /**
   * The comment every current guard carries: it names the format versions and the minimum length
   * it admits, so that a guard made for an older format is found and renewed.
   */
  public static String comment() {
    return "Veil guard r" + REVISION + ": NULL or a Veil cell of format version "
        + CellShape.versions().stream().map(String::valueOf).collect(Collectors.joining(", "))
        + ", at least " + CellShape.minimumLength() + " bytes (as bytea; as text, veil: and"
        + " base64 of at least " + minimumTextLength() + " characters). Renewed by veil guard"
        + " add, dropped by veil guard remove.";
  }

  /**
   * The guard's condition for a column, as SQL over the column {@code quotedColumn} (an
   * identifier as {@link #quote} gives it): true for NULL and a value of a cell's shape.
   *
   * @param binary whether the column is {@code bytea} (or a domain over it); else text, unbounded
   *     varchar, or a domain over either, holding {@code veil:} + base64
   */
  public static String predicate(String quotedColumn, boolean binary) {
    return quotedColumn + " IS NULL OR (" + shape(quotedColumn, binary) + ")";
  }

  /**
   * True for a non-NULL value of a cell's shape (NULL for NULL): the guard's condition without
   * its NULL, for expressions that pick cells out of other values ({@link CellShapeSql}, where
   * the shape's SQL is defined).
   */
  public static String shape(String expression, boolean binary) {
    return binary ? CellShapeSql.binaryShape(expression) : CellShapeSql.textShape(expression);
  }

  /** The length of the shortest cell in text form: the prefix and padded base64. */
  static int minimumTextLength() {
    return CellShapeSql.minimumTextLength();
  }

  /** {@code name} as a quoted SQL identifier. */
  public static String quote(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
