package org.veil.it.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** encrypt-existing and decrypt-column against the real server, with the application writing. */
class EncryptExistingIT {

  private static final int ROWS = 20_000;

  private final ToolFixture fx = new ToolFixture(
      "tool_people.name, tool_people.photo, tool_nokey.secret, tool_small.secret", "tools-enc");

  private void createPeople() throws SQLException {
    fx.exec("DROP TABLE IF EXISTS tool_people",
        "CREATE TABLE tool_people (id bigint PRIMARY KEY, name text, photo bytea, age int)",
        "INSERT INTO tool_people SELECT g, 'person ' || g || ' ' || md5(g::text),"
            + " CASE WHEN g % 10 = 0 THEN NULL ELSE convert_to('photo-' || g, 'UTF8') END,"
            + " g % 90 FROM generate_series(1, " + ROWS + ") g",
        "DROP TABLE IF EXISTS veil_jobs CASCADE", "DROP TABLE IF EXISTS veil_jobs_ranges CASCADE",
        "DROP TABLE IF EXISTS veil_jobs_progress CASCADE");
  }

  @Test
  void sealsEveryPlaintextValueWhileTheApplicationWritesAndReads() throws Exception {
    createPeople();
    Map<Long, String> expectedName = new ConcurrentHashMap<>();
    Map<Long, byte[]> expectedPhoto = new ConcurrentHashMap<>();
    for (long id = 1; id <= ROWS; id++) {
      expectedName.put(id, "person " + id + " " + ToolFixture.md5(id));
      if (id % 10 != 0) {
        expectedPhoto.put(id, ("photo-" + id).getBytes(StandardCharsets.UTF_8));
      }
    }
    AtomicLong writes = new AtomicLong();
    AtomicLong reads = new AtomicLong();
    int threads = 3;
    ApplicationThreads app = ApplicationThreads.start(threads, (me, running) -> {
      try (Connection c = fx.veil();
          PreparedStatement update = c.prepareStatement(
              "UPDATE tool_people SET name = ?, photo = ? WHERE id = ?");
          PreparedStatement read = c.prepareStatement(
              "SELECT name, photo FROM tool_people WHERE id = ?")) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (running.getAsBoolean()) {
          // Each thread owns the ids congruent to it, so "last written" is well defined.
          long id = random.nextLong(ROWS / threads) * threads + me + 1;
          if (id > ROWS) {
            continue;
          }
          if (random.nextBoolean()) {
            String name = "renamed " + id + " " + random.nextInt();
            byte[] photo = ("new photo " + random.nextInt()).getBytes(StandardCharsets.UTF_8);
            update.setString(1, name);
            update.setBytes(2, photo);
            update.setLong(3, id);
            assertThat(update.executeUpdate()).isEqualTo(1);
            expectedName.put(id, name);
            expectedPhoto.put(id, photo);
            writes.incrementAndGet();
          } else {
            read.setLong(1, id);
            try (ResultSet rs = read.executeQuery()) {
              assertThat(rs.next()).isTrue();
              assertThat(rs.getString(1)).isEqualTo(expectedName.get(id));
              assertThat(rs.getBytes(2)).isEqualTo(expectedPhoto.get(id));
            }
            reads.incrementAndGet();
          }
        }
      }
    });
    int exit;
    Throwable failure;
    try {
      Thread.sleep(300);
      exit = fx.run("encrypt-existing", "--table", "tool_people", "--batch-size", "200",
          "--range-rows", "3000");
    } finally {
      failure = app.stop();
    }
    assertThat(failure).isNull();
    assertThat(exit).isZero();
    assertThat(writes.get()).isPositive();
    assertThat(reads.get()).isPositive();

