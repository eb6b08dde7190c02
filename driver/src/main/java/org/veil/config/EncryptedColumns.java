package org.veil.config;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The set of encrypted columns of one configuration, indexed for the lookups that statement
 * analysis and result decoding make. Immutable and thread-safe.
 *
 * <p>Names are compared as PostgreSQL folds unquoted identifiers: lower case. An unqualified
 * table name means schema {@code public}.
 */
public final class EncryptedColumns {

  public static final String DEFAULT_SCHEMA = "public";

  private static final EncryptedColumns NONE = new EncryptedColumns(List.of());

  private final Map<String, ColumnPolicy> byQualifiedName;
  /** The same columns by their three name parts: a result set's columns are looked up here. */
  private final Map<Name, ColumnPolicy> byName;
  private final Map<String, List<ColumnPolicy>> byTable;
  private final Set<String> tableNames;

  private EncryptedColumns(List<ColumnPolicy> policies) {
    Map<String, ColumnPolicy> columns = new LinkedHashMap<>();
    for (ColumnPolicy policy : policies) {
      ColumnPolicy previous = columns.putIfAbsent(policy.qualifiedName(), policy);
      if (previous != null && !previous.equals(policy)) {
        throw new IllegalArgumentException(policy.qualifiedName()
            + " is configured twice with different settings");
      }
    }
    this.byQualifiedName = Map.copyOf(columns);
    this.byName = columns.values().stream().collect(Collectors.toUnmodifiableMap(
        p -> new Name(p.schema(), p.table(), p.column()), p -> p));
    this.byTable = columns.values().stream().collect(Collectors.groupingBy(
        p -> p.schema() + "." + p.table(), LinkedHashMap::new, Collectors.toUnmodifiableList()));
    this.tableNames = columns.values().stream().map(ColumnPolicy::table)
        .collect(Collectors.toUnmodifiableSet());
  }

  public static EncryptedColumns of(Collection<ColumnPolicy> policies) {
    return policies.isEmpty() ? NONE : new EncryptedColumns(List.copyOf(policies));
  }

  public static EncryptedColumns none() {
    return NONE;
  }

  public boolean isEmpty() {
    return byQualifiedName.isEmpty();
  }

  /**
   * The policy for a column, or null when it is not encrypted. A null schema means public. Called
   * for every column of every result set that may hold encrypted columns, so a column of a table
   * with none costs a set lookup and no string is built.
   */
  public ColumnPolicy find(String schema, String table, String column) {
    if (isEmpty() || table == null || column == null) {
      return null;
    }
    String t = fold(table);
    if (!tableNames.contains(t)) {
      return null;
    }
    String s = schema == null || schema.isEmpty() ? DEFAULT_SCHEMA : fold(schema);
    return byName.get(new Name(s, t, fold(column)));
  }

  /** A column's name parts, folded. */
  private record Name(String schema, String table, String column) {}

  /** The encrypted columns of one table, in configuration order; empty when none. */
  public List<ColumnPolicy> forTable(String schema, String table) {
    String s = schema == null || schema.isEmpty() ? DEFAULT_SCHEMA : schema;
    return byTable.getOrDefault(fold(s) + "." + fold(table), List.of());
  }

  /** Every configured column, in configuration order. */
  public Collection<ColumnPolicy> all() {
    return byTable.values().stream().flatMap(List::stream).collect(Collectors.toList());
  }

  /**
   * Whether {@code sql} could refer to an encrypted table: a case-insensitive search for each
   * table name. False means the statement certainly touches no encrypted column, so it need not
   * be parsed; true means only that it might.
   */
  public boolean mayMention(String sql) {
    if (isEmpty()) {
      return false;
    }
    for (String table : tableNames) {
      if (containsIgnoreCase(sql, table)) {
        return true;
      }
    }
    return false;
  }

  /**
   * As {@code regionMatches(true, …)} at every position, but a position whose first character
   * cannot match is skipped without the call. Only ASCII characters are skipped that way: under
   * {@code regionMatches}' case rules a non-ASCII character may match an ASCII one (dotless i,
   * Kelvin sign), so those always get the full comparison.
   */
  private static boolean containsIgnoreCase(String haystack, String needle) {
    int max = haystack.length() - needle.length();
    char first = needle.isEmpty() ? 0 : needle.charAt(0);
    boolean asciiFirst = first < 0x80;
    char lower = Character.toLowerCase(first);
    char upper = Character.toUpperCase(first);
    for (int i = 0; i <= max; i++) {
      char c = haystack.charAt(i);
      boolean mayMatch = !asciiFirst || c >= 0x80 || c == lower || c == upper;
      if (mayMatch && haystack.regionMatches(true, i, needle, 0, needle.length())) {
        return true;
      }
    }
    return false;
  }

  private static String fold(String identifier) {
    return identifier.toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "EncryptedColumns" + byQualifiedName.keySet();
  }
}
