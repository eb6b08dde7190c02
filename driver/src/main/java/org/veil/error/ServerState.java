package org.veil.error;

import java.sql.SQLException;

/**
 * The SQLSTATEs of PostgreSQL's (and pgjdbc's) own errors that Veil inspects, to tell, for
 * instance, a missing table from another failure or a retryable conflict from a real error.
 * Veil never raises these itself as its own errors (it raises {@link VeilError}s, some of which
 * share a code with a constant here).
 */
public enum ServerState {

  /** 42P01 undefined_table. */
  UNDEFINED_TABLE("42P01"),

  /** 3F000 invalid_schema_name. */
  INVALID_SCHEMA_NAME("3F000"),

  /** 42804 datatype_mismatch: text assigned to a bytea column, among others. */
  DATATYPE_MISMATCH("42804"),

  /** 42883 undefined_function: {@code bytea = text}, among others. */
  UNDEFINED_FUNCTION("42883"),

  /** 42501 insufficient_privilege: for instance, the role does not own the table. */
  INSUFFICIENT_PRIVILEGE("42501"),

  /** 40001 serialization_failure. */
  SERIALIZATION_FAILURE("40001"),

  /** 40P01 deadlock_detected. */
  DEADLOCK_DETECTED("40P01"),

  /** 55P03 lock_not_available ({@code NOWAIT}, {@code lock_timeout}). */
  LOCK_NOT_AVAILABLE("55P03");

  private final String sqlState;

  ServerState(String sqlState) {
    this.sqlState = sqlState;
  }

  /** The five-character SQLSTATE; never null. */
  public String sqlState() {
    return sqlState;
  }

  /** Whether {@code e} (not its cause or next exception) carries this state. */
  public boolean matches(SQLException e) {
    return sqlState.equals(e.getSQLState());
  }
}