    try (Connection plain = fx.plain(); Statement s = plain.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE name NOT LIKE 'veil:%'),"
            + " count(*) FILTER (WHERE photo IS NOT NULL AND substring(photo from 1 for 3)"
            + " NOT IN ('\\x564c01'::bytea, '\\x564c02'::bytea, '\\x564c03'::bytea)),"
            + " count(*) FILTER (WHERE"
            + " photo IS NULL) FROM tool_people")) {
      rs.next();
      assertThat(rs.getLong(1)).as("plaintext names left").isZero();
      assertThat(rs.getLong(2)).as("plaintext photos left").isZero();
    }
    Properties strict = fx.veilSettings(fx.keyFile);
    strict.setProperty("veil.plaintextReads", "deny");
    try (Connection c = fx.server.veilConnection(strict); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, name, photo FROM tool_people")) {
      int n = 0;
      while (rs.next()) {
        long id = rs.getLong(1);
        assertThat(rs.getString(2)).as("name of %d", id).isEqualTo(expectedName.get(id));
        assertThat(rs.getBytes(3)).as("photo of %d", id).isEqualTo(expectedPhoto.get(id));
        n++;
      }
      assertThat(n).isEqualTo(ROWS);
    }
  }

  @Test
  void aSecondRunFindsNothingLeftToDo() throws Exception {
    createPeople();
    assertThat(fx.run("encrypt-existing", "--table", "tool_people")).isZero();
    Map<Long, String> before = rawNames();
    assertThat(fx.run("encrypt-existing", "--table", "tool_people", "--restart")).isZero();
    assertThat(rawNames()).isEqualTo(before);
  }

  @Test
  void aDryRunWritesNothing() throws Exception {
    createPeople();
    Map<Long, String> before = rawNames();
    assertThat(fx.run("encrypt-existing", "--table", "tool_people", "--dry-run")).isZero();
    assertThat(rawNames()).isEqualTo(before);
  }

  @Test
  void decryptColumnGivesBackThePlaintextByteForByte() throws Exception {
    createPeople();
    Map<Long, String> before = rawNames();
    assertThat(fx.run("encrypt-existing", "--table", "tool_people")).isZero();
    assertThat(rawNames()).isNotEqualTo(before);
    assertThat(fx.run("decrypt-column", "--table", "tool_people", "--columns", "name")).isZero();
    assertThat(rawNames()).isEqualTo(before);
  }

  @Test
  void statusCountsPlaintextAndCellsPerKey() throws Exception {
    createPeople();
    fx.exec("UPDATE tool_people SET name = NULL WHERE id <= 5");
    assertThat(statusOutput()).contains("public.tool_people by (id): " + ROWS + " rows")
        .containsPattern("name \\(randomized, text\\)\\s+null\\s+5\\s+plaintext\\s+"
            + (ROWS - 5));
    assertThat(fx.run("encrypt-existing", "--table", "tool_people")).isZero();
    assertThat(statusOutput()).doesNotContain("plaintext")
        .containsPattern("cell, branch key [0-9a-f-]{36}\\s+" + (ROWS - 5));
  }

  private String statusOutput() {
    ToolFixture.Output status = fx.runCapturingOut("status", "--table", "tool_people",
        "--verify");
    assertThat(status.exit()).isZero();
    return status.text();
  }

  @Test
  void refusesATableWithoutAPrimaryOrUniqueNotNullKey() throws Exception {
    fx.exec("DROP TABLE IF EXISTS tool_nokey",
        "CREATE TABLE tool_nokey (id bigint UNIQUE, secret text)",
        "INSERT INTO tool_nokey VALUES (1, 'a'), (2, 'b')");
    ToolFixture.Output refused = fx.runCapturingErr("encrypt-existing", "--table",
        "tool_nokey");
    assertThat(refused.exit()).isEqualTo(org.veil.tools.Veil.REFUSED);
    assertThat(refused.text())
        .contains("public.tool_nokey has no primary key and no unique index over NOT NULL");
  }

  private Map<Long, String> rawNames() throws SQLException {
    Map<Long, String> names = new HashMap<>();
    try (Connection plain = fx.plain(); Statement s = plain.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, name FROM tool_people")) {
      while (rs.next()) {
        names.put(rs.getLong(1), rs.getString(2));
      }
    }
    return names;
  }
}
