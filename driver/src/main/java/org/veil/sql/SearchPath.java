package org.veil.sql;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One session's search path as the server resolves relation names under it: the schemas it
 * searches, in order ({@code current_schemas(true)}: with {@code pg_temp} and {@code pg_catalog}
 * where they apply, without schemas that do not exist or that the role may not use), and, for
 * the names of the configured tables, the schema of the relation each one names now.
 *
 * <p>It says what the server answered at one moment; the connection that read it decides how
 * long that holds. Immutable and thread-safe.
 */
public final class SearchPath {

  /**
   * The search path assumed where there is no session to ask: {@code pg_catalog, public}, with
   * no relation known to exist, so every configured table name means the configured table in
   * {@code public} if there is one (else the first configured table of that name). For tools,
   * benchmarks and tests; a connection always reads its own.
   */
  public static final SearchPath ASSUMED_PUBLIC =
      new SearchPath(List.of("pg_catalog", "public"), Map.of(), null);

  private final List<String> schemas;
  private final Map<String, String> found;
  /** The names this snapshot answers for; null when it answers for every name (assumed). */
  private final Set<String> resolved;

  private SearchPath(List<String> schemas, Map<String, String> found, Set<String> resolved) {
    this.schemas = schemas;
    this.found = found;
    this.resolved = resolved;
  }

  /**
   * What the server said.
   *
   * @param schemas the schemas searched, in order
   * @param found for each name of {@code resolved} that names a relation, that relation's schema;
   *     a name of {@code resolved} absent here names no relation
   * @param resolved the table names the server was asked about
   */
  public static SearchPath of(List<String> schemas, Map<String, String> found,
      Set<String> resolved) {
    return new SearchPath(List.copyOf(schemas), Map.copyOf(found), Set.copyOf(resolved));
  }

  /** The schemas searched for an unqualified relation name, in order. */
  public List<String> schemas() {
    return schemas;
  }

  /** Whether this snapshot says where each of {@code names} resolves. */
  public boolean resolves(Set<String> names) {
    return resolved == null || resolved == names || resolved.containsAll(names);
  }

  /** The schema of the relation {@code name} names, or null when it names none. */
  String schemaOf(String name) {
    return found.get(name);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SearchPath other && schemas.equals(other.schemas)
        && found.equals(other.found) && Objects.equals(resolved, other.resolved);
  }

  @Override
  public int hashCode() {
    return Objects.hash(schemas, found);
  }

  /** The schemas and where the configured names resolve: schema and table names only. */
  @Override
  public String toString() {
    return "SearchPath" + schemas + found;
  }
}
