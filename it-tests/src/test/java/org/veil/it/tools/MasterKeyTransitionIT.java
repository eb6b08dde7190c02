package org.veil.it.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.veil.it.NoSecretsInLogs;
import org.veil.jdbc.VeilDataSource;

/**
 * A master key rotation without a restart timed to it (docs/RUNBOOK.md, "Rotating the master
 * key"): applications configured with the new master key and the old one in
 * {@code veil.kms.previousKeys} keep reading and writing while {@code rotate-master} moves the
 * keys, against the real PostgreSQL and the local provider with two key files.
 */
class MasterKeyTransitionIT {

  private static final int ROWS = 300;
  private static final String TABLE = "key_transition";
  /** Every plaintext written to an encrypted column carries it, so the logs can be scanned. */
  private static final String TAG = "mkt" + Long.toHexString(ThreadLocalRandom.current()
      .nextLong());

  private final ToolFixture fx = new ToolFixture(
      TABLE + ".secret, " + TABLE + ".note, " + TABLE + ".email:deterministic", "transition");
  private final Path oldKey = fx.keyFile;
  private final Path newKey = ToolFixture.newMasterKeyFile();

  @BeforeEach
  void createTableUnderTheOldMasterKey() throws Exception {
    NoSecretsInLogs.register(TAG);
    NoSecretsInLogs.register(fx.server.password());
    NoSecretsInLogs.register(Files.readAllBytes(oldKey));
    NoSecretsInLogs.register(Files.readAllBytes(newKey));
    fx.exec("DROP TABLE IF EXISTS " + TABLE, "CREATE TABLE " + TABLE
        + " (id integer PRIMARY KEY, secret bytea, email bytea, note bytea)");
    try (Connection c = application(oldKey, null).getConnection()) {
      for (int id = 1; id <= ROWS; id++) {
        insert(c, id);
      }
    }
    assertThat(fx.masterKeyIds()).containsOnly(ToolFixture.masterKeyId(oldKey));
  }

  /**
   * An application's data source with {@code masterKey} current and {@code previous} (may be
   * null) in veil.kms.previousKeys; each data source has caches of its own, empty at first.
   */
  private VeilDataSource application(Path masterKey, Path previous) {
    VeilDataSource ds = new VeilDataSource();
    ds.setUrl(fx.server.veilUrl());
    ds.setSslRootCert(fx.server.caCertificate().toString());
    ds.setUser(fx.server.user());
    ds.setPassword(fx.server.password());
    ds.setColumns(fx.columns);
    ds.setKms("local");
    ds.setKmsKeystore(masterKey.toString());
    if (previous != null) {
      ds.setKmsPreviousKeys(previous.toString());
    }
    ds.setKeysKeyring(fx.keyring);
    return ds;
  }

  private static String secret(int id) {
    return id % 7 == 0 ? null : TAG + " secret " + id;
  }

  private static String email(int id) {
    return "user" + id + "." + TAG + "@example.com";
  }

  private static String note(int id) {
    return TAG + " note " + id;
  }

