package org.veil.sql;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import org.veil.config.ColumnPolicy;

/**
 * The names visible at one level of a statement: its FROM sources and CTEs, with the enclosing
 * level as parent, so a correlated subquery can see the outer query's tables.
 *
 * <p>Only encrypted columns are known; any other column is plain. Resolution follows PostgreSQL:
 * the innermost level that knows a name wins.
 */
final class Scope {

  private final Scope parent;
  private final List<Source> sources = new ArrayList<>();
  private final Map<String, Source> ctes = new HashMap<>();

  Scope(Scope parent) {
    this.parent = parent;
  }

  Scope parent() {
    return parent;
  }

  void add(Source source) {
    sources.add(source);
  }

  List<Source> sources() {
    return sources;
  }

  void addCte(String name, Source definition) {
    ctes.put(name, definition);
  }

  /** The CTE an unqualified table name refers to, or null. */
  Source cte(String name) {
    for (Scope scope = this; scope != null; scope = scope.parent) {
      Source cte = scope.ctes.get(name);
      if (cte != null) {
        return cte;
      }
    }
    return null;
  }

  /**
   * The encrypted column {@code column} refers to, or null when it is plain or unknown.
   *
   * @throws RefusedStatement when an unqualified name matches encrypted columns of two sources
   */
  ColumnPolicy resolve(Column column) {
    String name = Identifiers.fold(column.getColumnName());
    Table table = column.getTable();
    if (table != null && table.getName() != null) {
      return resolveQualified(Identifiers.fold(table.getSchemaName()),
          Identifiers.fold(table.getName()), name);
    }
    for (Scope scope = this; scope != null; scope = scope.parent) {
      Set<ColumnPolicy> matches = new LinkedHashSet<>();
      int sourcesMatching = 0;
      for (Source source : scope.sources) {
        ColumnPolicy policy = source.encrypted().get(name);
        if (policy != null) {
          matches.add(policy);
          sourcesMatching++;
        }
      }
      if (sourcesMatching > 1) {
        throw RefusedStatement.ambiguousColumn(name, matches);
      }
      if (sourcesMatching == 1) {
        return matches.iterator().next();
      }
    }
    return null;
  }

  private ColumnPolicy resolveQualified(String schema, String qualifier, String name) {
    for (Scope scope = this; scope != null; scope = scope.parent) {
      for (Source source : scope.sources) {
        if (source.answersTo(schema, qualifier)) {
          return source.encrypted().get(name);
        }
      }
    }
    return null;
  }

  /** Every encrypted column of this level's sources, for {@code *}. */
  List<ColumnPolicy> encryptedColumns() {
    List<ColumnPolicy> all = new ArrayList<>();
    for (Source source : sources) {
      all.addAll(source.encrypted().values());
    }
    return all;
  }

  /** The sources of this level that {@code qualifier.*} names. */
  List<Source> sourcesNamed(Table qualifier) {
    List<Source> named = new ArrayList<>();
    String schema = Identifiers.fold(qualifier.getSchemaName());
    String name = Identifiers.fold(qualifier.getName());
    for (Source source : sources) {
      if (source.answersTo(schema, name)) {
        named.add(source);
      }
    }
    return named;
  }
}
