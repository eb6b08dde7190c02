package org.veil.crypto;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.UUID;

/**
 * The Java type of a sealed value, stored in the cell (one byte) so that reading it gives back
 * what was written: {@link #encode} turns a value into the plaintext bytes that are sealed,
 * {@link #decode} turns them back. Encodings are fixed-width big-endian unless noted; they are
 * part of the frozen cell format (docs/FORMAT.md).
 *
 * <p>Error messages name types, never values.
 */
public enum ValueType {
  /** {@link String}, UTF-8. */
  TEXT(1, String.class),
  /** {@code byte[]}, as is. */
  BYTES(2, byte[].class),
  /** {@link Short}, 2 bytes. */
  SHORT(3, Short.class),
  /** {@link Integer}, 4 bytes. */
  INT(4, Integer.class),
  /** {@link Long}, 8 bytes. */
  LONG(5, Long.class),
  /** {@link BigDecimal} with its exact scale: scale (4 bytes) then the unscaled two's complement. */
  NUMERIC(6, BigDecimal.class),
  /** {@link Boolean}, 1 byte: 0 or 1. */
  BOOLEAN(7, Boolean.class),
  /** {@link Float}, IEEE 754 raw bits, 4 bytes. */
  FLOAT(8, Float.class),
  /** {@link Double}, IEEE 754 raw bits, 8 bytes. */
  DOUBLE(9, Double.class),
  /** {@link LocalDate}: epoch day, 8 bytes. */
  DATE(10, LocalDate.class),
  /** {@link LocalTime}: nano of day, 8 bytes. */
  TIME(11, LocalTime.class),
  /** {@link LocalDateTime}: epoch second as if UTC (8 bytes), nano (4 bytes). */
  TIMESTAMP(12, LocalDateTime.class),
  /** {@link OffsetDateTime}: epoch second (8), nano (4), offset seconds (4). */
  TIMESTAMPTZ(13, OffsetDateTime.class),
  /** {@link UUID}: 16 bytes. */
  UUID(14, java.util.UUID.class),
  /** JSON text as {@link String}, UTF-8. */
  JSON(15, String.class);

  private static final ValueType[] BY_CODE = new ValueType[16];

