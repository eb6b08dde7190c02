package org.veil.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * Every stream setter on an encrypted column, with and without a length, in a bytea and a text
 * column: the value is sealed (the server holds a cell) and reads back through every getter.
 */
class StreamSettersIT {

  private static final String TAG = "stream" + Long.toHexString(new java.util.Random().nextLong());
  private static final String TEXT = "ünïcode and ascii " + TAG;
  private static final String ASCII = "plain ascii " + TAG;
  private static final byte[] BYTES = ("bytes \u0000\u00ff " + TAG)
      .getBytes(StandardCharsets.UTF_8);

  private static PostgresServer server;
  private static Properties veil;

  @BeforeAll
  static void setUp() throws SQLException {
    NoSecretsInLogs.register(TAG);
    server = TestPostgres.shared();
    Path keyFile = EncryptedTables.newMasterKeyFile();
    veil = EncryptedTables.veilSettings(keyFile, "streamed.doc, streamed.note", "streams-it");
    EncryptedTables.execPlain(server, "DROP TABLE IF EXISTS streamed",
        "CREATE TABLE streamed (id int PRIMARY KEY, doc bytea, note text)");
  }

  @BeforeEach
  void emptyTable() throws SQLException {
    EncryptedTables.execPlain(server, "TRUNCATE streamed");
  }

  private interface Binder {
    void bind(PreparedStatement ps, int index) throws SQLException;
  }

  /** Inserts row {@code id} with {@code doc} and {@code note} bound by the binders, via Veil. */
  private static void insert(int id, Binder doc, Binder note) throws SQLException {
    try (Connection c = server.veilConnection(veil);
        PreparedStatement ps = c.prepareStatement(
            "INSERT INTO streamed (id, doc, note) VALUES (?, ?, ?)")) {
      ps.setInt(1, id);
      doc.bind(ps, 2);
      note.bind(ps, 3);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
  }

  private static InputStream bytes() {
    return new ByteArrayInputStream(BYTES);
  }

  private static Reader text() {
    return new StringReader(TEXT);
  }

  private static InputStream ascii() {
    return new ByteArrayInputStream(ASCII.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void binaryStreamsWithAndWithoutALengthAreSealedAndReadBack() throws Exception {
    insert(1, (ps, i) -> ps.setBinaryStream(i, bytes()),
        (ps, i) -> ps.setBinaryStream(i, bytes(), BYTES.length));
    insert(2, (ps, i) -> ps.setBinaryStream(i, bytes(), (long) BYTES.length),
        (ps, i) -> ps.setBinaryStream(i, bytes()));

    try (Connection c = server.veilConnection(veil); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT doc, note FROM streamed ORDER BY id")) {
      for (int row = 1; row <= 2; row++) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getBytes(1)).as("row %d doc", row).isEqualTo(BYTES);
        try (InputStream in = rs.getBinaryStream(1)) {
          assertThat(in.readAllBytes()).isEqualTo(BYTES);
        }
        assertThat(rs.getBytes(2)).as("row %d note", row).isEqualTo(BYTES);
        try (InputStream in = rs.getBinaryStream(2)) {
          assertThat(in.readAllBytes()).isEqualTo(BYTES);
        }
      }
    }
    assertStoredAsCells(2);
  }

  @Test
  void characterAndAsciiStreamsWithAndWithoutALengthAreSealedAndReadBack() throws Exception {
    insert(1, (ps, i) -> ps.setCharacterStream(i, text()),
        (ps, i) -> ps.setCharacterStream(i, text(), TEXT.length()));
    insert(2, (ps, i) -> ps.setCharacterStream(i, text(), (long) TEXT.length()),
        (ps, i) -> ps.setNCharacterStream(i, text()));
    insert(3, (ps, i) -> ps.setNCharacterStream(i, text(), (long) TEXT.length()),
        (ps, i) -> ps.setCharacterStream(i, text(), (long) TEXT.length()));

    try (Connection c = server.veilConnection(veil); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT doc, note FROM streamed ORDER BY id")) {
      for (int row = 1; row <= 3; row++) {
        assertThat(rs.next()).isTrue();
        for (int column = 1; column <= 2; column++) {
          assertThat(rs.getString(column)).as("row %d column %d", row, column).isEqualTo(TEXT);
          try (Reader in = rs.getCharacterStream(column)) {
            StringBuilder read = new StringBuilder();
            for (int ch; (ch = in.read()) >= 0; ) {
              read.append((char) ch);
            }
            assertThat(read.toString()).isEqualTo(TEXT);
          }
        }
      }
    }
    assertStoredAsCells(3);
  }

  @Test
  void asciiStreamsWithAndWithoutALengthAreSealedAndReadBack() throws Exception {
    insert(1, (ps, i) -> ps.setAsciiStream(i, ascii()),
        (ps, i) -> ps.setAsciiStream(i, ascii(), ASCII.length()));
    insert(2, (ps, i) -> ps.setAsciiStream(i, ascii(), (long) ASCII.length()),
        (ps, i) -> ps.setAsciiStream(i, ascii()));

    try (Connection c = server.veilConnection(veil); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT doc, note FROM streamed ORDER BY id")) {
      for (int row = 1; row <= 2; row++) {
        assertThat(rs.next()).isTrue();
        for (int column = 1; column <= 2; column++) {
          assertThat(rs.getString(column)).as("row %d column %d", row, column).isEqualTo(ASCII);
          try (InputStream in = rs.getAsciiStream(column)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(ASCII);
          }
        }
      }
    }
    assertStoredAsCells(2);
  }

  /** What a DBA sees: a cell in each bytea value, a text cell in each text value. */
  private static void assertStoredAsCells(int rows) throws SQLException {
    try (Connection c = server.plainConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT doc, note FROM streamed ORDER BY id")) {
      for (int row = 1; row <= rows; row++) {
        assertThat(rs.next()).isTrue();
        assertThat(new String(rs.getBytes(1), 0, 2, StandardCharsets.US_ASCII)).isEqualTo("VL");
        assertThat(rs.getString(2)).startsWith("veil:").doesNotContain(TAG);
      }
      assertThat(rs.next()).isFalse();
    }
  }
}
