package org.veil.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field, record component or getter whose column Veil encrypts on the client.
 *
 * <p>The column name is {@link #column()} when set, else the one the class's mapping library
 * gives on the same property (JPA or Spring Data {@code @Column}, Micronaut
 * {@code @MappedProperty}, MyBatis-Plus {@code @TableField}), else the snake_case form of the
 * Java name. The table comes from {@link EncryptedTable} on the class, else the mapping
 * library's table annotation ({@code @Table}, {@code @MappedEntity}, {@code @TableName}), else
 * the snake_case class name when one of those or JPA's {@code @Entity} marks the class as an
 * entity; a class that nothing names or marks is refused when Veil connects.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.RECORD_COMPONENT})
public @interface Encrypted {

  /** How equal values are sealed. */
  Mode mode() default Mode.RANDOMIZED;

  /** The column name, when it differs from what the Java name gives. */
  String column() default "";

  /**
   * The encryption context bound into each cell (default {@code schema.table.column}). Two
   * columns with the same context can hold each other's cells; set it only on purpose.
   */
  String context() default "";

  /**
   * The column of the same table whose value binds each cell to its row ({@code :bind=} in
   * {@code veil.columns}): the cell's associated data holds that column's value in the row, so a
   * cell copied to another row does not open. A Java property of the class may be named
   * instead, for the column its mapping gives it. Empty (the default) for no row binding.
   *
   * <p>Writes of the column must then give the binding column's value in the same statement,
   * and reads must select it; only randomized columns can be bound, to a plaintext column of
   * type {@code smallint}, {@code integer}, {@code bigint}, {@code text}, {@code varchar} or
   * {@code uuid}. Warning: it does not stop an older cell of the same row, with the same binding
   * value, from being put back.
   */
  String bind() default "";

  /** How a column is sealed. */
  enum Mode {
    /**
     * A fresh data key and IV for every value: equal plaintexts give unrelated ciphertexts.
     * The column can be written and read, but not searched or compared in SQL.
     */
    RANDOMIZED,
    /**
     * AES-SIV: equal plaintexts give equal ciphertexts, so {@code WHERE col = ?} and
     * {@code IN} work. Warning: this reveals which rows hold equal values.
     */
    DETERMINISTIC
  }
}
