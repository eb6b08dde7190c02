package org.veil.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A prepared statement seen through Veil.
 *
 * @param <D> the pgjdbc statement type
 */
class VeilPreparedStatement<D extends PreparedStatement> extends ForwardingPreparedStatement<D> {

  final String sql;

  VeilPreparedStatement(D delegate, VeilConnection connection, String sql) {
    super(delegate, connection);
    this.sql = sql;
  }

  // Overridden java.sql.PreparedStatement methods

  @Override
  public ResultSet executeQuery() throws SQLException {
    return wrap(delegate.executeQuery());
  }
}
