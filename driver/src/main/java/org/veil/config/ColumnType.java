package org.veil.config;

import java.math.BigDecimal;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.UUID;

/**
 * The type an encrypted column's values have for the application, which its physical
 * {@code bytea} or {@code text} hides: what {@code ResultSetMetaData} reports for it. Declared
 * with {@code :type=} in {@code veil.columns}, or taken from the Java type of an
 * {@code @Encrypted} member; {@link #TEXT} when neither says.
 */
public enum ColumnType {
  TEXT("text", Types.VARCHAR, String.class),
  BYTEA("bytea", Types.BINARY, byte[].class),
  INT2("int2", Types.SMALLINT, Integer.class),
  INT4("int4", Types.INTEGER, Integer.class),
  INT8("int8", Types.BIGINT, Long.class),
  NUMERIC("numeric", Types.NUMERIC, BigDecimal.class),
  FLOAT4("float4", Types.REAL, Float.class),
  FLOAT8("float8", Types.DOUBLE, Double.class),
  BOOL("bool", Types.BIT, Boolean.class),
  DATE("date", Types.DATE, java.sql.Date.class),
  TIME("time", Types.TIME, java.sql.Time.class),
  TIMESTAMP("timestamp", Types.TIMESTAMP, java.sql.Timestamp.class),
  TIMESTAMPTZ("timestamptz", Types.TIMESTAMP, java.sql.Timestamp.class),
  UUID_TYPE("uuid", Types.OTHER, UUID.class),
  JSONB("jsonb", Types.OTHER, String.class);

  private final String typeName;
  private final int jdbcType;
  private final Class<?> javaClass;

  ColumnType(String typeName, int jdbcType, Class<?> javaClass) {
    this.typeName = typeName;
    this.jdbcType = jdbcType;
    this.javaClass = javaClass;
  }

  /** The PostgreSQL type name, as pgjdbc's {@code getColumnTypeName} gives it. */
  public String typeName() {
    return typeName;
  }

  /** The {@link Types} constant pgjdbc reports for the type. */
  public int jdbcType() {
    return jdbcType;
  }

  /** The class {@code getObject} returns, as pgjdbc's {@code getColumnClassName} names it. */
  public String javaClassName() {
    return javaClass.getName();
  }

  /** The type named {@code name} (PostgreSQL names and common aliases), or null. */
  public static ColumnType forName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    switch (n) {
      case "varchar": case "string":
        return TEXT;
      case "smallint":
        return INT2;
      case "int": case "integer":
        return INT4;
      case "bigint": case "long":
        return INT8;
      case "decimal":
        return NUMERIC;
      case "real": case "float":
        return FLOAT4;
      case "double": case "double precision":
        return FLOAT8;
      case "boolean":
        return BOOL;
      case "json":
        return JSONB;
      default:
        for (ColumnType t : values()) {
          if (t.typeName.equals(n)) {
            return t;
          }
        }
        return null;
    }
  }

  /** The type of values of Java class {@code type}, or null when it has no obvious one. */
  public static ColumnType forJavaType(Class<?> type) {
    if (type == String.class || type == char[].class || type == Character.class) {
      return TEXT;
    }
    if (type == byte[].class) {
      return BYTEA;
    }
    if (type == short.class || type == Short.class || type == byte.class || type == Byte.class) {
      return INT2;
    }
    if (type == int.class || type == Integer.class) {
      return INT4;
    }
    if (type == long.class || type == Long.class) {
      return INT8;
    }
    if (type == BigDecimal.class || type == java.math.BigInteger.class) {
      return NUMERIC;
    }
    if (type == float.class || type == Float.class) {
      return FLOAT4;
    }
    if (type == double.class || type == Double.class) {
      return FLOAT8;
    }
    if (type == boolean.class || type == Boolean.class) {
      return BOOL;
    }
    if (type == LocalDate.class || type == java.sql.Date.class) {
      return DATE;
    }
    if (type == LocalTime.class || type == java.sql.Time.class) {
      return TIME;
    }
    if (type == LocalDateTime.class || type == java.sql.Timestamp.class) {
      return TIMESTAMP;
    }
    if (type == OffsetDateTime.class || type == Instant.class || type == ZonedDateTime.class) {
      return TIMESTAMPTZ;
    }
    if (type == UUID.class) {
      return UUID_TYPE;
    }
    return null;
  }
}
