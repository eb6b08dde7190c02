package org.veil.sample;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.LogManager;
import org.flywaydb.core.Flyway;
import org.veil.kms.LocalKeyGen;
import org.veil.testing.PostgresServer;
import org.veil.testing.ServerOptions;
import org.veil.testing.TestPostgres;

/**
 * The patient registry: migrates its schema with Flyway, registers patients, looks one up by
 * national id, and shows each row as the application reads it and as a plain PostgreSQL
 * connection (a DBA, a backup, a log) sees it.
 *
 * <p>With no {@code sample.db.url} it starts an embedded PostgreSQL with TLS 1.3 for the run
 * (veil-dev-db); with {@code veil.kms=local} and no key store it creates a development master
 * key on first run ({@link LocalKeyGen#createKeyFile}, the documented way to do from code what
 * the {@code LocalKeyGen} command does). Otherwise it uses Veil only as any application does:
 * its JDBC URL, its settings and its annotations.
 */
public final class SampleApp {

  static final List<Patient> PATIENTS = List.of(
      Patient.unregistered("943 476 5919", "Ada Lovelace", LocalDate.of(1815, 12, 10),
          "chronic migraine", "Neurology"),
      Patient.unregistered("943 476 5920", "Alan Turing", LocalDate.of(1912, 6, 23),
          "sports injury, left knee", "Orthopaedics"),
      Patient.unregistered("943 476 5921", "Grace Hopper", LocalDate.of(1906, 12, 9),
          "hypertension", "Neurology"));

  private final SampleSettings settings;
  private final PrintStream out;

  SampleApp(SampleSettings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    try (InputStream logging = SampleApp.class.getResourceAsStream("/logging.properties")) {
      LogManager.getLogManager().readConfiguration(logging);
    }
    new SampleApp(SampleSettings.load(System.getProperties()), System.out).run();
  }

  void run() throws Exception {
    try (Database database = openDatabase()) {
      out.println("Veil sample: a patient registry on " + database.description);
      Properties veil = settings.veilProperties();
      useDevelopmentKeyIfNoneConfigured(veil);

      HikariConfig config = new HikariConfig();
      config.setPoolName("registry");
      config.setJdbcUrl(database.veilUrl);
      config.setUsername(database.user);
      config.setPassword(database.password);
      config.setMaximumPoolSize(4);
      veil.forEach((name, value) -> config.addDataSourceProperty((String) name, value));
      try (HikariDataSource pool = new HikariDataSource(config)) {
        int migrations = Flyway.configure().dataSource(pool).load().migrate().migrationsExecuted;
        out.println("Flyway applied " + migrations + " migration(s) through "
            + withoutParameters(database.veilUrl));
        work(new PatientRegistry(pool));
        showSideBySide(new PatientRegistry(pool), database);
      }
    }
  }

  private void work(PatientRegistry registry) throws SQLException {
    int registered = 0;
    for (Patient patient : PATIENTS) {
      if (registry.findByNationalId(patient.nationalId()).isEmpty()) {
        registry.register(patient);
        registered++;
      }
    }
    out.println("Registered " + registered + " patient(s); "
        + (PATIENTS.size() - registered) + " were already there.");

    String nationalId = PATIENTS.get(2).nationalId();
    Patient found = registry.findByNationalId(nationalId).orElseThrow();
    out.println("Lookup WHERE national_id = '" + nationalId + "' found " + found.fullName()
        + ", born " + found.birthDate() + ", diagnosis: " + found.diagnosis());
    registry.updateDiagnosis(nationalId, "hypertension, controlled");
    out.println("Updated the diagnosis of " + nationalId + " to: "
        + registry.findByNationalId(nationalId).orElseThrow().diagnosis());
    List<String> neurology = new ArrayList<>();
    for (Patient p : registry.onWard("Neurology")) {
      neurology.add(p.fullName());
    }
    out.println("On ward Neurology: " + String.join(", ", neurology));
  }

  private static final String ROW = "  %-12s %-30s %s%n";

