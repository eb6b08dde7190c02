package org.springframework.data.relational.core.mapping;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Test stand-in for Spring Data Relational's {@code @Table}: same name, same attributes. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Table {
  String value() default "";

  String name() default "";

  String schema() default "";
}
