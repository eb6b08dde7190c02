package org.veil.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.util.Properties;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * Values that reach the application with no column of their own (function results, {@code
 * RETURNS TABLE} and {@code SETOF} rows, OUT parameters of functions and procedures, refcursors)
 * against real PostgreSQL functions: a Veil cell among them is opened under the configured column
 * it was sealed for, or refused; it is never returned as data. Cells in a base column that is not
 * configured are refused, and named parameters Veil cannot place are refused.
 */
class FunctionResultsIT {

  private static final String TAG = "plain" + Long.toHexString(new java.util.Random().nextLong());
  private static final String SSN = "ann-ssn-" + TAG;
  private static final String EMAIL = "ann@" + TAG;
  private static final LocalDate BORN = LocalDate.of(1990, 1, 2);

  private static PostgresServer server;
  private static Properties veil;

  @BeforeAll
  static void setUp() throws SQLException {
    NoSecretsInLogs.register(TAG);
    server = TestPostgres.shared();
    Path keyFile = EncryptedTables.newMasterKeyFile();
    veil = EncryptedTables.veilSettings(keyFile, "fr_people.ssn, fr_people.email:deterministic,"
        + " fr_people.born:type=date, fr_people.age:type=int4", "function-results");
    EncryptedTables.execPlain(server,
        "DROP TABLE IF EXISTS fr_people, fr_copies, fr_other CASCADE",
        "CREATE TABLE fr_people (id int PRIMARY KEY, name text, ssn bytea, email text,"
            + " born bytea, age bytea)",
        "CREATE TABLE fr_copies (id int PRIMARY KEY, ssn_copy bytea, email_copy text)",
        "CREATE TABLE fr_other (id int PRIMARY KEY, secret bytea, memo text)",
        "CREATE OR REPLACE FUNCTION fr_ssn_of(p_id int) RETURNS bytea LANGUAGE sql STABLE"
            + " AS 'SELECT ssn FROM fr_people WHERE id = p_id'",
        "CREATE OR REPLACE FUNCTION fr_email_of(p_id int) RETURNS text LANGUAGE plpgsql"
            + " AS $$ BEGIN RETURN (SELECT email FROM fr_people WHERE id = p_id); END $$",
        "CREATE OR REPLACE FUNCTION fr_age_of(p_id int) RETURNS bytea LANGUAGE sql"
            + " AS 'SELECT age FROM fr_people WHERE id = p_id'",
        "CREATE OR REPLACE FUNCTION fr_people_named(p_name text) RETURNS TABLE (person_id int,"
            + " person_ssn bytea, person_email text) LANGUAGE sql"
            + " AS 'SELECT id, ssn, email FROM fr_people WHERE name = p_name'",
        "CREATE OR REPLACE FUNCTION fr_all_people() RETURNS SETOF fr_people LANGUAGE sql"
            + " AS 'SELECT * FROM fr_people ORDER BY id'",
        "CREATE OR REPLACE FUNCTION fr_person(p_id int, OUT o_ssn bytea, OUT o_born bytea)"
            + " LANGUAGE sql AS 'SELECT ssn, born FROM fr_people WHERE id = p_id'",
        "CREATE OR REPLACE PROCEDURE fr_person_proc(p_id int, INOUT o_ssn bytea,"
            + " INOUT o_email text) LANGUAGE plpgsql AS $$ BEGIN"
            + " SELECT ssn, email INTO o_ssn, o_email FROM fr_people WHERE id = p_id; END $$",
        "CREATE OR REPLACE FUNCTION fr_cursor() RETURNS refcursor LANGUAGE plpgsql AS $$"
            + " DECLARE c refcursor; BEGIN OPEN c FOR SELECT id, ssn FROM fr_people ORDER BY id;"
            + " RETURN c; END $$",
        "CREATE OR REPLACE FUNCTION fr_other_secret(p_id int) RETURNS bytea LANGUAGE sql"
            + " AS 'SELECT secret FROM fr_other WHERE id = p_id'",
        "CREATE OR REPLACE FUNCTION fr_other_memo(p_id int) RETURNS text LANGUAGE sql"
            + " AS 'SELECT memo FROM fr_other WHERE id = p_id'",
        "CREATE OR REPLACE FUNCTION fr_tampered(p_id int) RETURNS bytea LANGUAGE sql"
            + " AS 'SELECT overlay(ssn placing ''\\x00''::bytea from length(ssn) for 1)"
            + " FROM fr_people WHERE id = p_id'",
        "CREATE OR REPLACE FUNCTION fr_id_of(p_name text) RETURNS int LANGUAGE sql"
            + " AS 'SELECT id FROM fr_people WHERE name = p_name'");
    try (Connection c = veil();
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO fr_people (id, name, ssn, email, born, age) VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setInt(1, 1);
      ps.setString(2, "Ann");
      ps.setString(3, SSN);
      ps.setString(4, EMAIL);
      ps.setObject(5, BORN);
      ps.setInt(6, 41);
      ps.executeUpdate();
    }
    EncryptedTables.execPlain(server,
        "INSERT INTO fr_copies SELECT id, ssn, email FROM fr_people");
    // Cells of a column that this test's configuration does not name, sealed by another one
    // with the same keys.
    Properties other = EncryptedTables.veilSettings(keyFile, "fr_other.secret, fr_other.memo",
        "function-results");
    try (Connection c = server.veilConnection(other);
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO fr_other (id, secret, memo) VALUES (?, ?, ?)")) {
      ps.setInt(1, 1);
      ps.setString(2, "secret-" + TAG);
      ps.setString(3, "memo-" + TAG);
      ps.executeUpdate();
    }
  }

