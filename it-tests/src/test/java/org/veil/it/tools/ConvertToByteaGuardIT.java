package org.veil.it.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The guard and encrypt-existing --convert-to-bytea: the swap hands the new bytea column over
 * guarded, so that a writer that does not use Veil cannot store plaintext in it afterwards.
 */
class ConvertToByteaGuardIT {

  private static final int ROWS = 500;

  private final ToolFixture fx = new ToolFixture("guard_conv.secret, guard_conv_guarded.secret",
      "tools-convert-guard");

  private void createTable(String table) throws SQLException {
    fx.exec("DROP TABLE IF EXISTS " + table + " CASCADE",
        "CREATE TABLE " + table + " (id bigint PRIMARY KEY, secret text)",
        "INSERT INTO " + table + " SELECT g, 'secret ' || g FROM generate_series(1, " + ROWS
            + ") g",
        "DROP TABLE IF EXISTS " + table + "_jobs, " + table + "_jobs_ranges, " + table
            + "_jobs_progress, " + table + "_jobs_conversions CASCADE");
  }

  @Test
  void plaintextUpdatesAfterTheConvertToByteaSwapAreRefusedByTheDatabase() throws Exception {
    createTable("guard_conv");

    assertThat(fx.run("encrypt-existing", "--table", "guard_conv", "--convert-to-bytea",
        "--job-table", "guard_conv_jobs")).isZero();

    assertThat(guardsOf("guard_conv")).containsEntry("veil_guard_secret", "bytea validated");
    int refused = 0;
    try (Connection plain = fx.plain(); PreparedStatement update = plain.prepareStatement(
        "UPDATE guard_conv SET secret = convert_to(?, 'UTF8') WHERE id = ?")) {
      for (long id = 1; id <= 64; id++) {
        update.setString(1, "plaintext after the swap " + id);
        update.setLong(2, id);
        try {
          update.executeUpdate();
        } catch (SQLException e) {
          assertThat(e.getSQLState()).isEqualTo("23514");
          assertThat(e.getMessage()).contains("veil_guard_secret");
          refused++;
        }
      }
    }
    assertThat(refused).isEqualTo(64);
    assertThatThrownBy(() -> fx.exec("INSERT INTO guard_conv (id, secret) VALUES (9999,"
        + " 'plain'::bytea)")).isInstanceOf(SQLException.class)
        .hasMessageContaining("veil_guard_secret");
    assertThat(fx.scalar("SELECT count(*) FROM guard_conv WHERE substr(secret, 1, 2) <>"
        + " '\\x564c'::bytea")).as("values that are not cells").isZero();
  }

  @Test
  void aGuardedTextColumnIsConvertedAndItsGuardFollowsTheKeptAsideColumn() throws Exception {
    createTable("guard_conv_guarded");
    assertThat(fx.run("encrypt-existing", "--table", "guard_conv_guarded", "--job-table",
        "guard_conv_guarded_jobs")).isZero();
    assertThat(guardsOf("guard_conv_guarded"))
        .containsEntry("veil_guard_secret", "text validated");

    assertThat(fx.run("encrypt-existing", "--table", "guard_conv_guarded", "--convert-to-bytea",
        "--job-table", "guard_conv_guarded_jobs")).isZero();

    assertThat(guardsOf("guard_conv_guarded"))
        .containsEntry("veil_guard_secret", "bytea validated")
        .containsEntry("veil_guard_secret__veil_text", "text validated")
        .doesNotContainKey("veil_guard_secret__veil_bytea");
    assertThat(fx.text("SELECT a.attname FROM pg_constraint k JOIN pg_attribute a"
        + " ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] WHERE k.conrelid ="
        + " 'guard_conv_guarded'::regclass AND k.conname = 'veil_guard_secret'"))
        .isEqualTo("secret");

    assertThat(fx.run("encrypt-existing", "--table", "guard_conv_guarded", "--convert-to-bytea",
        "--drop-old", "--job-table", "guard_conv_guarded_jobs")).isZero();
    assertThat(guardsOf("guard_conv_guarded")).containsOnlyKeys("veil_guard_secret");
  }

  /** The guards of {@code table}: name → the type of the column it checks and its state. */
  private Map<String, String> guardsOf(String table) throws SQLException {
    Map<String, String> guards = new LinkedHashMap<>();
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT k.conname, format_type(a.atttypid, -1) || CASE"
            + " WHEN k.convalidated THEN ' validated' ELSE ' not valid' END"
            + " FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid"
            + " AND a.attnum = k.conkey[1] WHERE k.conrelid = '" + table + "'::regclass"
            + " AND k.contype = 'c' AND k.conname LIKE 'veil\\_guard\\_%'")) {
      while (rs.next()) {
        guards.put(rs.getString(1), rs.getString(2));
      }
    }
    return guards;
  }
}
