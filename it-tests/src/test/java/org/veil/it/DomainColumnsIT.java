package org.veil.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * Encrypted columns declared with a domain over {@code bytea} or {@code text}: the server reports
 * the domain as the result column's type, so Veil must still find how the column stores cells.
 */
class DomainColumnsIT {

  private static final String TAG = "plain" + Long.toHexString(new java.util.Random().nextLong());

  private static PostgresServer server;
  private static Properties veil;

  @BeforeAll
  static void setUp() throws SQLException {
    NoSecretsInLogs.register(TAG);
    server = TestPostgres.shared();
    veil = EncryptedTables.veilSettings(EncryptedTables.newMasterKeyFile(),
        "domain_things.cell, domain_things.texted:deterministic", "domain-it");
    EncryptedTables.execPlain(server,
        "DROP TABLE IF EXISTS domain_things", "DROP DOMAIN IF EXISTS veil_cell_bytes",
        "DROP DOMAIN IF EXISTS veil_cell_text",
        "CREATE DOMAIN veil_cell_bytes AS bytea", "CREATE DOMAIN veil_cell_text AS text",
        "CREATE TABLE domain_things (id int PRIMARY KEY, cell veil_cell_bytes,"
            + " texted veil_cell_text)");
  }

  @Test
  void cellsInDomainColumnsAreWrittenInTheDomainsFormAndReadBack() throws SQLException {
    try (Connection c = server.veilConnection(veil)) {
      try (PreparedStatement insert = c.prepareStatement(
          "INSERT INTO domain_things (id, cell, texted) VALUES (?, ?, ?)")) {
        insert.setInt(1, 1);
        insert.setString(2, TAG + "-bytes");
        insert.setString(3, TAG + "-text");
        insert.executeUpdate();
      }
      try (PreparedStatement select = c.prepareStatement(
          "SELECT cell, texted FROM domain_things WHERE texted = ?")) {
        select.setString(1, TAG + "-text");
        try (ResultSet r = select.executeQuery()) {
          assertThat(r.next()).isTrue();
          assertThat(r.getString(1)).isEqualTo(TAG + "-bytes");
          assertThat(r.getString("texted")).isEqualTo(TAG + "-text");
          assertThat(r.getObject(1)).isEqualTo(TAG + "-bytes");
        }
      }
    }
    try (Connection raw = server.plainConnection();
        PreparedStatement select = raw.prepareStatement(
            "SELECT cell, texted FROM domain_things WHERE id = 1");
        ResultSet r = select.executeQuery()) {
      assertThat(r.next()).isTrue();
      byte[] cell = r.getBytes(1);
      assertThat(cell[0]).isEqualTo((byte) 'V');
      assertThat(new String(cell, StandardCharsets.ISO_8859_1)).doesNotContain(TAG);
      assertThat(r.getString(2)).startsWith("veil:").doesNotContain(TAG);
    }
  }
}
