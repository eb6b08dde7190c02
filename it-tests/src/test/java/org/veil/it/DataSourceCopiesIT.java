package org.veil.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import javax.naming.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.common.PGObjectFactory;
import org.veil.jdbc.VeilDataSource;
import org.veil.jdbc.VeilDataSourceFactory;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * A data source copied the ways application servers copy them (a JNDI reference read back by
 * its object factory, Java serialisation) keeps its Veil settings: a connection from the copy
 * seals what it writes to an encrypted column.
 */
class DataSourceCopiesIT {

  private static final String COLUMN = "ds_copies.secret";

  private static PostgresServer server;
  private static Path keyFile;

  @BeforeAll
  static void createTable() throws SQLException {
    server = TestPostgres.shared();
    keyFile = EncryptedTables.newMasterKeyFile();
    EncryptedTables.execPlain(server, "DROP TABLE IF EXISTS ds_copies",
        "CREATE TABLE ds_copies (id int PRIMARY KEY, secret bytea)");
  }

  private static VeilDataSource configured() {
    NoSecretsInLogs.register(server.password());
    VeilDataSource ds = new VeilDataSource();
    ds.setServerNames(new String[] {server.host()});
    ds.setPortNumbers(new int[] {server.port()});
    ds.setDatabaseName(server.database());
    ds.setSslRootCert(server.caCertificate().toString());
    ds.setUser(server.user());
    ds.setPassword(server.password());
    ds.setColumns(COLUMN);
    ds.setKms("local");
    ds.setKmsKeystore(keyFile.toString());
    ds.setKeysKeyring("ds-copies");
    return ds;
  }

  /** Writes {@code plaintext} through {@code ds}, reads it back through it, and as stored. */
  private static void assertSeals(VeilDataSource ds, int id, String plaintext)
      throws SQLException {
    NoSecretsInLogs.register(plaintext);
    try (Connection c = ds.getConnection();
        PreparedStatement insert = c.prepareStatement(
            "INSERT INTO ds_copies (id, secret) VALUES (?, ?)")) {
      insert.setInt(1, id);
      insert.setString(2, plaintext);
      insert.executeUpdate();
      try (PreparedStatement select = c.prepareStatement(
          "SELECT secret FROM ds_copies WHERE id = ?")) {
        select.setInt(1, id);
        try (ResultSet rs = select.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo(plaintext);
        }
      }
    }
    try (Connection plain = server.plainConnection();
        Statement s = plain.createStatement();
        ResultSet rs = s.executeQuery("SELECT secret FROM ds_copies WHERE id = " + id)) {
      assertThat(rs.next()).isTrue();
      byte[] stored = rs.getBytes(1);
      assertThat(Arrays.copyOf(stored, 2)).isEqualTo(new byte[] {0x56, 0x4c});
      assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(plaintext);
    }
  }

  /** Found: getReference() carried no veil.* setting, so a looked-up copy sent plaintext. */
  @Test
  void jndiReferenceKeepsVeilSettingsAndTheLookedUpDataSourceSeals() throws Exception {
    VeilDataSource original = configured();
    Reference ref = original.getReference();
    assertThat(ref.get("veil.columns").getContent()).isEqualTo(COLUMN);
    assertThat(ref.getFactoryClassName()).isEqualTo(VeilDataSourceFactory.class.getName());

    Object looked = new VeilDataSourceFactory().getObjectInstance(ref, null, null, null);
    assertThat(looked).isInstanceOf(VeilDataSource.class);
    VeilDataSource copy = (VeilDataSource) looked;
    assertThat(copy.getVeilProperty("veil.columns")).isEqualTo(COLUMN);
    assertThat(copy.getVeilProperty("veil.kms.keystore")).isEqualTo(keyFile.toString());
    assertSeals(copy, 1, "looked up by JNDI");

    // pgjdbc's own factory does not build a Veil data source (it would drop the settings).
    assertThat(new PGObjectFactory().getObjectInstance(ref, null, null, null)).isNull();
  }

  @Test
  void serialisedDataSourceKeepsVeilSettingsAndSeals() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(configured());
    }
    VeilDataSource copy;
    try (ObjectInputStream in = new ObjectInputStream(
        new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (VeilDataSource) in.readObject();
    }
    assertThat(copy.getVeilProperty("veil.columns")).isEqualTo(COLUMN);
    assertSeals(copy, 2, "read back from its serialised form");
  }

  @Test
  void dataSourceInitializedFromAnotherKeepsVeilSettingsAndSeals() throws Exception {
    VeilDataSource copy = new VeilDataSource();
    copy.initializeFrom(configured());
    assertThat(copy.getVeilProperty("veil.columns")).isEqualTo(COLUMN);
    assertSeals(copy, 3, "initialized from another data source");
  }
}
