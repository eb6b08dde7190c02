package org.veil.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.veil.it.LargeRowRoundTrip.Generated;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * Large values through Veil take no more heap than through pgjdbc, give or take what the cipher
 * needs: a row of three 10 MB values (two bytea columns, one text column, all encrypted) is
 * written and read back by a child JVM with a small heap, first through pgjdbc (the control),
 * then through Veil ({@link LargeRowRoundTrip}).
 *
 * <p>The heap: the smallest that let this row through (serial collector, JDK 17, 4 MB steps)
 * was 80 MB for pgjdbc, 136 MB for Veil while it copied values on the way (the copy in
 * {@code setBytes}, the codec's and pgjdbc's copies, base64 strings, a cell held next to its
 * text form), and 100 MB since. 120 MB lies between: half as much again as pgjdbc needs, and
 * too little for the copying Veil. (256 MB, where the row was reported failing, is more than
 * either needs here, so it would not tell them apart.)
 */
class LargeValuesIT {

  private static final int TEN_MEGABYTES = 10 * 1024 * 1024;
  private static final String HEAP = "-Xmx120m";
  private static final String TABLE = "large_values";
  private static final String COLUMNS = TABLE + ".picture, " + TABLE + ".scan, " + TABLE
      + ".letter";
  private static final String KEYRING = "large-values-it";

  private static PostgresServer server;
  private static Path keyFile;

  @BeforeAll
  static void setUp() throws SQLException {
    server = TestPostgres.shared();
    keyFile = EncryptedTables.newMasterKeyFile();
    EncryptedTables.execPlain(server, "DROP TABLE IF EXISTS " + TABLE,
        "CREATE TABLE " + TABLE + " (id int PRIMARY KEY, picture bytea, scan bytea, letter text)");
  }

  @Test
  void threeTenMegabyteValuesFitInTheHeapPgjdbcNeeds() throws Exception {
    String picture = Generated.sha256OfBytes(LargeRowRoundTrip.PICTURE_SEED, TEN_MEGABYTES);
    String scan = Generated.sha256OfBytes(LargeRowRoundTrip.SCAN_SEED, TEN_MEGABYTES);
    String letter = Generated.sha256OfText(LargeRowRoundTrip.LETTER_SEED, TEN_MEGABYTES);
    List<String> readBack = List.of(
        "READ getBytes picture " + picture,
        "READ getBinaryStream scan " + scan,
        "READ getString letter " + letter,
        "READ getBinaryStream picture " + picture,
        "READ getBytes scan " + scan,
        "READ getCharacterStream letter " + letter,
        "DONE");

    EncryptedTables.execPlain(server, "TRUNCATE " + TABLE);
    assertThat(runChild(server.plainUrl())).as("plain pgjdbc, the control")
        .containsExactlyElementsOf(readBack);

    EncryptedTables.execPlain(server, "TRUNCATE " + TABLE);
    assertThat(runChild(server.veilUrl(), COLUMNS, keyFile.toString(), KEYRING)).as("Veil")
        .containsExactlyElementsOf(readBack);
    try (Connection c = server.plainConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT substring(picture FROM 1 FOR 2),"
            + " substring(scan FROM 1 FOR 2), left(letter, 5) FROM " + TABLE)) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getBytes(1)).as("picture is stored as a cell").containsExactly('V', 'L');
      assertThat(rs.getBytes(2)).as("scan is stored as a cell").containsExactly('V', 'L');
      assertThat(rs.getString(3)).as("letter is stored as a text cell").isEqualTo("veil:");
    }
  }

  /**
   * The lines {@link LargeRowRoundTrip} printed (values read, {@code DONE}) in a JVM with
   * {@link #HEAP}, after checking that it ended well.
   */
  private static List<String> runChild(String url, String... veilSettings)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        HEAP, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("surefire.test.class.path",
            System.getProperty("java.class.path")),
        LargeRowRoundTrip.class.getName(),
        url, server.user(), server.caCertificate().toString(), TABLE,
        Integer.toString(TEN_MEGABYTES)));
    cmd.addAll(List.of(veilSettings));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("VEIL_IT_PASSWORD", server.password());
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("the child process ended").isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    List<String> lines = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (line.startsWith("READ ") || line.startsWith("DONE")) {
        lines.add(line.strip());
      }
    }
    return lines;
  }
}
