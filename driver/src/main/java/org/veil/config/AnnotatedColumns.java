package org.veil.config;

import io.github.classgraph.ClassGraph;
import io.github.classgraph.ScanResult;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.veil.annotations.Encrypted;
import org.veil.annotations.EncryptedTable;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/**
 * Encrypted columns named by {@link Encrypted} annotations on application classes.
 *
 * <p>The table is {@link EncryptedTable} on the class; else the table that the class's mapping
 * annotation names: Jakarta or javax Persistence {@code @Table(name, schema)}, Spring Data
 * Relational {@code @Table(value | name, schema)}, Micronaut Data
 * {@code @MappedEntity(value, schema)}, MyBatis-Plus {@code @TableName(value, schema)}. They are
 * read by type name, so none of those libraries is needed on the class path. A class that one of
 * them marks as an entity without naming its table ({@code @Entity}, {@code @Table} without a
 * name, {@code @MappedEntity}) maps to the snake_case class name, as Spring's and Micronaut's
 * default naming strategies have it ({@code CustomerOrder} is {@code customer_order}). A class
 * with {@code @Encrypted} members and none of these is refused: Veil would have to guess, and a
 * wrong guess sends its values unsealed.
 *
 * <p>The column is {@link Encrypted#column()}; else what the mapping annotation on the same
 * property (its field, getter or record component) names: {@code @Column(name)} (JPA),
 * {@code @Column(value)} (Spring Data), {@code @MappedProperty(value)} (Micronaut),
 * {@code @TableField(value)} (MyBatis-Plus); else the snake_case property name
 * ({@code getSsnNumber()} is {@code ssn_number}). A JPA {@code @Column(table = …)} puts the
 * column in that secondary table. Two annotations that name different tables or columns are
 * refused. Properties of superclasses count, so a {@code @MappedSuperclass} works.
 */
final class AnnotatedColumns {

  /**
   * An annotation that names a table or a column: its type name, the attributes that may hold
   * the name (the first non-empty one wins) and the one that holds the schema (null for none).
   */
  private record Naming(String type, List<String> nameAttributes, String schemaAttribute) {}

  private static final List<Naming> TABLES = List.of(
      new Naming("jakarta.persistence.Table", List.of("name"), "schema"),
      new Naming("javax.persistence.Table", List.of("name"), "schema"),
      new Naming("org.springframework.data.relational.core.mapping.Table",
          List.of("value", "name"), "schema"),
      new Naming("io.micronaut.data.annotation.MappedEntity", List.of("value"), "schema"),
      new Naming("com.baomidou.mybatisplus.annotation.TableName", List.of("value"), "schema"));

  /** Annotations that make a class an entity whose table, when unnamed, is its snake_case name. */
  private static final Set<String> ENTITY_MARKERS = Set.of(
      "jakarta.persistence.Entity", "javax.persistence.Entity");

  private static final List<Naming> COLUMNS = List.of(
      new Naming("jakarta.persistence.Column", List.of("name"), null),
      new Naming("javax.persistence.Column", List.of("name"), null),
      new Naming("org.springframework.data.relational.core.mapping.Column",
          List.of("value", "name"), null),
      new Naming("io.micronaut.data.annotation.MappedProperty", List.of("value"), null),
      new Naming("com.baomidou.mybatisplus.annotation.TableField", List.of("value"), null));

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

