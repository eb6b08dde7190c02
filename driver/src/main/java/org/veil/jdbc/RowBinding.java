package org.veil.jdbc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Locale;
import java.util.UUID;
import org.veil.catalog.CatalogColumns;
import org.veil.config.ColumnPolicy;
import org.veil.error.VeilError;

/**
 * The binding value of a row-bound column ({@code :bind=<column>}): the bytes that the crypto
 * layer adds to a cell's associated data, so that the cell opens only in a row whose binding
 * column holds the same value.
 *
 * <p>The bytes are canonical, so that a write and a later read agree whatever Java type the
 * application used: the UTF-8 of the value's PostgreSQL text output. Integers are in decimal
 * without sign for positives or leading zeros, a uuid is lower-case and hyphenated, text is as
 * it is. On write the value is normalised by the binding column's type ({@code "042"} for an
 * integer column is {@code 42}; an upper-case uuid string and a {@link UUID} agree), and a value
 * that does not parse for the type is refused before anything is sent. On read the bytes are
 * those of the server's text output, as pgjdbc's {@code getString} gives it.
 *
 * <p>Only types with one canonical text form can bind a row; see {@link Type}. Stateless and
 * thread-safe.
 *
 * <p>Public for the command-line jobs ({@code org.veil.tools}), which read rows with plain
 * pgjdbc and must bind cells to them exactly as the driver does: {@link #typeNamed} checks a
 * binding column, {@link #ofRead} encodes a value the server returned. Sealing from application
 * values ({@code ofWritten}) stays inside the JDBC layer.
 */
public final class RowBinding {

  /** The types a binding column may have, by the name the catalog gives them. */
  public enum Type {
    SMALLINT("int2", "smallint", Short.MIN_VALUE, Short.MAX_VALUE),
    INTEGER("int4", "integer", Integer.MIN_VALUE, Integer.MAX_VALUE),
    BIGINT("int8", "bigint", Long.MIN_VALUE, Long.MAX_VALUE),
    TEXT("text", "text", 0, 0),
    VARCHAR("varchar", "varchar", 0, 0),
    UUID_TYPE("uuid", "uuid", 0, 0);

    private final String catalogName;
    private final String sqlName;
    private final long min;
    private final long max;

    Type(String catalogName, String sqlName, long min, long max) {
      this.catalogName = catalogName;
      this.sqlName = sqlName;
      this.min = min;
      this.max = max;
    }

    /** The type's SQL name, for messages. */
    String sqlName() {
      return sqlName;
    }

    boolean isInteger() {
      return this == SMALLINT || this == INTEGER || this == BIGINT;
    }
  }

  /** The allowed types, as messages list them. */
  public static final String ALLOWED = "smallint, integer, bigint, text, varchar or uuid";

  private RowBinding() {}

  /**
   * The binding type of a column whose catalog type name ({@code pg_type.typname}, a domain's
   * base type) is {@code typeName}; null when such a column cannot bind a row.
   */
  public static Type typeNamed(String typeName) {
    for (Type t : Type.values()) {
      if (t.catalogName.equals(typeName)) {
        return t;
      }
    }
    return null;
  }

  /**
   * The binding type of row-bound {@code column}'s binding column, which the catalog shows as
   * {@code binding} (null when the table has no such column); the driver and the tools check
   * binding columns with this one method.
   *
   * @throws SQLException 42703 when there is no binding column, 42804 when its type cannot bind
   *     a row; the message names the setting and says what to do
   */
  public static Type bindingColumnType(ColumnPolicy column, CatalogColumns.Attribute binding)
      throws SQLException {
    String setting = column.qualifiedName() + ":bind=" + column.bindingColumn();
    if (binding == null) {
      throw SqlErrors.of(VeilError.UNDEFINED_COLUMN, setting + " binds the column's cells to"
          + " their row by " + column.qualifiedBindingColumn() + ", but table "
          + column.schema() + "." + column.table() + " has no column " + column.bindingColumn()
          + ". Name an existing column (such as the primary key) in :bind= or"
          + " @Encrypted(bind).");
    }
    Type type = typeNamed(binding.type());
    if (type == null) {
      throw SqlErrors.of(VeilError.DATATYPE_MISMATCH, setting + " binds the column's cells to"
          + " their row by " + column.qualifiedBindingColumn() + ", which is of type "
          + binding.type() + ": a binding column must have a type with one canonical text"
          + " form, " + ALLOWED + ". Bind to such a column, such as the primary key.");
    }
    return type;
  }

