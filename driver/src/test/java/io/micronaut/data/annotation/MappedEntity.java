package io.micronaut.data.annotation;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Test stand-in for Micronaut Data's {@code @MappedEntity}: same name, the attributes read. */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
public @interface MappedEntity {
  String value() default "";

  String schema() default "";

  boolean escape() default true;
}
