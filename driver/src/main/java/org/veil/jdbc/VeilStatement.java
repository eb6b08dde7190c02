package org.veil.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A statement seen through Veil: result sets come back wrapped, so encrypted columns are opened
 * on the way out, and {@link #getConnection()} returns the Veil connection.
 *
 * @param <D> the pgjdbc statement type
 */
class VeilStatement<D extends Statement> extends ForwardingStatement<D> {

  final VeilConnection connection;
  private ResultSet lastDelegateResult;
  private VeilResultSet lastResult;

  VeilStatement(D delegate, VeilConnection connection) {
    super(delegate);
    this.connection = connection;
  }

  /**
   * The Veil result set for one of pgjdbc's; the same wrapper each time for the same result, so
   * that {@code getResultSet()} called twice returns one object, as pgjdbc's does.
   */
  final ResultSet wrap(ResultSet result) {
    if (result == null) {
      return null;
    }
    if (result != lastDelegateResult) {
      lastDelegateResult = result;
      lastResult = new VeilResultSet(result, this);
    }
    return lastResult;
  }

  // Overridden java.sql.Statement methods

  @Override
  public Connection getConnection() {
    return connection;
  }

  @Override
  public ResultSet executeQuery(String sql) throws SQLException {
    return wrap(delegate.executeQuery(sql));
  }

  @Override
  public ResultSet getResultSet() throws SQLException {
    return wrap(delegate.getResultSet());
  }

  @Override
  public ResultSet getGeneratedKeys() throws SQLException {
    return wrap(delegate.getGeneratedKeys());
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + delegate + "]";
  }
}
