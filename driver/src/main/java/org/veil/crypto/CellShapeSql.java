package org.veil.crypto;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * {@link CellShape} as SQL that PostgreSQL evaluates: the one place where the shape of a stored
 * cell becomes a server-side test, for the database-side guard ({@code CellGuard}) and for the
 * trigger of a conversion to bytea, which takes a text cell's bytes. Derived from
 * {@link CellFormat}'s constants (prefix, versions, minimum length) and from the text form that
 * {@link CellShape#toText} writes (standard base64 with padding), so that a new version reaches
 * every server-side test by that one edit.
 *
 * <p>Each method returns SQL over an expression the caller gives (a quoted column, {@code NEW.c},
 * a cast parameter), which it inserts as it is: the caller quotes identifiers. Stateless and
 * thread-safe; no argument may be null, no method returns null.
 *
 * <p>Warning: a value of this shape is not necessarily authentic (see {@link CellShape}).
 */
public final class CellShapeSql {

  /** One base64 character of the standard alphabet, as a bracket expression. */
  private static final String B64 = "[A-Za-z0-9+/]";

  /**
   * The standard base64 that {@link CellShape#toText} writes: whole quanta, the last padded.
   * The syntax is common to PostgreSQL's regular expressions and {@code java.util.regex}.
   */
  private static final String BASE64_BODY = "(" + B64 + "{4})*(" + B64 + "{2}==|" + B64
      + "{3}=)?";

  static {
    if (!CellFormat.TEXT_PREFIX.matches("[a-z:]+")) {
      throw new ExceptionInInitializerError("the text prefix is put into a regular expression"
          + " as it is, so it must not hold a character a regular expression reads otherwise");
    }
  }

  private CellShapeSql() {}

  /**
   * The regular expression a cell's whole text form matches: {@link CellShape#textPrefix()}
   * and padded standard base64, anchored. It does not check the length or the header; see
   * {@link #textShape}.
   */
  public static String textRegex() {
    return "^" + CellFormat.TEXT_PREFIX + BASE64_BODY + "$";
  }

  /** The length of the shortest cell in text form: the prefix and padded base64. */
  public static int minimumTextLength() {
    return CellFormat.TEXT_PREFIX.length() + 4 * ((CellFormat.MIN_CELL + 2) / 3);
  }

  /**
   * How a cell's text form starts, per version: the prefix and the base64 of the magic and the
   * version (three bytes are exactly four base64 characters, whatever follows them).
   */
  public static List<String> textStarts() {
    List<String> starts = new ArrayList<>();
    for (int v : CellShape.versions()) {
      starts.add(CellFormat.TEXT_PREFIX + Base64.getEncoder().encodeToString(
          CellShape.header(v)));
    }
    return List.copyOf(starts);
  }

  /**
   * SQL true for a text value of a cell's shape, false for any other text, NULL for NULL: at
   * least {@link #minimumTextLength()} characters, one of {@link #textStarts()}, then
   * {@link #textRegex()}.
   *
   * @param expression SQL of type text (or varchar, or a domain over either)
   */
  public static String textShape(String expression) {
    List<String> headers = new ArrayList<>();
    for (String start : textStarts()) {
      headers.add("'" + start + "'");
    }
    return "pg_catalog.length(" + expression + ") >= " + minimumTextLength()
        + " AND pg_catalog.substr(" + expression + ", 1, "
        + (CellFormat.TEXT_PREFIX.length() + 4) + ") IN (" + String.join(", ", headers)
        + ") AND " + expression + " ~ '" + textRegex() + "'";
  }

  /**
   * SQL true for a bytea value of a cell's shape (at least {@link CellShape#minimumLength()}
   * bytes, starting with the magic and a known version), false for other bytes, NULL for NULL.
   */
  public static String binaryShape(String expression) {
    List<String> headers = new ArrayList<>();
    for (int v : CellShape.versions()) {
      headers.add("pg_catalog.decode('" + HexFormat.of().formatHex(CellShape.header(v))
          + "', 'hex')");
    }
    return "pg_catalog.octet_length(" + expression + ") >= " + CellShape.minimumLength()
        + " AND pg_catalog.substr(" + expression + ", 1, 3) IN (" + String.join(", ", headers)
        + ")";
  }

  /**
   * SQL of type bytea: the bytes of the cell whose text form {@code expression} is, as
   * {@link CellShape#fromText} decodes them. Only for values of {@link #textShape}; PostgreSQL
   * raises an error for text that is not base64 after the prefix.
   */
  public static String textCellBytes(String expression) {
    return "pg_catalog.decode(pg_catalog.substr(" + expression + ", "
        + (CellFormat.TEXT_PREFIX.length() + 1) + "), 'base64')";
  }
}
