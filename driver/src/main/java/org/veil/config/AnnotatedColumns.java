package org.veil.config;

import io.github.classgraph.ClassGraph;
import io.github.classgraph.ScanResult;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.veil.annotations.Encrypted;
import org.veil.annotations.EncryptedTable;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/**
 * Encrypted columns named by {@link Encrypted} annotations on application classes.
 *
 * <p>The table is {@link EncryptedTable} on the class, else JPA's {@code @Table} (read by name,
 * so neither Jakarta nor javax persistence is needed on the class path), else the snake_case
 * class name. The column is {@link Encrypted#column()}, else JPA's {@code @Column(name)} on the
 * same member, else the snake_case member name ({@code getSsnNumber()} is {@code ssn_number}).
 * Fields of superclasses count, so a {@code @MappedSuperclass} works.
 */
final class AnnotatedColumns {

  private AnnotatedColumns() {}

  /** The classes named in {@code veil.annotatedClasses}. */
  static List<Class<?>> load(String classNames, ClassLoader loader) throws VeilException {
    List<Class<?>> classes = new ArrayList<>();
    for (String name : VeilProperty.splitList(classNames)) {
      try {
        classes.add(Class.forName(name, false, loader));
      } catch (ClassNotFoundException | LinkageError e) {
        throw new VeilException(VeilError.INVALID_CONFIGURATION,
            "veil.annotatedClasses names " + name + ", which cannot be"
            + " loaded: " + e, e);
      }
    }
    return classes;
  }

  /** Classes under the packages in {@code veil.scanPackages} with an {@code @Encrypted} member. */
  static List<Class<?>> scan(String packages, ClassLoader loader) {
    List<String> names = VeilProperty.splitList(packages);
    if (names.isEmpty()) {
      return List.of();
    }
    Set<Class<?>> classes = new LinkedHashSet<>();
    try (ScanResult scan = new ClassGraph().overrideClassLoaders(loader)
        .acceptPackages(names.toArray(new String[0]))
        .enableFieldInfo().enableMethodInfo().enableAnnotationInfo().ignoreFieldVisibility()
        .ignoreMethodVisibility().scan()) {
      String encrypted = Encrypted.class.getName();
      classes.addAll(scan.getClassesWithFieldAnnotation(encrypted).loadClasses());
      classes.addAll(scan.getClassesWithMethodAnnotation(encrypted).loadClasses());
    }
    return List.copyOf(classes);
  }

  /** The encrypted columns the annotations on {@code type} (and its superclasses) name. */
  static List<VeilConfig.NamedColumn> of(Class<?> type) {
    String[] table = tableOf(type);
    List<VeilConfig.NamedColumn> found = new ArrayList<>();
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        add(found, type, table, field, field.getName(), field.getType());
      }
      for (Method method : c.getDeclaredMethods()) {
        add(found, type, table, method, propertyName(method.getName()), method.getReturnType());
      }
    }
    if (type.isRecord()) {
      for (RecordComponent component : type.getRecordComponents()) {
        add(found, type, table, component, component.getName(), component.getType());
      }
    }
    return found;
  }

  private static void add(List<VeilConfig.NamedColumn> found, Class<?> type, String[] table,
      AnnotatedElement member, String javaName, Class<?> javaType) {
    Encrypted encrypted = member.getAnnotation(Encrypted.class);
    if (encrypted == null) {
      return;
    }
    String column = !encrypted.column().isEmpty() ? encrypted.column()
        : jpaAttribute(member, "Column", "name").orElse(snakeCase(javaName));
    EncryptionMode mode = encrypted.mode() == Encrypted.Mode.DETERMINISTIC
        ? EncryptionMode.DETERMINISTIC : EncryptionMode.RANDOMIZED;
    ColumnPolicy p = ColumnPolicy.of(table[0], table[1], column, mode);
    if (!encrypted.context().isEmpty()) {
      p = new ColumnPolicy(p.schema(), p.table(), p.column(), mode, encrypted.context());
    }
    found.add(new VeilConfig.NamedColumn(p, ColumnType.forJavaType(javaType),
        "@Encrypted on " + type.getName() + "." + javaName));
  }

  /** {schema, table} for a class. */
  private static String[] tableOf(Class<?> type) {
    EncryptedTable veil = type.getAnnotation(EncryptedTable.class);
    if (veil != null) {
      return new String[] {veil.schema().isEmpty() ? EncryptedColumns.DEFAULT_SCHEMA
          : veil.schema(), veil.name()};
    }
    String name = jpaAttribute(type, "Table", "name").orElse(snakeCase(type.getSimpleName()));
    String schema = jpaAttribute(type, "Table", "schema").orElse(EncryptedColumns.DEFAULT_SCHEMA);
    return new String[] {schema, name};
  }

  /** A non-empty attribute of jakarta.persistence.X or javax.persistence.X on {@code element}. */
  private static java.util.Optional<String> jpaAttribute(AnnotatedElement element,
      String annotation, String attribute) {
    for (Annotation a : element.getAnnotations()) {
      String name = a.annotationType().getName();
      if (name.equals("jakarta.persistence." + annotation)
          || name.equals("javax.persistence." + annotation)) {
        try {
          Object value = a.annotationType().getMethod(attribute).invoke(a);
          if (value instanceof String s && !s.isEmpty()) {
            return java.util.Optional.of(s);
          }
        } catch (ReflectiveOperationException e) {
          return java.util.Optional.empty();
        }
      }
    }
    return java.util.Optional.empty();
  }

  private static String propertyName(String methodName) {
    for (String prefix : new String[] {"get", "is"}) {
      if (methodName.startsWith(prefix) && methodName.length() > prefix.length()
          && Character.isUpperCase(methodName.charAt(prefix.length()))) {
        String rest = methodName.substring(prefix.length());
        return Character.toLowerCase(rest.charAt(0)) + rest.substring(1);
      }
    }
    return methodName;
  }

  /** {@code CustomerAccount} → {@code customer_account}, {@code ssnNumber} → {@code ssn_number}. */
  static String snakeCase(String javaName) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < javaName.length(); i++) {
      char ch = javaName.charAt(i);
      if (Character.isUpperCase(ch)) {
        boolean afterLower = i > 0 && !Character.isUpperCase(javaName.charAt(i - 1));
        boolean beforeLower = i + 1 < javaName.length()
            && Character.isLowerCase(javaName.charAt(i + 1)) && i > 0;
        if (afterLower || beforeLower) {
          sb.append('_');
        }
        sb.append(Character.toLowerCase(ch));
      } else {
        sb.append(ch);
      }
    }
    return sb.toString().toLowerCase(Locale.ROOT);
  }
}
