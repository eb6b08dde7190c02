package org.veil.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/**
 * Every Veil setting of one data source, merged and validated: the immutable input to everything
 * else. Thread-safe.
 *
 * <p>Where a setting comes from, highest precedence first: the connection's properties and URL
 * parameters; the environment ({@code veil.kms.keyId} is {@code VEIL_KMS_KEYID}); the file named
 * by {@code veil.config}; the default in {@link VeilProperty}.
 */
public final class VeilConfig {

  private static final String CLASSPATH = "classpath:";

  private final Map<VeilProperty, String> values;
  private final EncryptedColumns columns;
  private final Map<String, ColumnType> types;
  private final EntityNames entityNames;

  private VeilConfig(Map<VeilProperty, String> values, EncryptedColumns columns,
      Map<String, ColumnType> types, EntityNames entityNames) {
    this.values = values;
    this.columns = columns;
    this.types = types;
    this.entityNames = entityNames;
  }

  /**
   * A configured column, its declared type (null when not declared), where it was named
   * ({@code veil.columns}, or the annotated member), for error messages, and the other names of
   * its table's entity (an annotated class's names; empty for {@code veil.columns}).
   */
  record NamedColumn(ColumnPolicy policy, ColumnType type, String source,
      Set<String> entityNames) {

    NamedColumn(ColumnPolicy policy, ColumnType type, String source) {
      this(policy, type, source, Set.of());
    }
  }

  /** Reads the configuration from connection settings and the process environment. */
  public static VeilConfig from(Properties veilProperties) throws VeilException {
    return from(veilProperties, System::getenv);
  }

  /** As {@link #from(Properties)}, with {@code environment} standing in for the process's. */
  public static VeilConfig from(Properties veilProperties, UnaryOperator<String> environment)
      throws VeilException {
    Properties explicit = new Properties();
    explicit.putAll(veilProperties);
    for (String name : explicit.stringPropertyNames()) {
      if (VeilProperty.forName(name) == null) {
        throw new VeilException(VeilError.INVALID_CONFIGURATION,
            "unknown setting " + name + "; Veil's settings are listed in the"
            + " README and by Driver.getPropertyInfo");
      }
    }
    String configFile = firstNonNull(explicit.getProperty(VeilProperty.CONFIG.getName()),
        environment.apply(environmentName(VeilProperty.CONFIG)));
    Properties file = configFile == null ? new Properties() : load(configFile);

    Map<VeilProperty, String> values = new TreeMap<>();
    for (VeilProperty p : VeilProperty.values()) {
      String value = firstNonNull(explicit.getProperty(p.getName()),
          environment.apply(environmentName(p)), file.getProperty(p.getName()));
      if (value != null) {
        values.put(p, value.trim());
      }
    }
    for (String name : file.stringPropertyNames()) {
      if (VeilProperty.isVeilName(name) && VeilProperty.forName(name) == null) {
        throw new VeilException(VeilError.INVALID_CONFIGURATION,
            "unknown setting " + name + " in " + configFile);
      }
    }
    Properties merged = new Properties();
    values.forEach((p, v) -> merged.setProperty(p.getName(), v));
    for (VeilProperty p : VeilProperty.values()) {
      p.getChoice(merged);
    }
    List<NamedColumn> named = namedColumns(merged);
    checkBindings(named);
    Map<String, ColumnType> types = new java.util.HashMap<>();
    List<ColumnPolicy> policies = new ArrayList<>();
    EntityNames.Builder entityNames = EntityNames.builder();
    for (NamedColumn n : named) {
      policies.add(n.policy());
      if (n.type() != null) {
        types.put(n.policy().qualifiedName(), n.type());
      }
      entityNames.add(n.policy().schema(), n.policy().table(), n.entityNames(), n.source());
    }
    return new VeilConfig(Map.copyOf(values), EncryptedColumns.of(policies), Map.copyOf(types),
        entityNames.build());
  }

