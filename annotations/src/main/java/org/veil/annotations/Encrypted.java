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
