package org.veil.it.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.veil.it.NoSecretsInLogs;
import org.veil.kms.LocalKeyProvider;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;
import org.veil.tools.Veil;

/**
 * What the tool tests share: the TLS 1.3 server, a local master key, the Veil settings the
 * application and the tool both use, and ways to run the tool in this JVM or as a child
 * process that a test can kill.
 */
final class ToolFixture {

  final PostgresServer server = TestPostgres.shared();
  final Path keyFile;
  final String columns;
  final String keyring;

  ToolFixture(String columns, String keyring) {
    this.keyFile = newMasterKeyFile();
    this.columns = columns;
    // A fresh master key per fixture, so a keyring of its own: keys outlive a test in veil_keys.
    this.keyring = keyring + "-" + Long.toHexString(new SecureRandom().nextLong());
  }

  static Path newMasterKeyFile() {
    try {
      Path dir = Files.createTempDirectory("veil-tool-keys");
      Path file = dir.resolve("master.key");
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      NoSecretsInLogs.register(key);
      Files.write(file, key);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The id of the master key in a local key file: {@code local:} and its key check value. */
  static String masterKeyId(Path keyFile) throws Exception {
    try (LocalKeyProvider p = LocalKeyProvider.ofKey(Files.readAllBytes(keyFile),
        new SecureRandom())) {
      return p.masterKeyId();
    }
  }

  /** The master keys that wrap this fixture's keys in veil_keys. */
  List<String> masterKeyIds() throws SQLException {
    try (Connection c = plain(); PreparedStatement ps = c.prepareStatement(
        "SELECT DISTINCT master_key_id FROM veil_keys WHERE keyring = ?")) {
      ps.setString(1, keyring);
      try (ResultSet rs = ps.executeQuery()) {
        List<String> ids = new ArrayList<>();
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
        return ids;
      }
    }
  }

  /** The application's Veil settings, with plaintext reads allowed (the migration window). */
  Properties veilSettings(Path masterKey) {
    Properties props = new Properties();
    props.setProperty("veil.columns", columns);
    props.setProperty("veil.kms", "local");
    props.setProperty("veil.kms.keystore", masterKey.toString());
    props.setProperty("veil.keys.keyring", keyring);
    props.setProperty("veil.plaintextReads", "allow");
    return props;
  }

  Connection veil() throws SQLException {
    return server.veilConnection(veilSettings(keyFile));
  }

  Connection veil(Path masterKey) throws SQLException {
    return server.veilConnection(veilSettings(masterKey));
  }

  Connection plain() throws SQLException {
    return server.plainConnection();
  }

  void exec(String... sql) throws SQLException {
    try (Connection c = plain(); Statement s = c.createStatement()) {
      for (String statement : sql) {
        s.execute(statement);
      }
    }
  }

  /** The first column of the first row of {@code sql}, run on a plain connection, as a long. */
  long scalar(String sql) throws SQLException {
    try (Connection c = plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The first column of the first row of {@code sql}, run on a plain connection, as text. */
  String text(String sql) throws SQLException {
    try (Connection c = plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Column name → type of {@code table}, with " NOT NULL" when it is. */
  Map<String, String> columnTypes(String table) throws SQLException {
    Map<String, String> types = new HashMap<>();
    try (Connection c = plain(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT attname, format_type(atttypid, atttypmod)"
            + " || CASE WHEN attnotnull THEN ' NOT NULL' ELSE '' END FROM pg_attribute"
            + " WHERE attrelid = '" + table + "'::regclass AND attnum > 0"
            + " AND NOT attisdropped")) {
      while (rs.next()) {
        types.put(rs.getString(1), rs.getString(2));
      }
    }
    return types;
  }

  /** The tool's arguments: the subcommand, the connection and Veil settings, then more. */
  List<String> args(String command, String... more) {
    List<String> args = new ArrayList<>(List.of(command,
        "--url", server.veilUrl(), "--user", server.user(),
        "--sslrootcert", server.caCertificate().toString(),
        "-Dveil.columns=" + columns, "-Dveil.kms=local",
        "-Dveil.kms.keystore=" + keyFile, "-Dveil.keys.keyring=" + keyring));
    args.addAll(List.of(more));
    return args;
  }

  /** Runs the tool in this JVM; returns its exit code. */
  int run(String command, String... more) {
    List<String> args = args(command, more);
    args.add("--password=" + server.password());
    if (!command.equals("rotate-master") && !command.equals("status")) {
      args.add("--progress=none");
    }
    return Veil.run(args.toArray(String[]::new));
  }

  /** What the tool printed on one stream, and its exit code. */
  record Output(int exit, String text) {}

  /** Runs the tool in this JVM and keeps what it prints on standard error. */
  Output runCapturingErr(String command, String... more) {
    return runCapturing(System.err, System::setErr, command, more);
  }

  /** Runs the tool in this JVM and keeps what it prints on standard output. */
  Output runCapturingOut(String command, String... more) {
    return runCapturing(System.out, System::setOut, command, more);
  }

  private Output runCapturing(PrintStream stream, Consumer<PrintStream> use, String command,
      String... more) {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      use.accept(new PrintStream(captured, true, StandardCharsets.UTF_8));
      return new Output(run(command, more), captured.toString(StandardCharsets.UTF_8));
    } finally {
      use.accept(stream);
    }
  }

  static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /** The hex MD5 of {@code id}'s decimal digits: test data that differs from row to row. */
  static String md5(long id) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("MD5")
          .digest(Long.toString(id).getBytes(StandardCharsets.US_ASCII));
      return java.util.HexFormat.of().formatHex(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Starts the tool as a child {@code java} process (a real process, to kill for real). */
  Process start(Path output, String command, String... more) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC",
        "-cp", System.getProperty("surefire.test.class.path",
            System.getProperty("java.class.path")),
        Veil.class.getName()));
    cmd.addAll(args(command, more));
    cmd.add("--progress=log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
    pb.environment().put("PGPASSWORD", server.password());
    pb.environment().put("CI", "true");
    return pb.start();
  }
}