  /**
   * The columns of {@code veil.columns}, then those that {@code @Encrypted} annotations name,
   * one entry per column; a column named twice with different settings is an error that names
   * both sources.
   */
  private static List<NamedColumn> namedColumns(Properties settings) throws VeilException {
    List<NamedColumn> all = new ArrayList<>(
        ColumnList.parse(settings.getProperty(VeilProperty.COLUMNS.getName())));
    ClassLoader loader = Objects.requireNonNullElse(
        Thread.currentThread().getContextClassLoader(), VeilConfig.class.getClassLoader());
    java.util.Set<Class<?>> classes = new java.util.LinkedHashSet<>(AnnotatedColumns.load(
        settings.getProperty(VeilProperty.ANNOTATED_CLASSES.getName()), loader));
    classes.addAll(AnnotatedColumns.scan(
        settings.getProperty(VeilProperty.SCAN_PACKAGES.getName()), loader));
    for (Class<?> type : classes) {
      all.addAll(AnnotatedColumns.of(type));
    }
    Map<String, NamedColumn> found = new java.util.LinkedHashMap<>();
    for (NamedColumn n : all) {
      String name = n.policy().qualifiedName();
      NamedColumn before = found.get(name);
      if (before == null) {
        found.put(name, n);
        continue;
      }
      if (!before.policy().equals(n.policy())) {
        throw new VeilException(VeilError.INVALID_CONFIGURATION,
            name + " is " + describe(before.policy()) + " by "
            + before.source() + " but " + describe(n.policy()) + " by " + n.source()
            + "; make them agree");
      }
      if (n.type() != null && before.type() != null && n.type() != before.type()) {
        throw new VeilException(VeilError.INVALID_CONFIGURATION,
            name + " has type " + before.type().typeName() + " by "
            + before.source() + " but " + n.type().typeName() + " by " + n.source()
            + "; make them agree");
      }
      found.put(name, new NamedColumn(before.policy(),
          before.type() != null ? before.type() : n.type(), before.source(),
          union(before.entityNames(), n.entityNames())));
    }
    return new ArrayList<>(found.values());
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new java.util.LinkedHashSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }

  private static String describe(ColumnPolicy p) {
    return p.mode().name().toLowerCase(Locale.ROOT) + " with context " + p.context()
        + (p.isRowBound() ? " bound to its row by " + p.bindingColumn() : "");
  }

  /**
   * Refuses row bindings ({@code :bind=}, {@code @Encrypted(bind)}) that cannot work whatever
   * the database holds: on a deterministic column, to the column itself, or to a column that is
   * encrypted itself. The binding column's existence and type are checked at the first
   * connection, against the catalog.
   */
  private static void checkBindings(List<NamedColumn> named) throws VeilException {
    java.util.Set<String> encrypted = new java.util.HashSet<>();
    for (NamedColumn n : named) {
      encrypted.add(n.policy().qualifiedName());
    }
    for (NamedColumn n : named) {
      ColumnPolicy p = n.policy();
      if (!p.isRowBound()) {
        continue;
      }
      String what = p.qualifiedName() + " (" + n.source() + ") cannot be bound to its row by "
          + p.bindingColumn() + ": ";
      if (p.isDeterministic()) {
        throw new VeilException(VeilError.INVALID_CONFIGURATION, what + "it is deterministic,"
            + " and an equality token cannot depend on the row (equal values must give equal"
            + " cells in every row for WHERE " + p.column() + " = ? to find them). Remove the"
            + " binding, or make the column randomized");
      }
      if (p.bindingColumn().equals(p.column())) {
        throw new VeilException(VeilError.INVALID_CONFIGURATION, what + "a column cannot bind"
            + " itself. Name another column of " + p.schema() + "." + p.table()
            + ", such as its primary key");
      }
      if (encrypted.contains(p.qualifiedBindingColumn())) {
        throw new VeilException(VeilError.INVALID_CONFIGURATION, what
            + p.qualifiedBindingColumn() + " is encrypted itself, and the server must be able"
            + " to match the binding value. Bind to a plaintext column, such as the primary key");
      }
    }
  }

