package org.veil.crypto;

/**
 * An opened cell: the value's type and the value itself ({@link ValueType#javaType()}).
 * {@link #toString()} never shows the value.
 *
 * @param type the type the value was sealed as
 * @param value the value: String, byte[], Short, Integer, Long, BigDecimal, Boolean, Float,
 *     Double, LocalDate, LocalTime, LocalDateTime, OffsetDateTime or UUID
 */
public record Opened(ValueType type, Object value) {
  @Override
  public String toString() {
    return "Opened[" + type + "]";
  }
}
