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

  /**
   * Whether a failure with {@code sqlState} may pass when the same work is done again, by its
   * class: a connection exception (08), a transaction rollback (40: serialization failure,
   * deadlock), insufficient resources (53), operator intervention (57: shutdown, cancel), a
   * system error (58, also Veil's key provider failure), an internal error (XX), a lock not
   * taken (55P03) or a read-only transaction where a primary was needed (25006). Everything else
   * (data, integrity, credentials, names, privileges, prerequisite state, configuration) says
   * that something must be changed first. Null (no SQLSTATE) counts as may pass.
   */
  public static boolean mayPassWhenRetried(String sqlState) {
    if (sqlState == null || sqlState.length() != 5) {
      return true;
    }
    if (sqlState.equals(LOCK_NOT_AVAILABLE.sqlState) || sqlState.equals("25006")) {
      return true;
    }
    return switch (sqlState.substring(0, 2)) {
      case "08", "40", "53", "57", "58", "XX" -> true;
      default -> false;
    };
  }

  /**
   * Whether {@code sqlState} says that the connection itself is gone, not only the statement:
   * a connection exception (08), or the server terminating the session (57P01 admin shutdown,
   * 57P02 crash shutdown, 57P03 cannot connect now, 57P05 idle session timeout). Null counts as
   * gone.
   */
  public static boolean isConnectionLost(String sqlState) {
    return sqlState == null || sqlState.startsWith("08") || sqlState.startsWith("57P");
  }

  /** Whether {@code e} (not its cause or next exception) carries this state. */
  public boolean matches(SQLException e) {
    return sqlState.equals(e.getSQLState());
  }
}