  /** {@code veil.kms.keyId} → {@code VEIL_KMS_KEYID}. */
  public static String environmentName(VeilProperty property) {
    return property.getName().replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /** The value of a setting, or its default (null when it has none). */
  public String get(VeilProperty property) {
    String value = values.get(property);
    return value == null ? property.getDefaultValue() : value;
  }

  /** The settings as properties, for components that read {@link VeilProperty} themselves. */
  public Properties toProperties() {
    Properties props = new Properties();
    values.forEach((p, v) -> props.setProperty(p.getName(), v));
    return props;
  }

  public EncryptedColumns columns() {
    return columns;
  }

  /** The other names of the configured tables' entities; see {@link EntityNames}. */
  public EntityNames entityNames() {
    return entityNames;
  }

  /**
   * The type {@code column}'s values have for the application: declared with {@code :type=}
   * or by an annotated member's Java type, looked up by name and then by context (so a view
   * column has its table column's type); {@link ColumnType#TEXT} when undeclared.
   */
  public ColumnType typeOf(ColumnPolicy column) {
    ColumnType type = types.get(column.qualifiedName());
    if (type == null) {
      type = types.get(column.context());
    }
    return type == null ? ColumnType.TEXT : type;
  }

  public boolean allowsPlaintextReads() {
    return "allow".equalsIgnoreCase(get(VeilProperty.PLAINTEXT_READS));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VeilConfig other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  /** Names and values, except the keystore password, which shows as {@code ***}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("VeilConfig{");
    values.forEach((p, v) -> sb.append(p.getName()).append('=')
        .append(p == VeilProperty.KMS_KEYSTORE_PASSWORD ? "***" : v).append(", "));
    if (!values.isEmpty()) {
      sb.setLength(sb.length() - 2);
    }
    return sb.append('}').toString();
  }

  private static Properties load(String location) throws VeilException {
    Properties props = new Properties();
    try {
      if (location.startsWith(CLASSPATH)) {
        String resource = location.substring(CLASSPATH.length());
        ClassLoader loader = Objects.requireNonNullElse(
            Thread.currentThread().getContextClassLoader(), VeilConfig.class.getClassLoader());
        try (InputStream in = loader.getResourceAsStream(resource.startsWith("/")
            ? resource.substring(1) : resource)) {
          if (in == null) {
            throw new NoSuchFileException(location);
          }
          props.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        }
      } else {
        try (Reader in = Files.newBufferedReader(Path.of(location), StandardCharsets.UTF_8)) {
          props.load(in);
        }
      }
    } catch (IOException e) {
      throw new VeilException(VeilError.INVALID_CONFIGURATION,
          "cannot read veil.config=" + location + " (" + e + ")", e);
    }
    return props;
  }

  @SafeVarargs
  private static <T> T firstNonNull(T... candidates) {
    for (T t : candidates) {
      if (t != null) {
        return t;
      }
    }
    return null;
  }

  /** Parses {@code veil.columns}. */
  static final class ColumnList {

    private ColumnList() {}

    /**
     * {@code [schema.]table.column[:randomized|:deterministic][:context=ctx][:bind=col]
     * [:type=t]}, comma-separated.
     */
    static List<NamedColumn> parse(String setting) throws VeilException {
      List<NamedColumn> policies = new ArrayList<>();
      if (setting == null || setting.isBlank()) {
        return policies;
      }
      for (String entry : setting.split(",")) {
        String trimmed = entry.trim();
        if (trimmed.isEmpty()) {
          continue;
        }
        String[] parts = trimmed.split(":");
        String[] names = parts.length == 0 ? new String[0] : parts[0].trim().split("\\.");
        if (names.length < 2 || names.length > 3) {
          throw invalid(trimmed, "name a column as table.column or schema.table.column");
        }
        for (String name : names) {
          if (name.isBlank()) {
            throw invalid(trimmed, "a name part is empty");
          }
        }
        EncryptionMode mode = EncryptionMode.RANDOMIZED;
        String context = null;
        String binding = null;
        ColumnType type = null;
        for (int i = 1; i < parts.length; i++) {
          String option = parts[i].trim();
          String lower = option.toLowerCase(Locale.ROOT);
          if (lower.equals("randomized")) {
            mode = EncryptionMode.RANDOMIZED;
          } else if (lower.equals("deterministic")) {
            mode = EncryptionMode.DETERMINISTIC;
          } else if (lower.startsWith("context=") && option.length() > "context=".length()) {
            context = option.substring("context=".length()).trim();
          } else if (lower.startsWith("bind=")) {
            binding = option.substring("bind=".length()).trim();
            if (binding.isEmpty() || !binding.matches("[A-Za-z_][A-Za-z0-9_$]*")) {
              throw invalid(trimmed, "'" + option + "' does not name a column of the same"
                  + " table: write bind=<column>, e.g. bind=id");
            }
          } else if (lower.startsWith("type=")) {
            type = ColumnType.forName(option.substring("type=".length()));
            if (type == null) {
              throw invalid(trimmed, "'" + option + "' is not a type Veil knows (text, int4,"
                  + " int8, numeric, float8, bool, date, time, timestamp, timestamptz, uuid…)");
            }
          } else {
            throw invalid(trimmed, "'" + option + "' is not randomized, deterministic,"
                + " context=<name>, bind=<column> or type=<type>");
          }
        }
        String schema = names.length == 3 ? names[0] : EncryptedColumns.DEFAULT_SCHEMA;
        ColumnPolicy p = ColumnPolicy.of(schema.trim(), names[names.length - 2].trim(),
            names[names.length - 1].trim(), mode);
        if (context != null) {
          p = new ColumnPolicy(p.schema(), p.table(), p.column(), p.mode(), context);
        }
        policies.add(new NamedColumn(p.boundBy(binding), type, "veil.columns"));
      }
      return policies;
    }

    private static VeilException invalid(String entry, String why) {
      return new VeilException(VeilError.INVALID_CONFIGURATION,
          "veil.columns entry '" + entry + "' is invalid: " + why);
    }
  }
}
