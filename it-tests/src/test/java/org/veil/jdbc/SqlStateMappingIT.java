package org.veil.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.ProxyConnection;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransactionRollbackException;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.CannotSerializeTransactionException;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionSubclassTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.jdbc.support.SQLStateSQLExceptionTranslator;
import org.veil.error.VeilError;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * Every Veil error, as the application gets it, against the real classifiers that decide what
 * happens next: HikariCP's (does the pool keep the connection?) and Spring's three translators
 * (which {@code DataAccessException}?). The expected values are written out here, one row per
 * {@link VeilError}; the README's table of SQLSTATEs says the same.
 *
 * <p>HikariCP decides in {@code ProxyConnection.checkException}, which every proxy method calls
 * with the {@code SQLException} it caught; it is package-private, so this test calls it by
 * reflection on a connection borrowed from a real pool, and reads the verdict from the
 * connection: an evicted one is closed at once.
 */
class SqlStateMappingIT {

  /** {@code null}: Spring finds no category (JdbcTemplate reports UncategorizedSQLException). */
  private static final Class<? extends DataAccessException> UNCATEGORIZED = null;

  record Row(VeilError error, String sqlState, Class<? extends SQLException> jdbcType,
      boolean poolKeepsConnection, Class<? extends DataAccessException> springByErrorCodes,
      Class<? extends DataAccessException> springBySqlState,
      Class<? extends DataAccessException> springBySubclass) {

    @Override
    public String toString() {
      return error.name();
    }
  }

  /**
   * Spring reports 40001 as a {@code PessimisticLockingFailureException} in all three ways, a
   * {@code ConcurrencyFailureException} that Spring's retry support runs again; by error code
   * still as the deprecated {@code CannotSerializeTransactionException}.
   */
  @SuppressWarnings("deprecation")
  static List<Row> rows() {
    return List.of(
        // opening a connection: class 08, evicted, but there is no pooled connection yet
        new Row(VeilError.CONNECTION_REFUSED, "08001", SQLNonTransientConnectionException.class,
            false, DataAccessResourceFailureException.class,
            DataAccessResourceFailureException.class, DataAccessResourceFailureException.class),
        new Row(VeilError.CONNECTION_REJECTED, "08004", SQLNonTransientConnectionException.class,
            false, DataAccessResourceFailureException.class,
            DataAccessResourceFailureException.class, DataAccessResourceFailureException.class),
        // configuration
        new Row(VeilError.INVALID_CONFIGURATION, "22023", SQLDataException.class, true,
            DataIntegrityViolationException.class, DataIntegrityViolationException.class,
            DataIntegrityViolationException.class),
        new Row(VeilError.UNDEFINED_COLUMN, "42703", SQLSyntaxErrorException.class, true,
            BadSqlGrammarException.class, BadSqlGrammarException.class,
            BadSqlGrammarException.class),
        new Row(VeilError.DATATYPE_MISMATCH, "42804", SQLSyntaxErrorException.class, true,
            BadSqlGrammarException.class, BadSqlGrammarException.class,
            BadSqlGrammarException.class),
        // statements
        new Row(VeilError.OPERATION_REFUSED, "42000", SQLSyntaxErrorException.class, true,
            BadSqlGrammarException.class, BadSqlGrammarException.class,
            BadSqlGrammarException.class),
        new Row(VeilError.PLAINTEXT_REFUSED, "42501", SQLSyntaxErrorException.class, true,
            BadSqlGrammarException.class, BadSqlGrammarException.class,
            BadSqlGrammarException.class),
        new Row(VeilError.INVALID_VALUE, "22P02", SQLDataException.class, true,
            DataIntegrityViolationException.class, DataIntegrityViolationException.class,
            DataIntegrityViolationException.class),
        new Row(VeilError.STREAM_UNREADABLE, "58030", SQLException.class, true,
            DataAccessResourceFailureException.class, DataAccessResourceFailureException.class,
            DataAccessResourceFailureException.class),
        new Row(VeilError.COLUMN_CONVERTED, "40001", SQLTransactionRollbackException.class, true,
            CannotSerializeTransactionException.class, CannotAcquireLockException.class,
            CannotAcquireLockException.class),
        new Row(VeilError.SEARCH_PATH_CHANGED, "55000", SQLException.class, true,
            UNCATEGORIZED, UNCATEGORIZED, UNCATEGORIZED),
        new Row(VeilError.SEARCH_PATH_UNREADABLE, "25P02", SQLException.class, true,
            UNCATEGORIZED, UNCATEGORIZED, UNCATEGORIZED),
        // reading and keys
        new Row(VeilError.CELL_INVALID, "22000", SQLDataException.class, true,
            DataIntegrityViolationException.class, DataIntegrityViolationException.class,
            DataIntegrityViolationException.class),
        new Row(VeilError.KEY_PROVIDER_FAILED, "58000", SQLException.class, true,
            DataAccessResourceFailureException.class, DataAccessResourceFailureException.class,
            DataAccessResourceFailureException.class),
        new Row(VeilError.PRIMARY_NEEDED, "25006", SQLException.class, true,
            UNCATEGORIZED, UNCATEGORIZED, UNCATEGORIZED),
        // command-line jobs (they run outside pools and Spring; listed all the same)
        new Row(VeilError.JOB_CONFLICT, "40001", SQLTransactionRollbackException.class, true,
            CannotSerializeTransactionException.class, CannotAcquireLockException.class,
            CannotAcquireLockException.class),
        new Row(VeilError.LOCK_NOT_AVAILABLE, "55P03", SQLException.class, true,
            CannotAcquireLockException.class, UNCATEGORIZED, UNCATEGORIZED),
        new Row(VeilError.NOT_READY, "55000", SQLException.class, true,
            UNCATEGORIZED, UNCATEGORIZED, UNCATEGORIZED),
        new Row(VeilError.UNDEFINED_TABLE, "42P01", SQLSyntaxErrorException.class, true,
            BadSqlGrammarException.class, BadSqlGrammarException.class,
            BadSqlGrammarException.class),
        new Row(VeilError.INVALID_NAME, "42602", SQLSyntaxErrorException.class, true,
            BadSqlGrammarException.class, BadSqlGrammarException.class,
            BadSqlGrammarException.class),
        new Row(VeilError.DUPLICATE_OBJECT, "42710", SQLSyntaxErrorException.class, true,
            BadSqlGrammarException.class, BadSqlGrammarException.class,
            BadSqlGrammarException.class),
        new Row(VeilError.NAME_TOO_LONG, "42622", SQLSyntaxErrorException.class, true,
            BadSqlGrammarException.class, BadSqlGrammarException.class,
            BadSqlGrammarException.class),
        new Row(VeilError.DUPLICATE_COLUMN, "42701", SQLSyntaxErrorException.class, true,
            BadSqlGrammarException.class, BadSqlGrammarException.class,
            BadSqlGrammarException.class));
  }