  private static void insert(Connection c, int id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO " + TABLE + " (id, secret, email, note) VALUES (?, ?, ?, ?)")) {
      ps.setInt(1, id);
      ps.setString(2, secret(id));
      ps.setString(3, email(id));
      ps.setString(4, note(id));
      ps.executeUpdate();
    }
  }

  /** Reads row {@code id} back, by its id or by its deterministic email, and checks it. */
  private static void check(Connection c, int id, boolean byEmail) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT id, secret, email, note FROM "
        + TABLE + (byEmail ? " WHERE email = ?" : " WHERE id = ?"))) {
      if (byEmail) {
        ps.setString(1, email(id));
      } else {
        ps.setInt(1, id);
      }
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("row %d", id).isTrue();
        assertThat(List.of(rs.getInt(1), String.valueOf(rs.getString(2)), rs.getString(3),
            rs.getString(4))).as("row %d", id)
            .isEqualTo(List.of(id, String.valueOf(secret(id)), email(id), note(id)));
      }
    }
  }

  /** Every row as stored, hex-encoded: what rotate-master must leave byte for byte. */
  private Map<Integer, String> rawRows() throws SQLException {
    Map<Integer, String> rows = new HashMap<>();
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, encode(secret, 'hex'), encode(email, 'hex'),"
            + " encode(note, 'hex') FROM " + TABLE + " WHERE id <= " + ROWS)) {
      while (rs.next()) {
        rows.put(rs.getInt(1), rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4));
      }
    }
    return rows;
  }

  private int rowCount() throws SQLException {
    try (Connection c = fx.plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + TABLE)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void aRunningApplicationWithThePreviousMasterKeyKeepsWorkingThroughRotateMaster()
      throws Exception {
    Map<Integer, String> before = rawRows();
    VeilDataSource app = application(newKey, oldKey);
    // Short key cache times, so the running application reloads its keys from veil_keys all
    // through the rotation; with no grace, a key it could not reload would fail, not be served.
    app.setCacheRefreshAfter("PT0.5S");
    app.setCacheExpireAfter("PT2S");
    app.setCacheGrace("PT0S");
    app.setCacheDekMax("16");
    AtomicInteger written = new AtomicInteger(ROWS);
    AtomicInteger rounds = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    try (Connection c = app.getConnection()) {
      for (int id = 1; id <= ROWS; id++) {
        check(c, id, false); // every key is still under the old master key
      }
      Thread running = new Thread(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
          while (!stop.get()) {
            int id = written.incrementAndGet();
            insert(c, id);
            check(c, id, false);
            check(c, 1 + random.nextInt(ROWS), false);
            check(c, 1 + random.nextInt(ROWS), true);
            rounds.incrementAndGet();
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      }, "running-application");
      running.start();
      try {
        awaitRounds(rounds, 20, Duration.ZERO, failures);
        assertThat(fx.run("rotate-master", "--to", newKey.toString())).isZero();
        // Past expireAfter: every key the application uses now was loaded after the commit.
        awaitRounds(rounds, rounds.get() + 20, Duration.ofSeconds(3), failures);
      } finally {
        stop.set(true);
        running.join(Duration.ofSeconds(30).toMillis());
      }
    }
    assertThat(failures).as("failures of the running application").isEmpty();

    assertThat(fx.masterKeyIds()).containsOnly(ToolFixture.masterKeyId(newKey));
    assertThat(rawRows()).as("data rows, byte for byte").isEqualTo(before);
    int rows = rowCount();
    assertThat(rows).as("every row the running application wrote").isEqualTo(written.get())
        .isGreaterThan(ROWS + 40);
    VeilDataSource fresh = application(newKey, null);
    fresh.setPlaintextReads("deny");
    try (Connection c = fresh.getConnection()) {
      for (int id = 1; id <= rows; id++) {
        check(c, id, id % 5 == 0);
      }
    }
  }

  /** Waits until the running application has done {@code target} rounds and {@code atLeast}. */
  private static void awaitRounds(AtomicInteger rounds, int target, Duration atLeast,
      List<Throwable> failures) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + Duration.ofSeconds(120).toNanos();
    while ((rounds.get() < target || System.nanoTime() - start < atLeast.toNanos())
        && failures.isEmpty()) {
      assertThat(System.nanoTime()).as("the running application's progress").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void anApplicationWithOnlyTheNewMasterKeyFailsClosedBeforeRotationSayingWhatToConfigure()
      throws Exception {
    String oldId = ToolFixture.masterKeyId(oldKey);
    VeilDataSource app = application(newKey, null);
    try (Connection c = app.getConnection()) {
      assertThatThrownBy(() -> check(c, 1, false))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("is wrapped by master key " + oldId)
          .hasMessageContaining("configured master key " + ToolFixture.masterKeyId(newKey))
          .hasMessageContaining("veil.kms.previousKeys is not set")
          .hasMessageContaining("add its keystore or key file to veil.kms.previousKeys")
          .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("58000");
      assertThatThrownBy(() -> insert(c, ROWS + 1))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("is wrapped by master key " + oldId);
    }
    assertThat(rowCount()).isEqualTo(ROWS);
    assertThat(fx.masterKeyIds()).containsOnly(oldId);
  }

  @Test
  void anApplicationStillOnTheOldMasterKeyAfterRotationIsToldToMakeTheNewOneCurrent()
      throws Exception {
    assertThat(fx.run("rotate-master", "--to", newKey.toString())).isZero();

    String newId = ToolFixture.masterKeyId(newKey);
    try (Connection c = application(oldKey, null).getConnection()) {
      assertThatThrownBy(() -> check(c, 1, false))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("is wrapped by master key " + newId)
          .hasMessageContaining("if veil rotate-master has moved them to " + newId
              + ", make it the configured master key (veil.kms.keystore) and put the current"
              + " one in veil.kms.previousKeys");
    }
    try (Connection c = application(newKey, oldKey).getConnection()) {
      check(c, 1, false);
    }
  }

  @Test
  void rotateMasterConfiguredAsTheApplicationsAreMovesTheKeysOfThePreviousMasterKey()
      throws Exception {
    Map<Integer, String> before = rawRows();

    assertThat(fx.run("rotate-master", "-Dveil.kms.keystore=" + newKey,
        "-Dveil.kms.previousKeys=" + oldKey, "--to", newKey.toString())).isZero();

    assertThat(fx.masterKeyIds()).containsOnly(ToolFixture.masterKeyId(newKey));
    assertThat(rawRows()).as("data rows, byte for byte").isEqualTo(before);
    VeilDataSource fresh = application(newKey, null);
    fresh.setPlaintextReads("deny");
    try (Connection c = fresh.getConnection()) {
      for (int id = 1; id <= ROWS; id++) {
        check(c, id, id % 3 == 0);
      }
    }
  }
}