  /**
   * The encrypted columns the annotations on {@code type} (and its superclasses) name.
   *
   * @throws VeilException when {@code type} has {@code @Encrypted} members but nothing names or
   *     marks its table, or two annotations name different tables or columns
   */
  static List<VeilConfig.NamedColumn> of(Class<?> type) throws VeilException {
    Map<String, Property> properties = properties(type);
    if (properties.values().stream().noneMatch(p -> p.encrypted != null)) {
      return List.of();
    }
    String[] table = tableOf(type);
    Set<String> entityNames = entityNames(type, table[1]);
    List<VeilConfig.NamedColumn> found = new ArrayList<>();
    for (Property property : properties.values()) {
      Encrypted encrypted = property.encrypted;
      if (encrypted == null) {
        continue;
      }
      String source = "@Encrypted on " + type.getName() + "." + property.name;
      String[] where = columnOf(property, table, source);
      EncryptionMode mode = encrypted.mode() == Encrypted.Mode.DETERMINISTIC
          ? EncryptionMode.DETERMINISTIC : EncryptionMode.RANDOMIZED;
      ColumnPolicy p = ColumnPolicy.of(where[0], where[1], where[2], mode);
      if (!encrypted.context().isEmpty()) {
        p = new ColumnPolicy(p.schema(), p.table(), p.column(), mode, encrypted.context());
      }
      if (!encrypted.bind().isBlank()) {
        p = p.boundBy(bindingColumnOf(properties, encrypted.bind().trim(), table, where,
            source));
      }
      found.add(new VeilConfig.NamedColumn(p, ColumnType.forJavaType(property.javaType),
          source, entityNames));
    }
    return found;
  }

  /** One Java property: the members that carry its annotations, and its {@code @Encrypted}. */
  private static final class Property {
    final String name;
    final List<AnnotatedElement> members = new ArrayList<>();
    Class<?> javaType;
    Encrypted encrypted;

    Property(String name) {
      this.name = name;
    }

    void add(AnnotatedElement member, Class<?> type) {
      members.add(member);
      Encrypted e = member.getAnnotation(Encrypted.class);
      if (e != null && encrypted == null) {
        encrypted = e;
        javaType = type;
      } else if (javaType == null) {
        javaType = type;
      }
    }
  }

