package org.veil.it.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The jobs that seal or open cells do not bind rows yet: on a row-bound column ({@code :bind=})
 * they would write cells that never open, so they refuse it, naming it, and change nothing.
 */
class RowBoundToolsIT {

  private final ToolFixture fx = new ToolFixture("tool_bound.secret:bind=id", "tools-bound");

  private String stored() throws SQLException {
    try (Connection plain = fx.plain(); Statement s = plain.createStatement();
        ResultSet rs = s.executeQuery("SELECT string_agg(secret, ',' ORDER BY id)"
            + " FROM tool_bound")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void jobsThatSealOrOpenCellsRefuseARowBoundColumnAndChangeNothing() throws Exception {
    fx.exec("DROP TABLE IF EXISTS tool_bound",
        "CREATE TABLE tool_bound (id bigint PRIMARY KEY, secret text)",
        "INSERT INTO tool_bound VALUES (1, 'a'), (2, 'b')",
        "DROP TABLE IF EXISTS veil_jobs CASCADE", "DROP TABLE IF EXISTS veil_jobs_ranges CASCADE",
        "DROP TABLE IF EXISTS veil_jobs_progress CASCADE");
    for (String[] command : new String[][] {
        {"encrypt-existing", "--table", "tool_bound"},
        {"decrypt-column", "--table", "tool_bound", "--columns", "secret"},
        {"rotate-branch", "--table", "tool_bound", "--retire", "inactive"}}) {
      ToolFixture.Output refused = fx.runCapturingErr(command[0],
          java.util.Arrays.copyOfRange(command, 1, command.length));
      assertThat(refused.exit()).as(command[0]).isNotZero();
      assertThat(refused.text()).as(command[0]).contains("veil " + command[0])
          .contains("public.tool_bound.secret").contains("public.tool_bound.id");
    }
    assertThat(stored()).isEqualTo("a,b");
  }
}
