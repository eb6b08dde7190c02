package org.veil.jdbc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Calendar;
import java.util.HexFormat;
import java.util.UUID;
import org.veil.config.ColumnPolicy;
import org.veil.error.VeilError;

/**
 * Turns an opened value into what a {@code ResultSet} getter returns, the way pgjdbc converts
 * the column type the value came from: {@code getString} of a number is its text,
 * {@code getObject} of a date is a {@link java.sql.Date}, {@code getInt} of a text that is not a
 * number fails.
 *
 * <p>Error messages name the column and the target type, never the value.
 */
final class ValueConversions {

  private static final DateTimeFormatter TIMESTAMP_TEXT = new DateTimeFormatterBuilder()
      .appendPattern("yyyy-MM-dd HH:mm:ss")
      .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
      .toFormatter();

  private ValueConversions() {}

  /** What {@code getObject(i)} returns for the value, as pgjdbc would for its column type. */
  static Object toJdbcObject(Object value) {
    if (value instanceof Short s) {
      return s.intValue();
    }
    if (value instanceof LocalDate d) {
      return Date.valueOf(d);
    }
    if (value instanceof LocalTime t) {
      return Time.valueOf(t);
    }
    if (value instanceof LocalDateTime t) {
      return Timestamp.valueOf(t);
    }
    if (value instanceof OffsetDateTime t) {
      return Timestamp.from(t.toInstant());
    }
    return value;
  }

