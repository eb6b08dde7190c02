package org.veil.config;

import java.sql.DriverPropertyInfo;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/**
 * Every {@code veil.*} setting, with its default, allowed values and description: the one place
 * that {@code Driver.getPropertyInfo}, the README's configuration table and error messages
 * read from.
 *
 * <p>Constants are kept in alphabetical order of their names (a test checks it). None of these
 * settings is passed on to pgjdbc.
 */
public enum VeilProperty {

  ANNOTATED_CLASSES("veil.annotatedClasses", null, false,
      "Comma-separated class names whose @Encrypted members name encrypted columns."),

  CACHE_DEK_MAX("veil.cache.dekMax", "100000", false,
      "How many unwrapped row data keys the cache keeps, keyed by their wrapped bytes, with direct wrapping (veil.keys.wrapping=direct): each saves a key provider call. Row keys under branch keys are not cached: deriving or unwrapping one under the cached branch key costs less than a lookup."),

  CACHE_EXPIRE_AFTER("veil.cache.expireAfter", "PT15M", false,
      "How long an unwrapped branch key stays usable without a successful refresh (ISO-8601 duration)."),

  CACHE_FAILURE_EXPIRE_AFTER("veil.cache.failureExpireAfter", "PT10S", false,
      "How long a key that failed to load (not in the key store, under a master key that is not configured, a row that does not unwrap, the key store or key provider failing) is refused at once with the same error, without asking the key store or key provider again (ISO-8601 duration; PT0S asks every time)."),

  CACHE_GRACE("veil.cache.grace", "PT1H", false,
      "How long a cached branch key is still served while the key provider cannot be reached."),

  CACHE_KEY_MAX("veil.cache.keyMax", "1000", false,
      "How many unwrapped branch and deterministic keys the cache keeps."),

  CACHE_REFRESH_AFTER("veil.cache.refreshAfter", "PT10M", false,
      "When a cached branch key is refreshed from the key provider in the background."),

  CELLS_VERSION("veil.cells.version", "3", false,
      "The format version of new randomized cells under branch keys: 3, or 2 while instances of"
          + " an older Veil that reads format 1 and 2 only still read the same tables (a rolling"
          + " upgrade; format 2 cannot bind a row, :bind needs 3). Every version is read"
          + " whatever is written.",
      "3", "2"),

  COLUMNS("veil.columns", null, false,
      "Encrypted columns: [schema.]table.column[:randomized|:deterministic][:context=ctx]"
          + "[:bind=col][:type=t], comma-separated; :bind binds each cell to its row by the"
          + " value of another column of the table."),

  CONFIG("veil.config", null, false,
      "A properties file with further veil.* settings: a file path or classpath:name."),

  GUARD("veil.guard", "warn", false,
      "What the first connection does about encrypted columns that have no validated"
          + " database-side guard (a CHECK constraint that refuses values that are not Veil cells,"
          + " from any writer; veil guard add creates it): warn logs them once, require refuses"
          + " to connect, off does not look.",
      "warn", "require", "off"),

  KEYS_KEYRING("veil.keys.keyring", "default", false,
      "The keyring whose active branch key seals new values."),

  KEYS_ROTATE_AFTER("veil.keys.rotateAfter", "P90D", false,
      "Age after which a new branch key replaces the active one (ISO-8601 duration)."),

  KEYS_ROTATE_AFTER_ROWS("veil.keys.rotateAfterRows", "0", false,
      "Rows this process seals under one branch key before a new one replaces it; 0 for no"
          + " count rule. Counted per process, not across applications."),

  KEYS_TABLE("veil.keys.table", "veil_keys", false,
      "The table that holds the wrapped branch keys; created if missing."),

  KEYS_WRAPPING("veil.keys.wrapping", "branch", false,
      "How row data keys are wrapped: by a cached branch key, or by the KMS itself per row.",
      "branch", "direct"),

  KMS("veil.kms", "local", false,
      "The key provider that holds the master key.", "local", "aws"),

  KMS_ENDPOINT("veil.kms.endpoint", null, false,
      "AWS KMS endpoint override, e.g. for a VPC endpoint."),

  KMS_KEY_ID("veil.kms.keyId", null, false,
      "The master key: an AWS KMS key ARN or alias, or the alias inside the local keystore."),

  KMS_KEYSTORE("veil.kms.keystore", null, false,
      "Local provider: the PKCS12 keystore or raw 32-byte key file (mode 0600) holding the master key."),

  KMS_KEYSTORE_PASSWORD("veil.kms.keystorePassword", null, false,
      "Local provider: the PKCS12 keystore password (or the VEIL_KEYSTORE_PASSWORD environment variable)."),

  KMS_PREVIOUS_KEYS("veil.kms.previousKeys", null, false,
      "Master keys that may still unwrap the keys stored under them but never wrap a new one, for"
          + " a master key rotation without downtime; comma-separated, each as the current one is"
          + " named: local, a keystore or key file; aws, a key ARN or alias."),

  KMS_REGION("veil.kms.region", null, false,
      "AWS region of the KMS key."),

  KMS_TIMEOUT("veil.kms.timeout", "PT5S", false,
      "Upper bound on one key provider call, after which it fails instead of hanging."),