  private void showSideBySide(PatientRegistry registry, Database database) throws SQLException {
    Map<Long, Map<String, String>> stored = new LinkedHashMap<>();
    try (Connection plain = database.plainConnection();
        PreparedStatement ps = plain.prepareStatement("SELECT id, national_id, full_name,"
            + " birth_date, diagnosis, ward FROM patients ORDER BY id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 2; i <= 6; i++) {
          boolean bytea = "bytea".equals(rs.getMetaData().getColumnTypeName(i));
          row.put(rs.getMetaData().getColumnName(i),
              bytea ? storedBytes(rs.getBytes(i)) : storedText(rs.getString(i)));
        }
        stored.put(rs.getLong(1), row);
      }
    }
    out.println();
    out.println("What the application reads, and what a plain PostgreSQL connection sees:");
    for (Patient p : registry.all()) {
      Map<String, String> row = stored.get(p.id());
      out.println();
      out.printf(ROW, "patients #" + p.id(), "application (Veil)", "plain connection (DBA)");
      out.printf(ROW, "national_id", p.nationalId(), row.get("national_id"));
      out.printf(ROW, "full_name", p.fullName(), row.get("full_name"));
      out.printf(ROW, "birth_date", p.birthDate(), row.get("birth_date"));
      out.printf(ROW, "diagnosis", p.diagnosis(), row.get("diagnosis"));
      out.printf(ROW, "ward", p.ward(), row.get("ward"));
    }
  }

  // Head and tail of each stored value: the head is the cell header (format, mode, key id),
  // the tail is ciphertext, which differs from row to row.
  private static String storedBytes(byte[] value) {
    if (value == null) {
      return "NULL";
    }
    HexFormat hex = HexFormat.of();
    return "\\x" + hex.formatHex(value, 0, 4) + "..." + hex.formatHex(value, value.length - 8,
        value.length) + " (bytea, " + value.length + " bytes)";
  }

  private static String storedText(String value) {
    if (value == null) {
      return "NULL";
    }
    return value.length() <= 40 ? value : value.substring(0, 11) + "..."
        + value.substring(value.length() - 14) + " (text, " + value.length() + " chars)";
  }

  /**
   * The local key provider with no key store named: use the development key file, creating it
   * (mode 0600) on first run.
   */
  private void useDevelopmentKeyIfNoneConfigured(Properties veil) throws IOException {
    String kms = veil.getProperty(SampleSettings.KMS, "local");
    if (!"local".equals(kms) || veil.getProperty(SampleSettings.KEYSTORE) != null) {
      out.println("Key provider: " + kms);
      return;
    }
    Path keyFile = settings.devKeyFile().toAbsolutePath();
    if (Files.notExists(keyFile)) {
      Files.createDirectories(keyFile.getParent(),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      String keyId = LocalKeyGen.createKeyFile(keyFile);
      out.println("Created master key " + keyId + " (docs/KEYS.md, \"A local master key\").");
      out.println();
      out.println("WARNING: created a DEVELOPMENT master key at " + keyFile + ".");
      out.println("WARNING: it is for trying Veil out only. Whoever reads that file can decrypt"
          + " every value; lose it and the data is gone.");
      out.println("WARNING: for real data use AWS KMS (veil.kms=aws, veil.kms.keyId,"
          + " veil.kms.region) or a PKCS12 keystore kept like any other secret.");
      out.println();
    }
    out.println("Key provider: local, development key " + keyFile);
    veil.setProperty(SampleSettings.KEYSTORE, keyFile.toString());
  }

  /** The URL to print: its parameters may hold settings that are nobody's business. */
  private static String withoutParameters(String url) {
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query);
  }

  private Database openDatabase() {
    if (!settings.dbUrl().isEmpty()) {
      return new Database(settings.dbUrl(), settings.dbUser(), settings.dbPassword(),
          withoutParameters(settings.dbUrl()), null);
    }
    PostgresServer server = TestPostgres.start(ServerOptions.defaults());
    return new Database(server.veilUrl() + "?sslrootcert=" + server.caCertificate(),
        server.user(), server.password(),
        "embedded PostgreSQL (TLS 1.3 only) at " + server.host() + ":" + server.port(), server);
  }

  /** Where the registry's data lives, and how a plain pgjdbc connection reaches it. */
  private static final class Database implements AutoCloseable {
    final String veilUrl;
    final String user;
    final String password;
    final String description;
    private final PostgresServer embedded;

    Database(String veilUrl, String user, String password, String description,
        PostgresServer embedded) {
      this.veilUrl = veilUrl;
      this.user = user;
      this.password = password;
      this.description = description;
      this.embedded = embedded;
    }

    /** The same database through pgjdbc alone, as its administrators and backups see it. */
    Connection plainConnection() throws SQLException {
      if (embedded != null) {
        return embedded.plainConnection();
      }
      Properties props = new Properties();
      props.setProperty("user", user);
      props.setProperty("password", password);
      props.setProperty("sslmode", "verify-full");
      return DriverManager.getConnection("jdbc:" + veilUrl.substring("jdbc:veil:".length()),
          props);
    }

    @Override
    public void close() {
      if (embedded != null) {
        embedded.close();
      }
    }
  }
}