  /**
   * The properties of {@code type} by Java name: a field, its getter and a record component of
   * the same name are one property, so that {@code @Encrypted} on one and {@code @Column} on
   * another (as Java copies record component annotations by target) describe one column.
   */
  private static Map<String, Property> properties(Class<?> type) throws VeilException {
    Map<String, Property> properties = new LinkedHashMap<>();
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        if (!field.isSynthetic()) {
          properties.computeIfAbsent(field.getName(), Property::new).add(field, field.getType());
        }
      }
      for (Method method : c.getDeclaredMethods()) {
        if (method.isSynthetic() || method.isBridge()) {
          continue;
        }
        if (method.getParameterCount() > 0) {
          if (method.isAnnotationPresent(Encrypted.class)) {
            throw new VeilException(VeilError.INVALID_CONFIGURATION, "@Encrypted on " + type.getName() + "." + method.getName()
                + ", a method with parameters: put it on the field, the getter or the record"
                + " component");
          }
          continue;
        }
        properties.computeIfAbsent(propertyName(method.getName()), Property::new)
            .add(method, method.getReturnType());
      }
    }
    if (type.isRecord()) {
      for (RecordComponent component : type.getRecordComponents()) {
        properties.computeIfAbsent(component.getName(), Property::new)
            .add(component, component.getType());
      }
    }
    return properties;
  }

  /** {schema, table} for a class. */
  private static String[] tableOf(Class<?> type) throws VeilException {
    EncryptedTable veil = type.getAnnotation(EncryptedTable.class);
    if (veil != null) {
      if (veil.name().isBlank()) {
        throw new VeilException(VeilError.INVALID_CONFIGURATION, "@EncryptedTable on " + type.getName() + " has an empty name;"
            + " name the table the class maps to");
      }
      return new String[] {veil.schema().isEmpty() ? EncryptedColumns.DEFAULT_SCHEMA
          : veil.schema(), veil.name()};
    }
    Named named = named(List.of(type), TABLES, "table", type.getName());
    boolean entity = named.annotation != null;
    for (Annotation a : type.getAnnotations()) {
      entity |= ENTITY_MARKERS.contains(a.annotationType().getName());
    }
    if (!entity) {
      throw new VeilException(VeilError.INVALID_CONFIGURATION, type.getName() + " has @Encrypted members, but nothing names the"
          + " table it maps to. Add @EncryptedTable(name = \"…\") to the class (or the @Table,"
          + " @Entity, @MappedEntity or @TableName of its mapping library), or name its columns"
          + " in veil.columns instead");
    }
    String name = named.name != null ? named.name : snakeCase(type.getSimpleName());
    String schema = named.schema != null ? named.schema : EncryptedColumns.DEFAULT_SCHEMA;
    return new String[] {schema, name};
  }

  /** {schema, table, column} for an encrypted property of a class mapped to {@code table}. */
  private static String[] columnOf(Property property, String[] table, String source)
      throws VeilException {
    String column = property.encrypted.column();
    if (column.isEmpty()) {
      Named named = named(property.members, COLUMNS, "column", source);
      column = named.name != null ? named.name : snakeCase(property.name);
    }
    String[] secondary = secondaryTable(property, table, source);
    return new String[] {secondary[0], secondary[1], unquote(column)};
  }

  /**
   * The column that {@code @Encrypted(bind = …)} names for an encrypted column at {@code where}
   * ({schema, table, column}) of a class mapped to {@code classTable}: the column of the Java
   * property of that name when the class has one, as its mapping annotations name it; else the
   * name itself, as a column name.
   *
   * @throws VeilException when the property maps to another table (a JPA secondary table)
   */
  private static String bindingColumnOf(Map<String, Property> properties, String bind,
      String[] classTable, String[] where, String source) throws VeilException {
    Property property = properties.get(bind);
    if (property == null) {
      return unquote(bind);
    }
    String column = property.encrypted != null && !property.encrypted.column().isEmpty()
        ? property.encrypted.column() : null;
    if (column == null) {
      Named named = named(property.members, COLUMNS, "column", source);
      column = named.name != null ? named.name : snakeCase(property.name);
    }
    String[] table = secondaryTable(property, classTable, source);
    if (!table[0].equalsIgnoreCase(where[0]) || !table[1].equalsIgnoreCase(where[1])) {
      throw new VeilException(VeilError.INVALID_CONFIGURATION, source + ": bind = \"" + bind
          + "\" names a property of table " + table[0] + "." + table[1] + ", but the binding"
          + " column must be in the encrypted column's table " + where[0] + "." + where[1]);
    }
    return unquote(column);
  }

  /**
   * The table a JPA {@code @Column(table = …)} puts the column in, with the schema of the
   * class's matching {@code @SecondaryTable}; else the class's own table.
   */
  private static String[] secondaryTable(Property property, String[] table, String source)
      throws VeilException {
    for (AnnotatedElement member : property.members) {
      for (Annotation a : member.getAnnotations()) {
        String type = a.annotationType().getName();
        if (type.equals("jakarta.persistence.Column") || type.equals("javax.persistence.Column")) {
          String secondary = attribute(a, "table", source);
          if (secondary != null) {
            return new String[] {secondarySchema(member, type, secondary, source),
                unquote(secondary)};
          }
        }
      }
    }
    return table;
  }

  private static String secondarySchema(AnnotatedElement member, String columnType,
      String secondary, String source) throws VeilException {
    Class<?> owner = member instanceof Field f ? f.getDeclaringClass()
        : member instanceof Method m ? m.getDeclaringClass()
        : ((RecordComponent) member).getDeclaringRecord();
    String prefix = columnType.substring(0, columnType.lastIndexOf('.') + 1);
    for (Class<?> c = owner; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Annotation a : c.getAnnotations()) {
        String type = a.annotationType().getName();
        List<Annotation> tables = new ArrayList<>();
        if (type.equals(prefix + "SecondaryTable")) {
          tables.add(a);
        } else if (type.equals(prefix + "SecondaryTables")) {
          Object value = invoke(a, "value", source);
          if (value instanceof Annotation[] all) {
            tables.addAll(List.of(all));
          }
        }
        for (Annotation t : tables) {
          if (secondary.equalsIgnoreCase(attribute(t, "name", source))) {
            String schema = attribute(t, "schema", source);
            return schema == null ? EncryptedColumns.DEFAULT_SCHEMA : unquote(schema);
          }
        }
      }
    }
    return EncryptedColumns.DEFAULT_SCHEMA;
  }

  /** What the naming annotations on one element say; all null when there is none. */
  private record Named(Annotation annotation, String name, String schema) {}

  /**
   * The name (and schema) that the annotations of {@code namings} on {@code elements} give: the
   * first that names one, else the first that is present without a name; two that name
   * different ones are refused.
   */
  private static Named named(List<? extends AnnotatedElement> elements, List<Naming> namings,
      String what, String source) throws VeilException {
    Named found = new Named(null, null, null);
    for (AnnotatedElement element : elements) {
      for (Annotation a : element.getAnnotations()) {
        String type = a.annotationType().getName();
        for (Naming naming : namings) {
          if (naming.type().equals(type)) {
            Named here = read(a, naming, source);
            if (here.name == null) {
              found = found.annotation == null ? here : found;
            } else if (found.name == null) {
              found = here;
            } else if (!found.name.equalsIgnoreCase(here.name) || !sameSchema(found, here)) {
              throw disagree(source, what, found, here);
            }
          }
        }
      }
    }
    return found;
  }

  private static Named read(Annotation a, Naming naming, String source) throws VeilException {
    String name = null;
    for (String attribute : naming.nameAttributes()) {
      name = name != null ? name : attribute(a, attribute, source);
    }
    String schema = naming.schemaAttribute() == null ? null
        : attribute(a, naming.schemaAttribute(), source);
    return new Named(a, name == null ? null : unquote(name),
        schema == null ? null : unquote(schema));
  }

  private static boolean sameSchema(Named a, Named b) {
    String left = a.schema == null ? EncryptedColumns.DEFAULT_SCHEMA : a.schema;
    String right = b.schema == null ? EncryptedColumns.DEFAULT_SCHEMA : b.schema;
    return left.equalsIgnoreCase(right);
  }

  private static VeilException disagree(String source, String what, Named a, Named b) {
    return new VeilException(VeilError.INVALID_CONFIGURATION, source + ": @" + a.annotation.annotationType().getName() + " names "
        + what + " " + a.name + " but @" + b.annotation.annotationType().getName() + " names "
        + b.name + "; make them agree, or say which with "
        + (what.equals("table") ? "@EncryptedTable(name = …)" : "@Encrypted(column = …)"));
  }

  /** A non-empty String attribute of {@code a}, or null when it is empty or absent. */
  private static String attribute(Annotation a, String attribute, String source)
      throws VeilException {
    Object value = invoke(a, attribute, source);
    return value instanceof String s && !s.isBlank() ? s.trim() : null;
  }

  private static Object invoke(Annotation a, String attribute, String source)
      throws VeilException {
    Method method;
    try {
      method = a.annotationType().getMethod(attribute);
    } catch (NoSuchMethodException absent) {
      return null; // an older version of the library, without this attribute
    }
    try {
      if (!method.canAccess(a)) {
        method.trySetAccessible();
      }
      return method.invoke(a);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new VeilException(VeilError.INVALID_CONFIGURATION, source + ": cannot read " + attribute + " of @"
          + a.annotationType().getName() + " (" + e + "); name the table with @EncryptedTable"
          + " and the column with @Encrypted(column = …)", e);
    }
  }

  /**
   * Names that an entity class goes by besides its table's: the snake_case class name, the class
   * name as PostgreSQL folds it unquoted (Hibernate's default naming), and a JPA entity name. A
   * write to a table of one of these names, while the configured table does not exist, is
   * refused (see {@link EntityNames}).
   */
  private static Set<String> entityNames(Class<?> type, String table) throws VeilException {
    Set<String> names = new LinkedHashSet<>();
    names.add(table.toLowerCase(Locale.ROOT));
    names.add(snakeCase(type.getSimpleName()));
    names.add(type.getSimpleName().toLowerCase(Locale.ROOT));
    for (Annotation a : type.getAnnotations()) {
      if (ENTITY_MARKERS.contains(a.annotationType().getName())) {
        String entityName = attribute(a, "name", type.getName());
        if (entityName != null) {
          names.add(snakeCase(entityName));
          names.add(entityName.toLowerCase(Locale.ROOT));
        }
      }
    }
    return Set.copyOf(names);
  }

  /** A name without the quotes that JPA ({@code "…"} or backticks) allows around it. */
  private static String unquote(String name) {
    String n = name.trim();
    if (n.length() >= 2 && ((n.startsWith("\"") && n.endsWith("\""))
        || (n.startsWith("`") && n.endsWith("`")))) {
      return n.substring(1, n.length() - 1);
    }
    return n;
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