  static {
    for (ValueType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  private final int code;
  private final Class<?> javaType;

  ValueType(int code, Class<?> javaType) {
    this.code = code;
    this.javaType = javaType;
  }

  /** The byte stored in the cell. */
  public int code() {
    return code;
  }

  /** The class {@link #decode} returns. */
  public Class<?> javaType() {
    return javaType;
  }

  /** The type for a cell's type byte, or null when no type has that code. */
  public static ValueType ofCode(int code) {
    return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }

  /** The natural type of a Java value ({@code String} is {@link #TEXT}), or null if none fits. */
  public static ValueType of(Object value) {
    if (value instanceof String) {
      return TEXT;
    } else if (value instanceof byte[]) {
      return BYTES;
    } else if (value instanceof Short) {
      return SHORT;
    } else if (value instanceof Integer) {
      return INT;
    } else if (value instanceof Long) {
      return LONG;
    } else if (value instanceof BigDecimal) {
      return NUMERIC;
    } else if (value instanceof Boolean) {
      return BOOLEAN;
    } else if (value instanceof Float) {
      return FLOAT;
    } else if (value instanceof Double) {
      return DOUBLE;
    } else if (value instanceof LocalDate) {
      return DATE;
    } else if (value instanceof LocalTime) {
      return TIME;
    } else if (value instanceof LocalDateTime) {
      return TIMESTAMP;
    } else if (value instanceof OffsetDateTime) {
      return TIMESTAMPTZ;
    } else if (value instanceof java.util.UUID) {
      return UUID;
    }
    return null;
  }

  /**
   * The plaintext bytes of {@code value}.
   *
   * @throws IllegalArgumentException when {@code value} is null or not of {@link #javaType()}
   *     (the message names the classes, not the value)
   */
  public byte[] encode(Object value) {
    if (!javaType.isInstance(value)) {
      throw new IllegalArgumentException(name() + " values are " + javaType.getSimpleName()
          + ", not " + (value == null ? "null" : value.getClass().getName()));
    }
    switch (this) {
      case TEXT:
      case JSON:
        return ((String) value).getBytes(StandardCharsets.UTF_8);
      case BYTES:
        return ((byte[]) value).clone();
      case SHORT:
        return putLong(new byte[2], 0, (Short) value, 2);
      case INT:
        return putLong(new byte[4], 0, (Integer) value, 4);
      case LONG:
        return putLong(new byte[8], 0, (Long) value, 8);
      case NUMERIC: {
        BigDecimal d = (BigDecimal) value;
        byte[] unscaled = d.unscaledValue().toByteArray();
        byte[] out = new byte[4 + unscaled.length];
        putLong(out, 0, d.scale(), 4);
        System.arraycopy(unscaled, 0, out, 4, unscaled.length);
        return out;
      }
      case BOOLEAN:
        return new byte[] {(byte) ((Boolean) value ? 1 : 0)};
      case FLOAT:
        return putLong(new byte[4], 0, Float.floatToRawIntBits((Float) value), 4);
      case DOUBLE:
        return putLong(new byte[8], 0, Double.doubleToRawLongBits((Double) value), 8);
      case DATE:
        return putLong(new byte[8], 0, ((LocalDate) value).toEpochDay(), 8);
      case TIME:
        return putLong(new byte[8], 0, ((LocalTime) value).toNanoOfDay(), 8);
      case TIMESTAMP: {
        LocalDateTime t = (LocalDateTime) value;
        byte[] out = new byte[12];
        putLong(out, 0, t.toEpochSecond(ZoneOffset.UTC), 8);
        putLong(out, 8, t.getNano(), 4);
        return out;
      }
      case TIMESTAMPTZ: {
        OffsetDateTime t = (OffsetDateTime) value;
        byte[] out = new byte[16];
        putLong(out, 0, t.toEpochSecond(), 8);
        putLong(out, 8, t.getNano(), 4);
        putLong(out, 12, t.getOffset().getTotalSeconds(), 4);
        return out;
      }
      case UUID: {
        java.util.UUID u = (java.util.UUID) value;
        byte[] out = new byte[16];
        putLong(out, 0, u.getMostSignificantBits(), 8);
        putLong(out, 8, u.getLeastSignificantBits(), 8);
        return out;
      }
      default:
        throw new AssertionError(this);
    }
  }

  /**
   * The value that {@link #encode} turned into {@code bytes[0, length)}: as {@link #decode(byte[])}
   * of those bytes, except that text is decoded where it lies (no copy of a large value first).
   * The value never shares {@code bytes}, unless {@code length} is their length and the type is
   * {@link #BYTES}.
   *
   * @throws IllegalArgumentException when the bytes have the wrong length for this type
   */
  public Object decode(byte[] bytes, int length) {
    if (length == bytes.length) {
      return decode(bytes);
    }
    if (this == TEXT || this == JSON) {
      return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
    byte[] exact = Arrays.copyOf(bytes, length);
    if (this == BYTES) {
      return exact;
    }
    try {
      return decode(exact);
    } finally {
      Arrays.fill(exact, (byte) 0); // a plaintext, decoded into a value of its own
    }
  }

  /**
   * The value that {@link #encode} turned into {@code bytes}.
   *
   * @throws IllegalArgumentException when the bytes have the wrong length for this type
   */
  public Object decode(byte[] bytes) {
    switch (this) {
      case TEXT:
      case JSON:
        return new String(bytes, StandardCharsets.UTF_8);
      case BYTES:
        return bytes;
      case SHORT:
        return (short) getLong(bytes, 0, 2, 2);
      case INT:
        return (int) getLong(bytes, 0, 4, 4);
      case LONG:
        return getLong(bytes, 0, 8, 8);
      case NUMERIC:
        if (bytes.length < 5) {
          throw wrongLength(bytes.length);
        }
        return new BigDecimal(new BigInteger(bytes, 4, bytes.length - 4),
            (int) getLong(bytes, 0, 4, -1));
      case BOOLEAN:
        if (bytes.length != 1 || (bytes[0] & 0xfe) != 0) {
          throw wrongLength(bytes.length);
        }
        return bytes[0] == 1;
      case FLOAT:
        return Float.intBitsToFloat((int) getLong(bytes, 0, 4, 4));
      case DOUBLE:
        return Double.longBitsToDouble(getLong(bytes, 0, 8, 8));
      case DATE:
        return LocalDate.ofEpochDay(getLong(bytes, 0, 8, 8));
      case TIME:
        return LocalTime.ofNanoOfDay(getLong(bytes, 0, 8, 8));
      case TIMESTAMP:
        checkLength(bytes, 12);
        return LocalDateTime.ofEpochSecond(getLong(bytes, 0, 8, -1),
            (int) getLong(bytes, 8, 4, -1), ZoneOffset.UTC);
      case TIMESTAMPTZ: {
        checkLength(bytes, 16);
        ZoneOffset offset = ZoneOffset.ofTotalSeconds((int) getLong(bytes, 12, 4, -1));
        return OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(getLong(bytes, 0, 8, -1),
            (int) getLong(bytes, 8, 4, -1)), offset);
      }
      case UUID:
        checkLength(bytes, 16);
        return new java.util.UUID(getLong(bytes, 0, 8, -1), getLong(bytes, 8, 8, -1));
      default:
        throw new AssertionError(this);
    }
  }

  private void checkLength(byte[] bytes, int expected) {
    if (bytes.length != expected) {
      throw wrongLength(bytes.length);
    }
  }

  private IllegalArgumentException wrongLength(int length) {
    return new IllegalArgumentException("a " + name() + " value cannot be " + length + " bytes");
  }

  private static byte[] putLong(byte[] out, int offset, long value, int width) {
    for (int i = 0; i < width; i++) {
      out[offset + i] = (byte) (value >>> (8 * (width - 1 - i)));
    }
    return out;
  }

  /** Reads a big-endian signed value; {@code expectedLength} -1 skips the length check. */
  private long getLong(byte[] in, int offset, int width, int expectedLength) {
    if (expectedLength >= 0 && in.length != expectedLength) {
      throw wrongLength(in.length);
    }
    long v = in[offset]; // sign-extends the first byte
    for (int i = 1; i < width; i++) {
      v = (v << 8) | (in[offset + i] & 0xff);
    }
    return v;
  }
}
