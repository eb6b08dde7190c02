package org.veil.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.veil.sql.SessionEffects.CATALOG;
import static org.veil.sql.SessionEffects.NONE;
import static org.veil.sql.SessionEffects.SEARCH_PATH;
import static org.veil.sql.SessionEffects.TRANSACTION_END;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which SQL texts may change how the session resolves table names. */
class SessionEffectsTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "SET search_path = other", "set search_path to other, public", "SET SESSION search_path TO 'other'",
      "SET LOCAL search_path = other", "SET \"SEARCH_PATH\" = other", "SET SCHEMA 'other'",
      "SET ROLE app_reader", "SET LOCAL ROLE app_reader", "SET SESSION AUTHORIZATION app",
      "SET session_authorization = app", "SET U&\"search\\005Fpath\" = other",
      "RESET search_path", "reset all", "RESET ROLE", "RESET SESSION AUTHORIZATION",
      "SELECT set_config('search_path', 'other', false)",
      "SELECT pg_catalog.set_config(?, ?, false)", "SELECT set_config('role', 'x', true)",
      "SELECT set_config(E'search\\x5fpath', 'x', true)",
      "UPDATE pg_settings SET setting = ? WHERE name = ?",
      "/* set by the pool */ SET search_path = other", "-- tenant\nSET search_path = other",
      "SELECT 1; SET search_path = other", "SELECT current_setting('search_path')"})
  void textsThatMayChangeTheSearchPath(String sql) {
    assertThat(SessionEffects.of(sql) & SEARCH_PATH).as(sql).isEqualTo(SEARCH_PATH);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "SET LOCAL app.tenant = '42'", "SET statement_timeout = 1000", "SET TIME ZONE 'UTC'",
      "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SET SESSION CHARACTERISTICS AS"
      + " TRANSACTION READ ONLY", "RESET statement_timeout",
      "SELECT set_config('app.tenant', ?, true)", "SELECT set_config( 'app.user' , 'x', false)",
      "SELECT id FROM users WHERE user_id = ?", "INSERT INTO t (id) VALUES (?)",
      "BEGIN", "SAVEPOINT s1", "RELEASE SAVEPOINT s1", "TRUNCATE t", "SELECT 1"})
  void textsThatLeaveTheSearchPathAlone(String sql) {
    assertThat(SessionEffects.of(sql)).as(sql).isEqualTo(NONE);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "CREATE TABLE t (id int)", "create temporary table t (id int)", "DROP TABLE public.t",
      "ALTER TABLE x RENAME TO t", "ALTER TABLE t SET SCHEMA other", "CREATE SCHEMA other",
      "DROP SCHEMA other CASCADE", "GRANT USAGE ON SCHEMA other TO app",
      "REVOKE USAGE ON SCHEMA other FROM app", "IMPORT FOREIGN SCHEMA remote FROM SERVER s INTO l",
      "REASSIGN OWNED BY a TO b"})
  void ddlMayChangeWhichTablesExist(String sql) {
    assertThat(SessionEffects.of(sql)).as(sql).isEqualTo(CATALOG);
  }

  @ParameterizedTest
  @ValueSource(strings = {"DISCARD ALL", "DISCARD TEMP", "DO $$ BEGIN PERFORM 1; END $$",
      "CALL refresh_tenant()", "{call refresh_tenant(?)}", "{? = call tenant_of(?)}"})
  void codeVeilCannotSeeIntoMayChangeBoth(String sql) {
    assertThat(SessionEffects.of(sql)).as(sql).isEqualTo(SEARCH_PATH | CATALOG);
  }

  @ParameterizedTest
  @ValueSource(strings = {"COMMIT", "END", "ROLLBACK", "abort", "ROLLBACK TO SAVEPOINT s1",
      "ROLLBACK WORK", "PREPARE TRANSACTION 'tx1'", "INSERT INTO log VALUES (1); COMMIT"})
  void transactionEnds(String sql) {
    assertThat(SessionEffects.of(sql)).as(sql).isEqualTo(TRANSACTION_END);
  }
}
