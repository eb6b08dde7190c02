package org.veil.jdbc;

import java.sql.ResultSet;
import java.sql.Statement;

/**
 * A result set seen through Veil. Not thread-safe, like the result set it wraps.
 */
final class VeilResultSet extends ForwardingResultSet<ResultSet> {

  private final VeilStatement<?> statement;

  /**
   * @param statement the statement that produced it, or null for a metadata result, for which
   *     {@link #getStatement()} answers null as JDBC prescribes
   */
  VeilResultSet(ResultSet delegate, VeilStatement<?> statement) {
    super(delegate);
    this.statement = statement;
  }

  // Overridden java.sql.ResultSet methods

  @Override
  public Statement getStatement() {
    return statement;
  }

  @Override
  public String toString() {
    return "VeilResultSet[" + delegate + "]";
  }
}
