package org.veil.it.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.veil.tools.Veil;

/**
 * {@code veil.guard}: what the driver's first connection does about encrypted columns that have
 * no validated database-side guard. Each test has a keyring of its own, so a configuration, and
 * so a runtime and a first connection, of its own.
 */
class GuardAtConnectIT {

  private final ToolFixture fx = new ToolFixture("guard_conn.secret, guard_conn.photo",
      "guard-connect");
  private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
  private final Logger logger = Logger.getLogger("org.veil.jdbc.GuardCheck");
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      if (r.getLevel().intValue() >= Level.WARNING.intValue()
          && String.valueOf(r.getMessage()).contains("guard_conn")) {
        warnings.add(r);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void createTable() throws SQLException {
    logger.addHandler(capture);
    fx.exec("DROP TABLE IF EXISTS guard_conn",
        "CREATE TABLE guard_conn (id int PRIMARY KEY, secret text, photo bytea)");
  }

  @AfterEach
  void removeHandler() {
    logger.removeHandler(capture);
  }

  private Properties settings(String guard) {
    Properties props = fx.veilSettings(fx.keyFile);
    if (guard != null) {
      props.setProperty("veil.guard", guard);
    }
    return props;
  }

  private int guardAdd(String... more) {
    List<String> args = new java.util.ArrayList<>(fx.args("add", more));
    args.add(0, "guard");
    args.add("--password=" + fx.server.password());
    return Veil.run(args.toArray(String[]::new));
  }

  @Test
  void columnsWithoutAGuardAreLoggedOnceAtTheFirstConnectionByDefault() throws SQLException {
    try (Connection first = fx.server.veilConnection(settings(null));
        Connection second = fx.server.veilConnection(settings(null))) {
      assertThat(first.isValid(5)).isTrue();
      assertThat(second.isValid(5)).isTrue();
    }

    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).getMessage())
        .contains("public.guard_conn.secret (no guard)")
        .contains("public.guard_conn.photo (no guard)")
        .contains("veil guard add --table public.guard_conn");
  }

  @Test
  void aNotValidGuardIsLoggedAsNotValidated() throws SQLException {
    fx.exec("INSERT INTO guard_conn VALUES (1, 'plaintext', NULL)");
    assertThat(guardAdd("--table", "guard_conn", "--not-valid")).isZero();

    try (Connection c = fx.server.veilConnection(settings("warn"))) {
      assertThat(c.isValid(5)).isTrue();
    }

    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0).getMessage())
        .contains("public.guard_conn.secret (guard not validated")
        .doesNotContain("photo");
  }

  @Test
  void requireRefusesToConnectWhileAColumnHasNoValidatedGuard() throws SQLException {
    assertThatThrownBy(() -> fx.server.veilConnection(settings("require")).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("veil.guard=require")
        .hasMessageContaining("public.guard_conn.secret (no guard)")
        .hasMessageContaining("veil guard add --table public.guard_conn")
        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08004");

    assertThat(guardAdd("--table", "guard_conn")).isZero();

    try (Connection c = fx.server.veilConnection(settings("require"))) {
      assertThat(c.isValid(5)).as("the same configuration connects once guarded").isTrue();
    }
    assertThat(warnings).isEmpty();
  }

  @Test
  void guardedColumnsConnectWithoutAWarning() throws SQLException {
    assertThat(guardAdd("--table", "guard_conn")).isZero();

    try (Connection c = fx.server.veilConnection(settings("warn"))) {
      assertThat(c.isValid(5)).isTrue();
    }

    assertThat(warnings).isEmpty();
  }

  @Test
  void offDoesNotLookAtTheGuards() throws SQLException {
    try (Connection c = fx.server.veilConnection(settings("off"))) {
      assertThat(c.isValid(5)).isTrue();
    }

    assertThat(warnings).isEmpty();
  }
}