  private static Connection veil() throws SQLException {
    return server.veilConnection(veil);
  }

  private static void assertRefusedCell(ThrowingCallable getter, String... messageParts) {
    var refusal = assertThatThrownBy(getter).isInstanceOf(SQLException.class);
    for (String part : messageParts) {
      refusal.hasMessageContaining(part);
    }
    refusal.hasMessageNotContaining(TAG)
        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("22000");
  }

  @Test
  void functionReturningAnEncryptedColumnsCellGivesItsOpenedValueAsOutParameter()
      throws SQLException {
    try (Connection c = veil(); CallableStatement call = c.prepareCall("{? = call fr_ssn_of(?)}")) {
      call.registerOutParameter(1, Types.BINARY);
      call.setInt(2, 1);
      call.execute();
      assertThat(call.getString(1)).isEqualTo(SSN);
      assertThat(call.getObject(1)).isEqualTo(SSN);
      assertThat(call.getBytes(1)).isEqualTo(SSN.getBytes(StandardCharsets.UTF_8));
      assertThat(call.wasNull()).isFalse();
    }
  }

  @Test
  void plpgsqlFunctionReturningATextCellGivesItsOpenedValue() throws SQLException {
    try (Connection c = veil();
        CallableStatement call = c.prepareCall("{? = call fr_email_of(?)}")) {
      call.registerOutParameter(1, Types.VARCHAR);
      call.setInt(2, 1);
      call.execute();
      assertThat(call.getString(1)).isEqualTo(EMAIL);
      try (Reader in = call.getCharacterStream(1)) {
        assertThat(new BufferedReader(in).readLine()).isEqualTo(EMAIL);
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void outParameterHoldingAnIntCellConvertsForTypedGetters() throws SQLException {
    try (Connection c = veil(); CallableStatement call = c.prepareCall("{? = call fr_age_of(?)}")) {
      call.registerOutParameter(1, Types.BINARY);
      call.setInt(2, 1);
      call.execute();
      assertThat(call.getInt(1)).isEqualTo(41);
      assertThat(call.getLong(1)).isEqualTo(41L);
      assertThat(call.getObject(1)).isEqualTo(41);
    }
  }

  @Test
  void viewlessSelectOfAFunctionOpensTheCellItReturns() throws SQLException {
    try (Connection c = veil(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT fr_ssn_of(id), fr_email_of(id), fr_age_of(id)"
            + " FROM fr_people")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(SSN);
      assertThat(rs.getObject(2)).isEqualTo(EMAIL);
      assertThat(rs.getInt(3)).isEqualTo(41);
      assertThat(rs.getObject(3, Integer.class)).isEqualTo(41);
    }
  }

  @Test
  void returnsTableRowsAreOpenedByContext() throws SQLException {
    try (Connection c = veil();
        PreparedStatement ps = c.prepareStatement("SELECT * FROM fr_people_named(?)")) {
      ps.setString(1, "Ann");
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt("person_id")).isEqualTo(1);
        assertThat(rs.getString("person_ssn")).isEqualTo(SSN);
        assertThat(rs.getString("person_email")).isEqualTo(EMAIL);
      }
    }
  }

  @Test
  void setofRowsOfTheEncryptedTableAreOpened() throws SQLException {
    try (Connection c = veil(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM fr_all_people()")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString("ssn")).isEqualTo(SSN);
      assertThat(rs.getObject("born")).isEqualTo(Date.valueOf(BORN));
      assertThat(rs.getDate("born").toLocalDate()).isEqualTo(BORN);
      assertThat(rs.getObject("age")).isEqualTo(41);
    }
  }

  @Test
  void outParametersOfAFunctionAreOpened() throws SQLException {
    try (Connection c = veil();
        CallableStatement call = c.prepareCall("{call fr_person(?, ?, ?)}")) {
      call.setInt(1, 1);
      call.registerOutParameter(2, Types.BINARY);
      call.registerOutParameter(3, Types.BINARY);
      call.execute();
      assertThat(call.getString(2)).isEqualTo(SSN);
      assertThat(call.getObject(3, LocalDate.class)).isEqualTo(BORN);
      assertThat(call.getDate(3)).isEqualTo(Date.valueOf(BORN));
    }
  }

  @Test
  void inoutParametersOfAProcedureCalledWithCallAreOpened() throws SQLException {
    Properties callMode = new Properties();
    callMode.putAll(veil);
    callMode.setProperty("escapeSyntaxCallMode", "callIfNoReturn");
    try (Connection c = server.veilConnection(callMode);
        CallableStatement call = c.prepareCall("{call fr_person_proc(?, ?, ?)}")) {
      call.setInt(1, 1);
      call.setNull(2, Types.BINARY);
      call.registerOutParameter(2, Types.BINARY);
      call.setNull(3, Types.VARCHAR);
      call.registerOutParameter(3, Types.VARCHAR);
      call.execute();
      assertThat(call.getString(2)).isEqualTo(SSN);
      assertThat(call.getString(3)).isEqualTo(EMAIL);
    }
  }

  @Test
  void procedureOutValuesReturnedByNativeCallAreOpened() throws SQLException {
    try (Connection c = veil();
        PreparedStatement ps = c.prepareStatement("CALL fr_person_proc(?, NULL, NULL)")) {
      ps.setInt(1, 1);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString("o_ssn")).isEqualTo(SSN);
        assertThat(rs.getString("o_email")).isEqualTo(EMAIL);
      }
    }
  }

