package org.veil.sql;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How the table names of one analysis resolve: each unqualified name of a configured table is
 * looked up in the session's search path (asked for once, the first time a name needs it) and
 * the answer noted, so the plan can be cached under it. One per analysis; not thread-safe.
 */
final class SessionNames {

  private final TableNames tables;
  private final SearchPathSource session;
  private SearchPath path;
  private final Map<String, String> answers = new HashMap<>();
  private final List<String> asked = new ArrayList<>();
  /** Set while checking statements after one that may change the path or the tables. */
  private boolean unsettled;

  SessionNames(TableNames tables, SearchPathSource session) {
    this.tables = tables;
    this.session = session;
  }

  /** Thrown through the syntax tree walk when the search path cannot be had. */
  static final class Unavailable extends RuntimeException {
    final String table;

    Unavailable(String table, SQLException cause) {
      super(cause.getMessage(), cause, false, false);
      this.table = table;
    }

    SQLException cause() {
      return (SQLException) getCause();
    }
  }

  /**
   * The schema of the table an unqualified {@code table} (as PostgreSQL stores the name) means,
   * or null when no configured table has that name, so which one it is does not matter.
   *
   * @throws RefusedStatement when an earlier statement of the same text may have changed the path
   * @throws Unavailable when the session cannot tell its search path
   */
  String schemaOf(String table) {
    if (!tables.isConfigured(table)) {
      return null;
    }
    if (unsettled) {
      throw RefusedStatement.unsettledName(table, tables.columnsNamed(table));
    }
    String schema = answers.get(table);
    if (schema == null) {
      if (path == null) {
        try {
          path = session.searchPath(tables.names());
        } catch (SQLException e) {
          throw new Unavailable(table, e);
        }
      }
      schema = tables.resolve(table, path);
      answers.put(table, schema);
      asked.add(table);
    }
    return schema;
  }

  /** From now on the path is unknown within this text: a name that needs it is refused. */
  void unsettle() {
    unsettled = true;
  }

  /** The names resolved, in the order first asked. */
  List<String> asked() {
    return asked;
  }

  /** The schema each of {@code names} resolved to, as a cache key. */
  Object keyOf(List<String> names) {
    if (names.size() == 1) {
      return answers.get(names.get(0));
    }
    List<String> key = new ArrayList<>(names.size());
    for (String name : names) {
      key.add(answers.get(name));
    }
    return key;
  }
}
