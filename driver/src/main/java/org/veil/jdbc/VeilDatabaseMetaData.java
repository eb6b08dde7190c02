package org.veil.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;

/** pgjdbc's metadata, with {@link #getConnection()} and every result set leading back to Veil. */
final class VeilDatabaseMetaData extends ForwardingDatabaseMetaData<DatabaseMetaData> {

  private final VeilConnection connection;

  VeilDatabaseMetaData(DatabaseMetaData delegate, VeilConnection connection) {
    super(delegate);
    this.connection = connection;
  }

  // Overridden java.sql.DatabaseMetaData methods

  @Override
  public Connection getConnection() {
    return connection;
  }

  /** The Veil URL, as the application gave it (pgjdbc's, with the {@code jdbc:veil:} scheme). */
  @Override
  public String getURL() throws SQLException {
    String url = delegate.getURL();
    return url == null ? null : "jdbc:veil:" + url.substring("jdbc:".length());
  }

  @Override
  protected ResultSet wrapResultSet(ResultSet value) {
    return value == null ? null : new VeilResultSet(value, null, connection.runtime());
  }
}
