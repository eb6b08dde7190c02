package org.veil.jdbc;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.BaseStatement;
import org.postgresql.core.QueryExecutor;
import org.postgresql.core.TransactionState;
import org.veil.error.VeilError;
import org.veil.sql.SearchPath;
import org.veil.sql.SearchPathSource;
import org.veil.sql.SearchPathTracker;
import org.veil.sql.SessionEffects;

/**
 * One connection's search path: what its {@link SearchPathTracker} knows, read from the server
 * when it knows nothing, and kept up to date with what runs on the connection.
 *
 * <p>The read is one query on the application's own connection, sent only before a statement
 * that names a configured table without a schema and only when the path may have changed since
 * the last one (or never was read). It asks the server itself: {@code current_schemas(true)} for
 * the schemas searched and {@code to_regclass} for where each configured table name resolves,
 * so {@code $user}, {@code pg_temp}, missing schemas and schema privileges count as they count
 * for the server. It never begins a transaction of its own (pgjdbc's
 * {@code QUERY_SUPPRESS_BEGIN}); in a failed transaction it is not sent and the statement is
 * refused. Not thread-safe, like the connection.
 */
final class SessionSearchPath implements SearchPathSource {

  /** Every name schema-qualified, so that the path being read cannot redirect the query. */
  private static final String READ = "SELECT pg_catalog.current_schemas(true)::pg_catalog.text[],"
      + " ARRAY(SELECT n.nspname::pg_catalog.text"
      + " FROM pg_catalog.unnest(?::pg_catalog.text[]) WITH ORDINALITY AS x(name, i)"
      + " LEFT JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=)"
      + " pg_catalog.to_regclass(pg_catalog.quote_ident(x.name))"
      + " LEFT JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
      + " ORDER BY x.i)";

  private final Connection pg;
  private final SearchPathTracker tracker = new SearchPathTracker();

  SessionSearchPath(Connection pg) {
    this.pg = pg;
  }

  /** Moves whenever the path known may have changed. */
  int generation() {
    return tracker.generation();
  }

  @Override
  public SearchPath searchPath(Set<String> names) throws SQLException {
    TransactionState state = null;
    if (tracker.changedInTransaction()) {
      state = state();
      if (state == TransactionState.IDLE) {
        tracker.committed(); // the transaction ended in a way Veil did not see
      }
    }
    SearchPath known = tracker.current();
    if (known != null && known.resolves(names)) {
      return known;
    }
    if ((state == null ? state() : state) == TransactionState.FAILED) {
      throw SqlErrors.of(VeilError.SEARCH_PATH_UNREADABLE,
          "the transaction has failed, and the server answers no query until"
          + " it is rolled back. Roll back (or to a savepoint) and run the statement again.");
    }
    SearchPath read = read(names);
    tracker.read(read);
    return read;
  }

  private SearchPath read(Set<String> names) throws SQLException {
    String[] asked = names.toArray(new String[0]);
    try (PreparedStatement ps = pg.prepareStatement(READ)) {
      ps.setArray(1, pg.createArrayOf("text", asked));
      ps.unwrap(BaseStatement.class).executeWithFlags(QueryExecutor.QUERY_SUPPRESS_BEGIN);
      try (ResultSet rs = ps.getResultSet()) {
        rs.next();
        List<String> schemas = Arrays.asList(strings(rs.getArray(1)));
        String[] found = strings(rs.getArray(2));
        Map<String, String> where = new HashMap<>();
        for (int i = 0; i < asked.length; i++) {
          if (found[i] != null) {
            where.put(asked[i], found[i]);
          }
        }
        return SearchPath.of(schemas, where, names);
      }
    }
  }

  private static String[] strings(Array array) throws SQLException {
    return (String[]) array.getArray();
  }

  /**
   * Runs a statement whose text has {@code effects} and notes what it may have changed, whether
   * it succeeded or not.
   */
  <T> T run(int effects, VeilConnection.SqlCall<T> call) throws SQLException {
    if (effects == SessionEffects.NONE) {
      return call.call();
    }
    boolean ranInTransaction = state() != TransactionState.IDLE || !pg.getAutoCommit();
    try {
      return call.call();
    } finally {
      boolean inTransaction = state() != TransactionState.IDLE;
      if ((effects & (SessionEffects.SEARCH_PATH | SessionEffects.CATALOG)) != 0) {
        tracker.changed(inTransaction, ranInTransaction);
      }
      if ((effects & SessionEffects.TRANSACTION_END) != 0) {
        tracker.transactionControl(inTransaction);
      }
    }
  }

  /** {@code Connection.setSchema}: pgjdbc sets the path with a statement of its own. */
  void setSchema(VeilConnection.SqlCall<Void> call) throws SQLException {
    run(SessionEffects.SEARCH_PATH, call);
  }

  /** After {@code commit()} (or a {@code setAutoCommit(true)} that committed), ended or not. */
  void committed() {
    if (state() == TransactionState.IDLE) {
      tracker.committed();
    }
  }

  /** After {@code rollback()}: when it ended the transaction, the path of its start holds. */
  void rolledBack() {
    if (state() == TransactionState.IDLE) {
      tracker.rolledBack();
    }
  }

  void rolledBackToSavepoint() {
    tracker.rolledBackToSavepoint();
  }

  private TransactionState state() {
    try {
      return pg.unwrap(BaseConnection.class).getTransactionState();
    } catch (SQLException notPgjdbc) {
      throw new IllegalStateException("Veil wraps pgjdbc connections only", notPgjdbc);
    }
  }

  @Override
  public String toString() {
    return tracker.toString();
  }
}
