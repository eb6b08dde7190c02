package org.veil.jdbc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Calendar;
import java.util.UUID;
import org.postgresql.util.PGobject;
import org.veil.config.ColumnPolicy;
import org.veil.crypto.ValueType;
import org.veil.error.VeilError;

/**
 * Decides what value type a bound parameter has, from the setter or Java class the application
 * used, so the opened value comes back as what was set.
 *
 * <p>Deterministic columns compare whole cells, so their value types are canonical: every
 * integer is a {@code LONG} and every floating-point number a {@code DOUBLE}; otherwise
 * {@code setInt} on insert and {@code setLong} in a {@code WHERE} would never match.
 */
final class ParameterValues {

  private ParameterValues() {}

  /** The value type for a Java object given to {@code setObject}. */
  static ValueType typeOf(Object value, ColumnPolicy column) throws SQLException {
    ValueType type;
    if (value instanceof String || value instanceof Character) {
      type = ValueType.TEXT;
    } else if (value instanceof byte[]) {
      type = ValueType.BYTES;
    } else if (value instanceof Integer) {
      type = ValueType.INT;
    } else if (value instanceof Long) {
      type = ValueType.LONG;
    } else if (value instanceof Short || value instanceof Byte) {
      type = ValueType.SHORT;
    } else if (value instanceof BigDecimal || value instanceof BigInteger) {
      type = ValueType.NUMERIC;
    } else if (value instanceof Double) {
      type = ValueType.DOUBLE;
    } else if (value instanceof Float) {
      type = ValueType.FLOAT;
    } else if (value instanceof Boolean) {
      type = ValueType.BOOLEAN;
    } else if (value instanceof LocalDate || value instanceof java.sql.Date) {
      type = ValueType.DATE;
    } else if (value instanceof LocalTime || value instanceof java.sql.Time) {
      type = ValueType.TIME;
    } else if (value instanceof LocalDateTime || value instanceof java.sql.Timestamp
        || value instanceof java.util.Date) {
      type = ValueType.TIMESTAMP;
    } else if (value instanceof OffsetDateTime || value instanceof Instant
        || value instanceof ZonedDateTime) {
      type = ValueType.TIMESTAMPTZ;
    } else if (value instanceof UUID) {
      type = ValueType.UUID;
    } else if (value instanceof PGobject pg && pg.getType() != null
        && pg.getType().startsWith("json")) {
      type = ValueType.JSON;
    } else {
      throw SqlErrors.of(VeilError.OPERATION_REFUSED,
          "Veil cannot encrypt a " + value.getClass().getName()
          + " for column " + column.qualifiedName() + "; bind it as a String, byte[], number,"
          + " boolean, date/time or UUID");
    }
    return canonical(type, column);
  }

  /** The value type for {@code setObject(i, value, targetSqlType)}. */
  static ValueType typeOf(Object value, int targetSqlType, ColumnPolicy column)
      throws SQLException {
    switch (targetSqlType) {
      case Types.CHAR: case Types.VARCHAR: case Types.LONGVARCHAR: case Types.NCHAR:
      case Types.NVARCHAR: case Types.LONGNVARCHAR: case Types.CLOB: case Types.NCLOB:
        return ValueType.TEXT;
      case Types.BINARY: case Types.VARBINARY: case Types.LONGVARBINARY: case Types.BLOB:
        return ValueType.BYTES;
      case Types.TINYINT: case Types.SMALLINT:
        return canonical(ValueType.SHORT, column);
      case Types.INTEGER:
        return canonical(ValueType.INT, column);
      case Types.BIGINT:
        return canonical(ValueType.LONG, column);
      case Types.NUMERIC: case Types.DECIMAL:
        return ValueType.NUMERIC;
      case Types.REAL:
        return canonical(ValueType.FLOAT, column);
      case Types.FLOAT: case Types.DOUBLE:
        return canonical(ValueType.DOUBLE, column);
      case Types.BIT: case Types.BOOLEAN:
        return ValueType.BOOLEAN;
      case Types.DATE:
        return ValueType.DATE;
      case Types.TIME:
        return ValueType.TIME;
      case Types.TIMESTAMP:
        return ValueType.TIMESTAMP;
      case Types.TIMESTAMP_WITH_TIMEZONE:
        return ValueType.TIMESTAMPTZ;
      default:
        return typeOf(value, column);
    }
  }

  /** The type a deterministic column stores for {@code type}; the type itself otherwise. */
  static ValueType canonical(ValueType type, ColumnPolicy column) {
    if (!column.isDeterministic()) {
      return type;
    }
    switch (type) {
      case SHORT: case INT:
        return ValueType.LONG;
      case FLOAT:
        return ValueType.DOUBLE;
      default:
        return type;
    }
  }