  /**
   * The canonical binding bytes of {@code value}, bound by the application (or written as a
   * literal in the SQL text) for the binding column of {@code column}, of type {@code type}.
   *
   * @throws SQLException (42804) when the value does not parse for the type, or is of a Java
   *     type that has no single text form in it; the message names the columns, not the value
   */
  static byte[] ofWritten(Type type, Object value, ColumnPolicy column) throws SQLException {
    String canonical;
    if (type.isInteger()) {
      canonical = integer(type, value, column);
    } else if (type == Type.UUID_TYPE) {
      canonical = uuid(value, column);
    } else {
      canonical = text(value, column);
    }
    return canonical.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The binding bytes of a value the server returned in its text output, as pgjdbc's
   * {@code getString} (or the SQL cast {@code ::text}) has it.
   *
   * @param text the binding column's value in the row; not null (a NULL binding value binds no
   *     row, and the caller refuses the cell)
   */
  public static byte[] ofRead(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String integer(Type type, Object value, ColumnPolicy column)
      throws SQLException {
    BigInteger n;
    if (value instanceof Integer || value instanceof Long || value instanceof Short
        || value instanceof Byte) {
      n = BigInteger.valueOf(((Number) value).longValue());
    } else if (value instanceof BigInteger big) {
      n = big;
    } else if (value instanceof BigDecimal decimal) {
      try {
        n = decimal.toBigIntegerExact();
      } catch (ArithmeticException fraction) {
        throw notOfType(type, column, "a number with a fraction");
      }
    } else if (value instanceof String s) {
      n = parseInteger(s.strip());
      if (n == null) {
        throw notOfType(type, column, "a string that is not a decimal integer");
      }
    } else {
      throw unsupported(type, value, column);
    }
    if (n.bitLength() > 63 || n.longValue() < type.min || n.longValue() > type.max) {
      throw notOfType(type, column, "a number out of its range");
    }
    return n.toString();
  }

  /** An optionally signed run of decimal digits, as PostgreSQL reads an integer; else null. */
  private static BigInteger parseInteger(String s) {
    int start = !s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
    if (s.length() == start || s.length() - start > 40) {
      return null;
    }
    for (int i = start; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
    }
    return new BigInteger(s.charAt(0) == '+' ? s.substring(1) : s);
  }

  private static String uuid(Object value, ColumnPolicy column) throws SQLException {
    if (value instanceof UUID u) {
      return u.toString();
    }
    if (!(value instanceof String s)) {
      throw unsupported(Type.UUID_TYPE, value, column);
    }
    String t = s.strip();
    if (t.length() >= 2 && t.charAt(0) == '{' && t.charAt(t.length() - 1) == '}') {
      t = t.substring(1, t.length() - 1);
    }
    StringBuilder hex = new StringBuilder(32);
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == '-' && i > 0 && i < t.length() - 1 && t.charAt(i - 1) != '-') {
        continue;
      }
      if (Character.digit(c, 16) < 0 || c > 'f') {
        throw notOfType(Type.UUID_TYPE, column, "a string that is not a uuid");
      }
      hex.append(Character.toLowerCase(c));
    }
    if (hex.length() != 32) {
      throw notOfType(Type.UUID_TYPE, column, "a string that is not a uuid");
    }
    return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
        + hex.substring(16, 20) + "-" + hex.substring(20);
  }

  private static String text(Object value, ColumnPolicy column) throws SQLException {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Character || value instanceof Integer || value instanceof Long
        || value instanceof Short || value instanceof Byte || value instanceof BigInteger
        || value instanceof UUID) {
      return value.toString();
    }
    throw unsupported(Type.TEXT, value, column);
  }

  private static SQLException notOfType(Type type, ColumnPolicy column, String what) {
    return SqlErrors.of(VeilError.DATATYPE_MISMATCH, "the value bound for "
        + column.qualifiedBindingColumn() + " (" + type.sqlName() + "), which binds encrypted"
        + " column " + column.qualifiedName() + " to its row, is " + what + ": Veil refuses it"
        + " before anything is sent, since the cell would be bound to another value than the"
        + " server stores. Bind a valid " + type.sqlName() + ".");
  }

  private static SQLException unsupported(Type type, Object value, ColumnPolicy column) {
    String bindAs = type.isInteger() ? "setInt, setLong, setString or setObject with an integer"
        : type == Type.UUID_TYPE ? "setObject with a UUID, or setString"
        : "setString or setObject with a String";
    return SqlErrors.of(VeilError.DATATYPE_MISMATCH, "a " + (value == null ? "null"
        : value.getClass().getName()) + " was bound for " + column.qualifiedBindingColumn()
        + " (" + type.sqlName().toLowerCase(Locale.ROOT) + "), which binds encrypted column "
        + column.qualifiedName() + " to its row; it has no single text form there. Bind it"
        + " with " + bindAs + ".");
  }
}
