package org.veil.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Names the table that a class's {@link Encrypted} members live in. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EncryptedTable {

  /** The table name, unquoted; case as PostgreSQL stores it (usually lower case). */
  String name();

  /** The schema; {@code public} when empty. */
  String schema() default "";
}
