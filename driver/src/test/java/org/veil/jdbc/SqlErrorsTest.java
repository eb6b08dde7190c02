package org.veil.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/**
 * How a Veil error reaches the application: its SQLSTATE, the JDBC subclass of the SQLSTATE's
 * class, its message and cause, and where it was raised. (What pools and Spring make of each
 * error is checked against the real HikariCP and Spring in the integration tests'
 * {@code SqlStateMappingIT}.)
 */
class SqlErrorsTest {

  static Stream<Arguments> subclasses() {
    return Stream.of(
        Arguments.of(VeilError.CONNECTION_REFUSED, SQLNonTransientConnectionException.class),
        Arguments.of(VeilError.INVALID_CONFIGURATION, SQLDataException.class),
        Arguments.of(VeilError.CELL_INVALID, SQLDataException.class),
        Arguments.of(VeilError.OPERATION_REFUSED, SQLSyntaxErrorException.class),
        Arguments.of(VeilError.PLAINTEXT_REFUSED, SQLSyntaxErrorException.class),
        Arguments.of(VeilError.COLUMN_CONVERTED, SQLTransactionRollbackException.class),
        Arguments.of(VeilError.KEY_PROVIDER_FAILED, SQLException.class),
        Arguments.of(VeilError.NOT_READY, SQLException.class));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("subclasses")
  void theSubclassIsTheOneJdbcGivesTheSqlStateClass(VeilError error,
      Class<? extends SQLException> subclass) {
    SQLException e = SqlErrors.of(error, "message");
    assertThat((Throwable) e).isExactlyInstanceOf(subclass);
    assertThat(e.getSQLState()).isEqualTo(error.sqlState());
  }

  @ParameterizedTest
  @EnumSource(VeilError.class)
  void noErrorLooksLikeATimeoutOrCarriesAVendorCodeThatPoolsEvictFor(VeilError error) {
    SQLException e = SqlErrors.of(error, "message");
    assertThat((Throwable) e).isNotInstanceOf(SQLTimeoutException.class);
    assertThat(e.getErrorCode()).isZero();
    assertThat((Throwable) e.getNextException()).isNull();
  }

  @Test
  void aVeilExceptionKeepsItsMessageAndCause() {
    IOException cause = new IOException("disk");
    VeilException raised = new VeilException(VeilError.INVALID_CONFIGURATION,
        "cannot read veil.config=/etc/veil.properties", cause);
    SQLException reported = SqlErrors.of(raised);
    assertThat(reported.getSQLState()).isEqualTo("22023");
    assertThat((Throwable) reported).hasMessage("cannot read veil.config=/etc/veil.properties");
    assertThat(reported.getCause()).isSameAs(cause);
  }

  @Test
  void aVeilExceptionIsReportedWithTheStackTraceOfWhereItWasRaised() {
    VeilException raised = raiseBelowTheJdbcLayer();
    SQLException reported = SqlErrors.of(raised);
    assertThat(reported.getStackTrace()).isEqualTo(raised.getStackTrace());
    assertThat(reported.getStackTrace()[0].getMethodName()).isEqualTo("raiseBelowTheJdbcLayer");
  }

  private static VeilException raiseBelowTheJdbcLayer() {
    return new VeilException(VeilError.OPERATION_REFUSED, "refused");
  }
}