  static String toString(Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof byte[] bytes) {
      return "\\x" + HexFormat.of().formatHex(bytes);
    }
    if (value instanceof Boolean b) {
      return b ? "t" : "f";
    }
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (value instanceof LocalDateTime t) {
      return TIMESTAMP_TEXT.format(t);
    }
    if (value instanceof OffsetDateTime t) {
      return TIMESTAMP_TEXT.format(t.withOffsetSameInstant(ZoneOffset.UTC)) + "+00";
    }
    return value.toString();
  }

  static long toLong(Object value, ColumnPolicy column, long min, long max, String type)
      throws SQLException {
    long result;
    if (value instanceof Long || value instanceof Integer || value instanceof Short) {
      result = ((Number) value).longValue();
    } else if (value instanceof Boolean b) {
      result = b ? 1 : 0;
    } else {
      BigDecimal d = toBigDecimal(value, column);
      try {
        result = d.setScale(0, java.math.RoundingMode.DOWN).longValueExact();
      } catch (ArithmeticException e) {
        throw bad(column, type);
      }
    }
    if (result < min || result > max) {
      throw bad(column, type);
    }
    return result;
  }

  static BigDecimal toBigDecimal(Object value, ColumnPolicy column) throws SQLException {
    if (value instanceof BigDecimal d) {
      return d;
    }
    if (value instanceof Long || value instanceof Integer || value instanceof Short) {
      return BigDecimal.valueOf(((Number) value).longValue());
    }
    if (value instanceof Double || value instanceof Float) {
      return new BigDecimal(value.toString());
    }
    if (value instanceof BigInteger i) {
      return new BigDecimal(i);
    }
    if (value instanceof String s) {
      try {
        return new BigDecimal(s.trim());
      } catch (NumberFormatException e) {
        throw bad(column, "numeric");
      }
    }
    throw bad(column, "numeric");
  }

  static double toDouble(Object value, ColumnPolicy column) throws SQLException {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        throw bad(column, "double");
      }
    }
    if (value instanceof Boolean b) {
      return b ? 1 : 0;
    }
    throw bad(column, "double");
  }

  static boolean toBoolean(Object value, ColumnPolicy column) throws SQLException {
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof Number n) {
      return n.doubleValue() != 0;
    }
    if (value instanceof String s) {
      switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "t": case "true": case "1": case "y": case "yes": case "on":
          return true;
        case "f": case "false": case "0": case "n": case "no": case "off":
          return false;
        default:
          throw bad(column, "boolean");
      }
    }
    throw bad(column, "boolean");
  }

  static byte[] toBytes(Object value) {
    if (value instanceof byte[] bytes) {
      return bytes.clone();
    }
    return toString(value).getBytes(StandardCharsets.UTF_8);
  }

  static Date toDate(Object value, Calendar calendar, ColumnPolicy column) throws SQLException {
    if (value instanceof LocalDate d) {
      return calendar == null ? Date.valueOf(d) : new Date(atStartOfDay(d, calendar));
    }
    if (value instanceof LocalDateTime t) {
      return toDate(t.toLocalDate(), calendar, column);
    }
    if (value instanceof OffsetDateTime t) {
      return new Date(t.toInstant().toEpochMilli());
    }
    if (value instanceof String s) {
      try {
        return toDate(LocalDate.parse(s.trim()), calendar, column);
      } catch (java.time.format.DateTimeParseException e) {
        throw bad(column, "date");
      }
    }
    throw bad(column, "date");
  }

  static Time toTime(Object value, Calendar calendar, ColumnPolicy column) throws SQLException {
    if (value instanceof LocalTime t) {
      if (calendar == null) {
        return Time.valueOf(t);
      }
      return new Time(LocalDate.of(1970, 1, 1).atTime(t)
          .atZone(calendar.getTimeZone().toZoneId()).toInstant().toEpochMilli());
    }
    if (value instanceof LocalDateTime t) {
      return toTime(t.toLocalTime(), calendar, column);
    }
    if (value instanceof OffsetTime t) {
      return new Time(t.atDate(LocalDate.of(1970, 1, 1)).toInstant().toEpochMilli());
    }
    if (value instanceof OffsetDateTime t) {
      return new Time(t.toInstant().toEpochMilli());
    }
    throw bad(column, "time");
  }

  static Timestamp toTimestamp(Object value, Calendar calendar, ColumnPolicy column)
      throws SQLException {
    if (value instanceof LocalDateTime t) {
      if (calendar == null) {
        return Timestamp.valueOf(t);
      }
      Instant at = t.atZone(calendar.getTimeZone().toZoneId()).toInstant();
      return Timestamp.from(at);
    }
    if (value instanceof OffsetDateTime t) {
      return Timestamp.from(t.toInstant());
    }
    if (value instanceof LocalDate d) {
      return toTimestamp(d.atStartOfDay(), calendar, column);
    }
    throw bad(column, "timestamp");
  }

  /** {@code getObject(i, type)}: the value as {@code type}, converting as pgjdbc would. */
  static <T> T toType(Object value, Class<T> type, ColumnPolicy column) throws SQLException {
    if (type.isInstance(value)) {
      return type.cast(value);
    }
    Object result;
    if (type == String.class) {
      result = toString(value);
    } else if (type == Integer.class) {
      result = (int) toLong(value, column, Integer.MIN_VALUE, Integer.MAX_VALUE, "int");
    } else if (type == Long.class) {
      result = toLong(value, column, Long.MIN_VALUE, Long.MAX_VALUE, "long");
    } else if (type == Short.class) {
      result = (short) toLong(value, column, Short.MIN_VALUE, Short.MAX_VALUE, "short");
    } else if (type == BigDecimal.class) {
      result = toBigDecimal(value, column);
    } else if (type == Double.class) {
      result = toDouble(value, column);
    } else if (type == Float.class) {
      result = (float) toDouble(value, column);
    } else if (type == Boolean.class) {
      result = toBoolean(value, column);
    } else if (type == byte[].class) {
      result = toBytes(value);
    } else if (type == LocalDate.class && value instanceof LocalDateTime t) {
      result = t.toLocalDate();
    } else if (type == LocalDateTime.class && value instanceof OffsetDateTime t) {
      result = t.atZoneSameInstant(java.time.ZoneId.systemDefault()).toLocalDateTime();
    } else if (type == OffsetDateTime.class && value instanceof LocalDateTime t) {
      result = t.atOffset(ZoneOffset.UTC);
    } else if (type == Instant.class && value instanceof OffsetDateTime t) {
      result = t.toInstant();
    } else if (type == Date.class) {
      result = toDate(value, null, column);
    } else if (type == Time.class) {
      result = toTime(value, null, column);
    } else if (type == Timestamp.class) {
      result = toTimestamp(value, null, column);
    } else if (type == UUID.class && value instanceof String s) {
      try {
        result = UUID.fromString(s.trim());
      } catch (IllegalArgumentException e) {
        throw bad(column, "uuid");
      }
    } else {
      throw SqlErrors.of(VeilError.DATATYPE_MISMATCH,
          "cannot convert the value of encrypted column "
          + column.qualifiedName() + " to "
          + type.getName());
    }
    return type.cast(result);
  }

  private static long atStartOfDay(LocalDate d, Calendar calendar) {
    return d.atStartOfDay(calendar.getTimeZone().toZoneId()).toInstant().toEpochMilli();
  }

  private static SQLException bad(ColumnPolicy column, String type) {
    return SqlErrors.of(VeilError.INVALID_VALUE,
        "the value of encrypted column " + column.qualifiedName()
        + " is not a valid " + type);
  }
}