  @Test
  void refcursorResultSetsAreReadThroughVeil() throws SQLException {
    try (Connection c = veil()) {
      c.setAutoCommit(false);
      try (CallableStatement call = c.prepareCall("{? = call fr_cursor()}")) {
        call.registerOutParameter(1, Types.REF_CURSOR);
        call.execute();
        try (ResultSet rs = (ResultSet) call.getObject(1)) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString("ssn")).isEqualTo(SSN);
        }
      }
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT fr_cursor()")) {
        assertThat(rs.next()).isTrue();
        try (ResultSet cursor = rs.getObject(1, ResultSet.class)) {
          assertThat(cursor.next()).isTrue();
          assertThat(cursor.getBytes("ssn")).isEqualTo(SSN.getBytes(StandardCharsets.UTF_8));
        }
      }
      c.rollback();
    }
  }

  @Test
  void cellInABaseColumnThatIsNotConfiguredIsRefusedByEveryGetter() throws SQLException {
    try (Connection c = veil(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT ssn_copy, email_copy FROM fr_copies")) {
      assertThat(rs.next()).isTrue();
      String[] parts = {"ssn_copy", "public.fr_copies.ssn_copy", "cannot trace it"};
      assertRefusedCell(() -> rs.getBytes(1), parts);
      assertRefusedCell(() -> rs.getString(1), parts);
      assertRefusedCell(() -> rs.getObject(1), parts);
      assertRefusedCell(() -> rs.getObject(1, byte[].class), parts);
      assertRefusedCell(() -> rs.getBinaryStream(1), parts);
      assertRefusedCell(() -> rs.getCharacterStream(1), parts);
      assertRefusedCell(() -> rs.getAsciiStream(1), parts);
      String[] text = {"email_copy", "public.fr_copies.email_copy"};
      assertRefusedCell(() -> rs.getString(2), text);
      assertRefusedCell(() -> rs.getNString(2), text);
      assertRefusedCell(() -> rs.getBytes("email_copy"), text);
      assertRefusedCell(() -> rs.getObject("email_copy", String.class), text);
      assertRefusedCell(() -> rs.getCharacterStream(2), text);
    }
  }

  @Test
  void functionResultThatNoConfiguredColumnOpensIsRefused() throws SQLException {
    try (Connection c = veil()) {
      try (CallableStatement call = c.prepareCall("{? = call fr_other_secret(?)}")) {
        call.registerOutParameter(1, Types.BINARY);
        call.setInt(2, 1);
        call.execute();
        assertRefusedCell(() -> call.getBytes(1), "OUT parameter 1",
            "opens under the context of no configured column");
        assertRefusedCell(() -> call.getString(1), "OUT parameter 1");
        assertRefusedCell(() -> call.getObject(1), "OUT parameter 1");
      }
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT fr_other_secret(1) AS s, fr_other_memo(1) AS m")) {
        assertThat(rs.next()).isTrue();
        assertRefusedCell(() -> rs.getBytes("s"), "result column 1 (s)",
            "no configured column");
        assertRefusedCell(() -> rs.getString(2), "result column 2 (m)");
        assertRefusedCell(() -> rs.getAsciiStream(2), "result column 2 (m)");
        assertRefusedCell(() -> rs.getCharacterStream(2), "result column 2 (m)");
      }
    }
  }

  @Test
  void tamperedCellReturnedByAFunctionIsRefusedNotReturned() throws SQLException {
    try (Connection c = veil(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT fr_tampered(1)")) {
      assertThat(rs.next()).isTrue();
      assertRefusedCell(() -> rs.getBytes(1), "result column 1", "altered");
    }
  }

  @Test
  void namedParameterOfAStatementOnAnEncryptedTableIsRefusedNotPassedOn() throws SQLException {
    try (Connection c = veil(); CallableStatement call = c.prepareCall(
        "SELECT id FROM fr_people WHERE email = ? AND id = fr_id_of(p_name => ?)")) {
      assertThatThrownBy(() -> call.setString("email", EMAIL))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("named parameter email")
          .hasMessageNotContaining(TAG)
          .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("42501");
      // A name the SQL passes to a plain argument goes to pgjdbc, which has no named setters.
      assertThatThrownBy(() -> call.setString("p_name", "Ann"))
          .isInstanceOf(SQLFeatureNotSupportedException.class);
    }
  }

  @Test
  void namedParameterOfACallThatMentionsNoEncryptedTableGoesToPgjdbc() throws SQLException {
    try (Connection c = veil(); CallableStatement call = c.prepareCall("{? = call fr_id_of(?)}")) {
      assertThatThrownBy(() -> call.setString("p_name", "Ann"))
          .isInstanceOf(SQLFeatureNotSupportedException.class);
    }
  }

  @Test
  void databaseHoldsOnlyCellsForTheValuesTheFunctionsOpened() throws SQLException {
    try (Connection plain = server.plainConnection(); Statement s = plain.createStatement();
        ResultSet rs = s.executeQuery("SELECT ssn, email FROM fr_people")) {
      assertThat(rs.next()).isTrue();
      assertThat(new String(rs.getBytes(1), 0, 2, StandardCharsets.US_ASCII)).isEqualTo("VL");
      assertThat(rs.getString(2)).startsWith("veil:").doesNotContain(TAG);
    }
  }
}
