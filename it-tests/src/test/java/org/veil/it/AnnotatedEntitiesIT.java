package org.veil.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.veil.it.annotated.CrmNote;
import org.veil.it.annotated.SdContact;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * Entities of the mapping libraries applications use, against the real server: their table
 * names come from their own annotations, and a configured table that does not exist does not
 * let the same entity's rows go out unsealed under another name.
 */
class AnnotatedEntitiesIT {

  private static final String TAG = "plain" + Long.toHexString(new java.util.Random().nextLong());

  private static PostgresServer server;
  private static Path keyFile;

  @BeforeAll
  static void setUp() throws SQLException {
    NoSecretsInLogs.register(TAG);
    server = TestPostgres.shared();
    keyFile = EncryptedTables.newMasterKeyFile();
    EncryptedTables.execPlain(server,
        "DROP TABLE IF EXISTS sd_contacts, sd_contact, legacy_contact, legacy_contacts,"
            + " ledger_entry, ledger_entries, crm_note, crmnote",
        "CREATE TABLE sd_contacts (id serial PRIMARY KEY, email bytea, home_phone text)",
        "CREATE TABLE legacy_contacts (id serial PRIMARY KEY, email text)",
        "CREATE TABLE ledger_entries (id serial PRIMARY KEY, memo text)",
        "CREATE TABLE crmnote (id bigint PRIMARY KEY, body text)");
  }

  /** Settings with their own keyring, so that each test has a runtime (and catalog) of its own. */
  private static Properties settings(String columns, String keyring) {
    return EncryptedTables.veilSettings(keyFile, columns, keyring);
  }

  @Test
  void springDataTableNameIsUsedNotTheClassName() throws SQLException {
    Properties veil = settings("", "annotated-sd");
    veil.setProperty("veil.annotatedClasses", SdContact.class.getName());
    try (Connection c = server.veilConnection(veil)) {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO sd_contacts (email, home_phone) VALUES (?, ?)")) {
        ps.setString(1, "ada-" + TAG);
        ps.setString(2, "phone-" + TAG);
        ps.executeUpdate();
      }
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT email, home_phone FROM sd_contacts")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString("email")).isEqualTo("ada-" + TAG);
        assertThat(rs.getString("home_phone")).isEqualTo("phone-" + TAG);
      }
    }
    try (Connection plain = server.plainConnection(); Statement s = plain.createStatement();
        ResultSet rs = s.executeQuery("SELECT email, home_phone FROM sd_contacts")) {
      assertThat(rs.next()).isTrue();
      assertThat(new String(rs.getBytes("email"), 0, 2, StandardCharsets.US_ASCII))
          .as("a cell in the bytea column").isEqualTo("VL");
      assertThat(rs.getString("home_phone")).as("a text cell").startsWith("veil:")
          .doesNotContain(TAG);
    }
  }

  @Test
  void deferredTableCheckRefusesAWriteToTheSameEntityUnderAnotherName() throws SQLException {
    Properties veil = settings("legacy_contact.email", "annotated-legacy");
    try (Connection c = server.veilConnection(veil)) {
      assertThatThrownBy(() -> c.prepareStatement(
          "INSERT INTO legacy_contacts (email) VALUES (?)"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("legacy_contacts")
          .hasMessageContaining("public.legacy_contact does not exist")
          .hasMessageContaining("@EncryptedTable(name = \"legacy_contacts\")")
          .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("42703");
      try (Statement s = c.createStatement()) {
        assertThatThrownBy(() -> s.executeUpdate(
            "UPDATE public.legacy_contacts SET email = 'x' WHERE id = 1"))
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("public.legacy_contacts")
            .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("42703");
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM legacy_contacts")) {
          rs.next();
          assertThat(rs.getLong(1)).as("reads are not refused, and nothing was written")
              .isZero();
        }
      }
    }
  }

  @Test
  void deferredCheckResolvedByTheConfiguredTableAppearingLetsTheOtherTableBeWritten()
      throws SQLException {
    Properties veil = settings("ledger_entry.memo", "annotated-ledger");
    try (Connection c = server.veilConnection(veil)) {
      assertThatThrownBy(() -> c.prepareStatement(
          "INSERT INTO ledger_entries (memo) VALUES (?)"))
          .isInstanceOf(SQLException.class).hasMessageContaining("ledger_entry does not exist");
      EncryptedTables.execPlain(server,
          "CREATE TABLE ledger_entry (id serial PRIMARY KEY, memo bytea)");
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO ledger_entries (memo) VALUES (?)")) {
        ps.setString(1, "not secret");
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO ledger_entry (memo) VALUES (?)")) {
        ps.setString(1, "memo-" + TAG);
        ps.executeUpdate();
      }
    }
    try (Connection plain = server.plainConnection(); Statement s = plain.createStatement();
        ResultSet rs = s.executeQuery("SELECT memo FROM ledger_entry")) {
      rs.next();
      assertThat(new String(rs.getBytes(1), 0, 2, StandardCharsets.US_ASCII))
          .as("the configured table, once it exists, gets cells").isEqualTo("VL");
    }
  }

  @Test
  void jpaEntityWithoutTableWrittenUnderHibernatesOwnNameIsRefused() throws SQLException {
    Properties veil = settings("", "annotated-crm");
    veil.setProperty("veil.annotatedClasses", CrmNote.class.getName());
    try (Connection c = server.veilConnection(veil)) {
      assertThatThrownBy(() -> c.prepareStatement(
          "insert into CrmNote (id, body) values (?, ?)"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("crmnote")
          .hasMessageContaining("public.crm_note")
          .hasMessageContaining("@Encrypted on " + CrmNote.class.getName() + ".body")
          .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("42703");
    }
  }
}
