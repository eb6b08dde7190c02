package org.veil.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The other names under which an application may write the rows of a configured table: what
 * another naming convention makes of the same entity. Veil uses them only while a configured
 * table does not exist (its check is deferred to first use): a write to a table of one of these
 * names is then taken for the application using its table under a name Veil was not told, and
 * is refused, because Veil would send that table's encrypted values unsealed.
 *
 * <p>Two names are the same entity's when they are equal once folded to lower case and stripped
 * of underscores, up to an English plural ({@code s}, {@code es}, {@code y}/{@code ies}):
 * {@code sd_contact}, {@code sd_contacts}, {@code SdContact} and {@code sdcontacts} are one. The
 * names of an annotated class also count ({@code CustomerOrder} gives {@code customer_order} and
 * {@code customerorder}, whatever its {@code @Table} says). The schema does not matter. Immutable
 * and thread-safe.
 */
public final class EntityNames {

  private static final EntityNames NONE = new EntityNames(Map.of(), Map.of());

  /** By configured table ({@code schema.table}): the folded names without underscores. */
  private final Map<String, Set<String>> forms;
  /** By configured table: where it was configured, for error messages. */
  private final Map<String, String> sources;
  private final int shortest;
  private final int longest;

  private EntityNames(Map<String, Set<String>> forms, Map<String, String> sources) {
    this.forms = forms;
    this.sources = sources;
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (Set<String> names : forms.values()) {
      for (String name : names) {
        min = Math.min(min, name.length());
        max = Math.max(max, name.length());
      }
    }
    this.shortest = min;
    this.longest = max;
  }

  public static EntityNames none() {
    return NONE;
  }

  /** Collects the names of configured tables; not thread-safe. */
  static final class Builder {
    private final Map<String, Set<String>> forms = new LinkedHashMap<>();
    private final Map<String, String> sources = new LinkedHashMap<>();

    /**
     * Adds {@code names} (besides the table's own) for the configured table {@code schema.table},
     * named by {@code source}.
     */
    Builder add(String schema, String table, Collection<String> names, String source) {
      String key = schema + "." + table;
      Set<String> set = forms.computeIfAbsent(key, k -> new LinkedHashSet<>());
      sources.putIfAbsent(key, source);
      set.addAll(variants(table));
      for (String name : names) {
        set.addAll(variants(name));
      }
      return this;
    }

    EntityNames build() {
      if (forms.isEmpty()) {
        return NONE;
      }
      Map<String, Set<String>> copy = new LinkedHashMap<>();
      forms.forEach((k, v) -> copy.put(k, Set.copyOf(v)));
      return new EntityNames(Map.copyOf(copy), Map.copyOf(sources));
    }
  }

  static Builder builder() {
    return new Builder();
  }

  /** Where {@code table} ({@code schema.table}) was configured: veil.columns or a member. */
  public String sourceOf(String table) {
    return sources.getOrDefault(table, "veil.columns");
  }

  /**
   * Whether {@code sql} has an identifier that names the entity of one of {@code tables}
   * ({@code schema.table}): a scan of its words, for statements that need a closer look.
   */
  public boolean mayName(String sql, Collection<String> tables) {
    if (tables.isEmpty() || forms.isEmpty()) {
      return false;
    }
    StringBuilder word = new StringBuilder();
    int n = sql.length();
    for (int i = 0; i <= n; i++) {
      char c = i < n ? sql.charAt(i) : ' ';
      if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
        if (c != '_') {
          word.append(Character.toLowerCase(c));
        }
        continue;
      }
      if (word.length() >= shortest && word.length() <= longest) {
        String candidate = word.toString();
        for (String table : tables) {
          Set<String> names = forms.get(table);
          if (names != null && names.contains(candidate)) {
            return true;
          }
        }
      }
      word.setLength(0);
    }
    return false;
  }

  /** Those of {@code tables} ({@code schema.table}) whose entity {@code name} names. */
  public List<String> tablesNamedBy(String name, Collection<String> tables) {
    String form = strip(name);
    List<String> named = new ArrayList<>();
    for (String table : tables) {
      Set<String> names = forms.get(table);
      if (names != null && names.contains(form)) {
        named.add(table);
      }
    }
    return named;
  }

  /** The folded, underscore-free forms of {@code name}, singular and plural. */
  static Set<String> variants(String name) {
    String base = strip(name);
    Set<String> out = new LinkedHashSet<>();
    out.add(base);
    String singular = singular(base);
    out.add(singular);
    out.add(plural(singular));
    out.add(plural(base));
    return out;
  }

  private static String strip(String name) {
    return name.replace("_", "").replace("\"", "").toLowerCase(Locale.ROOT);
  }

  private static String singular(String name) {
    if (name.endsWith("ies") && name.length() > 3) {
      return name.substring(0, name.length() - 3) + "y";
    }
    for (String suffix : new String[] {"sses", "shes", "ches", "xes", "zes"}) {
      if (name.endsWith(suffix)) {
        return name.substring(0, name.length() - 2);
      }
    }
    if (name.endsWith("s") && !name.endsWith("ss") && name.length() > 1) {
      return name.substring(0, name.length() - 1);
    }
    return name;
  }

  private static String plural(String name) {
    if (name.endsWith("y") && name.length() > 1
        && "aeiou".indexOf(name.charAt(name.length() - 2)) < 0) {
      return name.substring(0, name.length() - 1) + "ies";
    }
    if (name.endsWith("s") || name.endsWith("x") || name.endsWith("z") || name.endsWith("ch")
        || name.endsWith("sh")) {
      return name + "es";
    }
    return name + "s";
  }

  @Override
  public String toString() {
    return "EntityNames" + forms.keySet();
  }
}
