package org.veil.jdbc;

import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransactionRollbackException;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/**
 * Where Veil's errors become {@link SQLException}s: the {@link VeilException}s of the layers
 * below JDBC, once each at the JDBC boundary, and the JDBC layer's own {@link VeilError}s.
 *
 * <p>The SQLSTATE is the error's ({@link VeilError#sqlState()}). The subclass follows the
 * SQLSTATE's class as JDBC defines it ({@code 08} {@link SQLNonTransientConnectionException},
 * {@code 22} {@link SQLDataException}, {@code 40} {@link SQLTransactionRollbackException},
 * {@code 42} {@link SQLSyntaxErrorException}, others plain {@code SQLException}), so that code
 * and frameworks that classify by subclass (Spring's {@code SQLExceptionSubclassTranslator},
 * Hibernate) agree with those that classify by code. The vendor error code is always 0: HikariCP
 * evicts connections for some vendor codes. Stateless.
 */
final class SqlErrors {

  private SqlErrors() {}

  /**
   * {@code e} as the application sees it: its message, SQLSTATE and cause, and its stack trace,
   * which shows where below the JDBC layer Veil raised it.
   */
  static SQLException of(VeilException e) {
    SQLException reported = of(e.error(), e.getMessage(), e.getCause());
    reported.setStackTrace(e.getStackTrace());
    return reported;
  }

  /** An error the JDBC layer raises itself. */
  static SQLException of(VeilError error, String message) {
    return of(error, message, null);
  }

  /** An error the JDBC layer raises itself, with the failure underneath ({@code cause}). */
  static SQLException of(VeilError error, String message, Throwable cause) {
    String state = error.sqlState();
    switch (state.substring(0, 2)) {
      case "08":
        return new SQLNonTransientConnectionException(message, state, cause);
      case "22":
        return new SQLDataException(message, state, cause);
      case "40":
        return new SQLTransactionRollbackException(message, state, cause);
      case "42":
        return new SQLSyntaxErrorException(message, state, cause);
      default:
        return new SQLException(message, state, cause);
    }
  }
}