  private static PostgresServer server;
  private static HikariDataSource pool;
  private static Method checkException;

  @BeforeAll
  static void startPool() throws Exception {
    server = TestPostgres.shared();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(server.veilUrl() + "?sslrootcert=" + server.caCertificate());
    config.setUsername(server.user());
    config.setPassword(server.password());
    config.setMaximumPoolSize(2);
    pool = new HikariDataSource(config);
    checkException = ProxyConnection.class.getDeclaredMethod("checkException",
        SQLException.class);
    checkException.setAccessible(true);
  }

  @AfterAll
  static void stopPool() {
    if (pool != null) {
      pool.close();
    }
  }

  @Test
  void everyVeilErrorHasARow() {
    assertThat(rows().stream().map(Row::error).collect(Collectors.toList()))
        .containsExactlyInAnyOrder(VeilError.values());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void theErrorCarriesItsSqlStateInTheJdbcSubclassOfItsClass(Row row) {
    SQLException e = SqlErrors.of(row.error(), "a refusal");
    assertThat(e.getSQLState()).isEqualTo(row.sqlState());
    assertThat((Throwable) e).isExactlyInstanceOf(row.jdbcType());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void hikariCpKeepsTheConnectionUnlessTheConnectionWasNeverOpened(Row row) throws Exception {
    SQLException e = SqlErrors.of(row.error(), "a refusal");
    try (Connection borrowed = pool.getConnection()) {
      assertThat(borrowed.isClosed()).isFalse();
      checkException.invoke(borrowed, e);
      assertThat(!borrowed.isClosed()).as("HikariCP keeps the connection after %s (%s)",
          row.error(), row.sqlState()).isEqualTo(row.poolKeepsConnection());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void springsErrorCodeTranslatorForPostgresql(Row row) {
    assertTranslation(new SQLErrorCodeSQLExceptionTranslator("PostgreSQL"), row,
        row.springByErrorCodes());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void springsSqlStateTranslator(Row row) {
    assertTranslation(new SQLStateSQLExceptionTranslator(), row, row.springBySqlState());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void springsSubclassTranslator(Row row) {
    assertTranslation(new SQLExceptionSubclassTranslator(), row, row.springBySubclass());
  }

  private static void assertTranslation(SQLExceptionTranslator translator, Row row,
      Class<? extends DataAccessException> expected) {
    SQLException e = SqlErrors.of(row.error(), "a refusal");
    DataAccessException translated = translator.translate("statement", null, e);
    if (expected == null) {
      assertThat(translated).as("%s (%s)", row.error(), row.sqlState()).isNull();
    } else {
      assertThat(translated).as("%s (%s)", row.error(), row.sqlState())
          .isExactlyInstanceOf(expected);
      assertThat(translated.getCause()).isSameAs(e);
    }
  }
}
