package org.veil.jdbc;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import org.veil.config.ColumnPolicy;
import org.veil.config.ColumnType;
import org.veil.config.VeilConfig;

/**
 * pgjdbc's result metadata, with encrypted columns reported by the type their values have for
 * the application (declared with {@code :type=} or by an {@code @Encrypted} member's Java type)
 * rather than their physical {@code bytea} or {@code text}.
 */
final class VeilResultSetMetaData extends ForwardingResultSetMetaData<ResultSetMetaData> {

  private final ResultColumns columns;
  private final VeilConfig config;

  VeilResultSetMetaData(ResultSetMetaData delegate, ResultColumns columns, VeilConfig config) {
    super(delegate);
    this.columns = columns;
    this.config = config;
  }

  private ColumnType declared(int column) {
    ColumnPolicy p = columns.policy(column);
    return p == null ? null : config.typeOf(p);
  }

  // Overridden java.sql.ResultSetMetaData methods

  @Override
  public int getColumnType(int column) throws SQLException {
    ColumnType t = declared(column);
    return t == null ? delegate.getColumnType(column) : t.jdbcType();
  }

  @Override
  public String getColumnTypeName(int column) throws SQLException {
    ColumnType t = declared(column);
    return t == null ? delegate.getColumnTypeName(column) : t.typeName();
  }

  @Override
  public String getColumnClassName(int column) throws SQLException {
    ColumnType t = declared(column);
    return t == null ? delegate.getColumnClassName(column) : t.javaClassName();
  }
}