  /**
   * {@code value} as the Java class that {@code type} encodes: numbers widened or parsed, dates
   * and times as {@code java.time} values, text as {@code String}.
   */
  static Object coerce(Object value, ValueType type, Calendar calendar, ColumnPolicy column)
      throws SQLException {
    switch (type) {
      case TEXT:
        return value instanceof String s ? s : ValueConversions.toString(value);
      case JSON:
        return value instanceof PGobject pg ? pg.getValue() : value.toString();
      case BYTES:
        // Sealed at once and never kept: the application's bytes need no copy of their own.
        return value instanceof byte[] bytes ? bytes : ValueConversions.toBytes(value);
      case SHORT:
        return (short) ValueConversions.toLong(value, column, Short.MIN_VALUE, Short.MAX_VALUE,
            "smallint");
      case INT:
        return (int) ValueConversions.toLong(value, column, Integer.MIN_VALUE, Integer.MAX_VALUE,
            "integer");
      case LONG:
        return ValueConversions.toLong(value, column, Long.MIN_VALUE, Long.MAX_VALUE, "bigint");
      case NUMERIC:
        return ValueConversions.toBigDecimal(
            value instanceof BigInteger i ? new BigDecimal(i) : value, column);
      case FLOAT:
        return (float) ValueConversions.toDouble(value, column);
      case DOUBLE:
        return ValueConversions.toDouble(value, column);
      case BOOLEAN:
        return ValueConversions.toBoolean(value, column);
      case DATE:
        return toLocalDate(value, calendar, column);
      case TIME:
        return toLocalTime(value, calendar, column);
      case TIMESTAMP:
        return toLocalDateTime(value, calendar, column);
      case TIMESTAMPTZ:
        return toOffsetDateTime(value, column);
      case UUID:
        return value instanceof UUID u ? u : ValueConversions.toType(value, UUID.class, column);
      default:
        throw new IllegalStateException("unhandled value type " + type);
    }
  }

  private static LocalDate toLocalDate(Object v, Calendar cal, ColumnPolicy column)
      throws SQLException {
    if (v instanceof LocalDate d) {
      return d;
    }
    if (v instanceof java.sql.Date d) {
      return cal == null ? d.toLocalDate()
          : Instant.ofEpochMilli(d.getTime()).atZone(cal.getTimeZone().toZoneId()).toLocalDate();
    }
    if (v instanceof LocalDateTime t) {
      return t.toLocalDate();
    }
    if (v instanceof String s) {
      return ValueConversions.toDate(s, null, column).toLocalDate();
    }
    throw SqlErrors.of(VeilError.DATATYPE_MISMATCH,
        "cannot bind the value for encrypted column "
        + column.qualifiedName() + " as a date");
  }

  private static LocalTime toLocalTime(Object v, Calendar cal, ColumnPolicy column)
      throws SQLException {
    if (v instanceof LocalTime t) {
      return t;
    }
    if (v instanceof java.sql.Time t) {
      return cal == null ? t.toLocalTime()
          : Instant.ofEpochMilli(t.getTime()).atZone(cal.getTimeZone().toZoneId()).toLocalTime();
    }
    if (v instanceof LocalDateTime t) {
      return t.toLocalTime();
    }
    if (v instanceof String s) {
      try {
        return LocalTime.parse(s.trim());
      } catch (java.time.format.DateTimeParseException e) {
        // fall through to the error below
      }
    }
    throw SqlErrors.of(VeilError.DATATYPE_MISMATCH,
        "cannot bind the value for encrypted column "
        + column.qualifiedName() + " as a time");
  }

  private static LocalDateTime toLocalDateTime(Object v, Calendar cal, ColumnPolicy column)
      throws SQLException {
    if (v instanceof LocalDateTime t) {
      return t;
    }
    if (v instanceof java.sql.Timestamp t) {
      return cal == null ? t.toLocalDateTime()
          : t.toInstant().atZone(cal.getTimeZone().toZoneId()).toLocalDateTime();
    }
    if (v instanceof java.util.Date d) {
      return LocalDateTime.ofInstant(d.toInstant(), java.time.ZoneId.systemDefault());
    }
    if (v instanceof LocalDate d) {
      return d.atStartOfDay();
    }
    if (v instanceof String s) {
      try {
        return LocalDateTime.parse(s.trim().replace(' ', 'T'));
      } catch (java.time.format.DateTimeParseException e) {
        // fall through to the error below
      }
    }
    throw SqlErrors.of(VeilError.DATATYPE_MISMATCH,
        "cannot bind the value for encrypted column " + column.qualifiedName()
        + " as a timestamp");
  }

  private static OffsetDateTime toOffsetDateTime(Object v, ColumnPolicy column)
      throws SQLException {
    if (v instanceof OffsetDateTime t) {
      return t;
    }
    if (v instanceof Instant i) {
      return i.atOffset(ZoneOffset.UTC);
    }
    if (v instanceof ZonedDateTime z) {
      return z.toOffsetDateTime();
    }
    if (v instanceof java.sql.Timestamp t) {
      return t.toInstant().atOffset(ZoneOffset.UTC);
    }
    throw SqlErrors.of(VeilError.DATATYPE_MISMATCH,
        "cannot bind the value for encrypted column " + column.qualifiedName()
        + " as a timestamp with time zone");
  }
}