  METRICS_JMX("veil.metrics.jmx", "false", false,
      "Whether Veil's counters are registered in the platform MBean server, as"
          + " org.veil:type=Metrics with name= the veil.metrics.name.",
      "false", "true"),

  METRICS_NAME("veil.metrics.name", "default", false,
      "The name tag of Veil's Micrometer meters and the name of its MBean: one per data source"
          + " or driver."),

  PLAINTEXT_READS("veil.plaintextReads", "deny", false,
      "Whether a value in an encrypted column that is not a Veil cell is returned as stored"
          + " (allow, for a migration window) or refused.",
      "deny", "allow"),

  SCAN_PACKAGES("veil.scanPackages", null, false,
      "Comma-separated packages scanned for classes with @Encrypted members."),

  SQL_CACHE_SIZE("veil.sql.cacheSize", "2000", false,
      "How many analysed SQL texts are cached per data source.");

  /** The prefix that every Veil setting has, and that is never passed on to pgjdbc. */
  public static final String PREFIX = "veil.";

  private static final Map<String, VeilProperty> BY_NAME = Arrays.stream(values())
      .collect(Collectors.toUnmodifiableMap(VeilProperty::getName, Function.identity()));

  private final String name;
  private final String defaultValue;
  private final boolean required;
  private final String description;
  private final String[] choices;

  VeilProperty(String name, String defaultValue, boolean required, String description,
      String... choices) {
    this.name = name;
    this.defaultValue = defaultValue;
    this.required = required;
    this.description = description;
    this.choices = choices;
  }

  public String getName() {
    return name;
  }

  /** The default value, or null when the setting has none. */
  public String getDefaultValue() {
    return defaultValue;
  }

  public String getDescription() {
    return description;
  }

  /** The allowed values, or an empty array when any value of the right form is allowed. */
  public String[] getChoices() {
    return choices.clone();
  }

  /** The constant for {@code name}, or null when no Veil setting has that name. */
  public static VeilProperty forName(String name) {
    return BY_NAME.get(name);
  }

  /** Whether {@code name} is in Veil's namespace (and so must not reach pgjdbc). */
  public static boolean isVeilName(String name) {
    return name.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
  }

  /** The value in {@code props}, or the default (null when there is none). */
  public String get(Properties props) {
    String value = props.getProperty(name);
    return value == null ? defaultValue : value.trim();
  }

  /** The value, checked against {@link #getChoices()} and lower-cased. */
  public String getChoice(Properties props) throws VeilException {
    String value = get(props);
    if (value == null || choices.length == 0) {
      return value;
    }
    String lower = value.toLowerCase(Locale.ROOT);
    for (String choice : choices) {
      if (choice.equals(lower)) {
        return lower;
      }
    }
    throw new VeilException(VeilError.INVALID_CONFIGURATION, name + "=" + value + " is not one of "
        + String.join(", ", choices) + ": " + description);
  }

  /** The value as a comma-separated list, trimmed, without empty entries; empty when unset. */
  public List<String> getList(Properties props) {
    return splitList(get(props));
  }

  /** {@code "a, b,,c"} → {@code [a, b, c]}; null gives an empty list. */
  static List<String> splitList(String value) {
    List<String> items = new ArrayList<>();
    if (value != null) {
      for (String item : value.split(",")) {
        if (!item.isBlank()) {
          items.add(item.trim());
        }
      }
    }
    return items;
  }

  /** The value as a whole number of zero or more: every number Veil reads is a count. */
  public int getInt(Properties props) throws VeilException {
    String value = get(props);
    int number;
    try {
      number = Integer.parseInt(value);
    } catch (NumberFormatException | NullPointerException e) {
      throw new VeilException(VeilError.INVALID_CONFIGURATION, name + "=" + value
          + " is not a whole number: " + description, e);
    }
    if (number < 0) {
      throw new VeilException(VeilError.INVALID_CONFIGURATION, name + "=" + value
          + " is negative: " + description);
    }
    return number;
  }

  /**
   * The value as an ISO-8601 duration ({@code PT10M}, {@code P90D}), zero or longer and short
   * enough to count in nanoseconds (about 292 years).
   */
  public Duration getDuration(Properties props) throws VeilException {
    String value = get(props);
    Duration duration;
    try {
      duration = Duration.parse(value);
    } catch (DateTimeParseException | NullPointerException e) {
      throw new VeilException(VeilError.INVALID_CONFIGURATION, name + "=" + value
          + " is not an ISO-8601 duration such as PT10M or P90D: " + description, e);
    }
    if (duration.isNegative()) {
      throw new VeilException(VeilError.INVALID_CONFIGURATION, name + "=" + value
          + " is negative: " + description);
    }
    try {
      duration.toNanos();
    } catch (ArithmeticException e) {
      throw new VeilException(VeilError.INVALID_CONFIGURATION, name + "=" + value
          + " is longer than Veil can count (292 years): " + description, e);
    }
    return duration;
  }

  /** The setting as {@link DriverPropertyInfo}, with {@code value} as the current value. */
  public DriverPropertyInfo toDriverPropertyInfo(Properties props) {
    DriverPropertyInfo info = new DriverPropertyInfo(name, get(props));
    info.description = description;
    info.required = required;
    info.choices = choices.length == 0 ? null : choices.clone();
    if (this == KMS_KEYSTORE_PASSWORD) {
      info.value = null;
    }
    return info;
  }
}
