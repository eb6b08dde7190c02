package org.veil.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.veil.jdbc.VeilDataSource;
import org.veil.testing.PostgresServer;
import org.veil.testing.ServerOptions;
import org.veil.testing.TestPostgres;

/**
 * Every way an application hands Veil its settings (URL, properties, data source setters and
 * URL, HikariCP by class name and by URL, a multi-host URL, a pgjdbc service file), against a
 * server that speaks at most TLS 1.2 and one without TLS: Veil refuses each with a message that
 * says why and SQLSTATE 08001, while plain pgjdbc with the same settings connects (the control).
 */
class TlsRoutesIT {

  /** The two servers Veil must refuse, and the reason its message gives for each. */
  enum Weak {
    TLS12("the server offered TLSv1.2; Veil requires TLS 1.3"),
    NO_TLS("the server does not offer TLS; Veil requires TLS 1.3");

    final String reason;

    Weak(String reason) {
      this.reason = reason;
    }
  }

  private static PostgresServer tls12;
  private static PostgresServer noTls;
  private static PostgresServer good;

  @BeforeAll
  static void startServers() {
    assumeTrue(TestPostgres.canStartServers(), "needs servers of the run's own");
    good = TestPostgres.shared();
    tls12 = TestPostgres.start(ServerOptions.cappedAtTls12().withSetting("log_connections", "on"));
    noTls = TestPostgres.start(ServerOptions.withoutTls().withSetting("log_connections", "on"));
  }

  @AfterAll
  static void stopServers() {
    if (tls12 != null) {
      tls12.close();
    }
    if (noTls != null) {
      noTls.close();
    }
  }

  private static PostgresServer server(Weak weak) {
    return weak == Weak.TLS12 ? tls12 : noTls;
  }

  /** {@code ssl} and {@code version} of pg_stat_ssl for the connection's own backend. */
  private static String sslStatus(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
      assertThat(rs.next()).isTrue();
      return rs.getBoolean(1) ? rs.getString(2) : "no TLS";
    }
  }

  private static String expectedControlStatus(Weak weak) {
    return weak == Weak.TLS12 ? "TLSv1.2" : "no TLS";
  }

  private static void assertRefused(Weak weak, PostgresServer server, Callable<Connection> open) {
    assertThatThrownBy(() -> open.call().close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("Veil refused the connection: ")
        .hasMessageContaining(server.host() + ":" + server.port() + ": " + weak.reason)
        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08001");
  }

  private static void assertControlConnects(Weak weak, Callable<Connection> open)
      throws Exception {
    try (Connection c = open.call()) {
      assertThat(sslStatus(c)).isEqualTo(expectedControlStatus(weak));
    }
  }

  private static String encoded(Object value) {
    return URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8);
  }

  // By URL, by properties

  @ParameterizedTest
  @EnumSource(Weak.class)
  void urlWithParametersIsRefused(Weak weak) throws Exception {
    PostgresServer s = server(weak);
    String query = "?sslrootcert=" + encoded(s.caCertificate()) + "&user=" + s.user()
        + "&password=" + encoded(s.password()) + "&ApplicationName=routes";
    assertRefused(weak, s, () -> DriverManager.getConnection(s.veilUrl() + query));
    assertControlConnects(weak, () -> DriverManager.getConnection(s.plainUrl() + query));
  }

  @ParameterizedTest
  @EnumSource(Weak.class)
  void propertiesAreRefused(Weak weak) throws Exception {
    PostgresServer s = server(weak);
    assertRefused(weak, s, () -> DriverManager.getConnection(s.veilUrl(),
        s.connectionProperties()));
    assertControlConnects(weak, () -> DriverManager.getConnection(s.plainUrl(),
        s.connectionProperties()));
  }

  /** Found: a URL parameter naming pgjdbc's default factory overrode Veil's factory. */
  @Test
  void urlParameterNamingPgjdbcDefaultFactoryIsRefusedByTls12Server() throws Exception {
    String query = "?sslfactory=org.postgresql.ssl.LibPQFactory&sslrootcert="
        + encoded(tls12.caCertificate());
    Properties login = new Properties();
    login.setProperty("user", tls12.user());
    login.setProperty("password", tls12.password());
    assertRefused(Weak.TLS12, tls12,
        () -> DriverManager.getConnection(tls12.veilUrl() + query, login));
    Properties verifyFull = new Properties();
    verifyFull.putAll(login);
    verifyFull.setProperty("sslmode", "verify-full");
    assertControlConnects(Weak.TLS12,
        () -> DriverManager.getConnection(tls12.plainUrl() + query, verifyFull));
  }

  // By data source

  private static void configure(PGSimpleDataSource ds, PostgresServer s) {
    ds.setServerNames(new String[] {s.host()});
    ds.setPortNumbers(new int[] {s.port()});
    ds.setDatabaseName(s.database());
    ds.setSslRootCert(s.caCertificate().toString());
    ds.setUser(s.user());
    ds.setPassword(s.password());
  }

  @ParameterizedTest
  @EnumSource(Weak.class)
  void dataSourceSettersAreRefused(Weak weak) throws Exception {
    PostgresServer s = server(weak);
    VeilDataSource veil = new VeilDataSource();
    configure(veil, s);
    assertRefused(weak, s, veil::getConnection);
    PGSimpleDataSource plain = new PGSimpleDataSource();
    configure(plain, s);
    assertControlConnects(weak, plain::getConnection);
  }

  @ParameterizedTest
  @EnumSource(Weak.class)
  void dataSourceUrlWithParametersIsRefused(Weak weak) throws Exception {
    PostgresServer s = server(weak);
    String query = "?sslrootcert=" + encoded(s.caCertificate()) + "&ApplicationName=routes";
    VeilDataSource veil = new VeilDataSource();
    veil.setUrl(s.veilUrl() + query);
    assertRefused(weak, s, () -> veil.getConnection(s.user(), s.password()));
    PGSimpleDataSource plain = new PGSimpleDataSource();
    plain.setUrl(s.plainUrl() + query);
    assertControlConnects(weak, () -> plain.getConnection(s.user(), s.password()));
  }

  /**
   * Found: the README's HikariCP {@code dataSourceClassName} setup reached a TLS 1.2 server,
   * because PGSimpleDataSource.getUrl() spells out pgjdbc's default factory as a URL parameter,
   * and URL parameters override the properties Veil set.
   */
  @Test
  void dataSourceWithPgjdbcDefaultFactoryIsRefusedByTls12Server() throws Exception {
    VeilDataSource veil = new VeilDataSource();
    veil.setUrl(tls12.veilUrl());
    veil.setSslRootCert(tls12.caCertificate().toString());
    assertThat(veil.getUrl()).contains("sslfactory=org.postgresql.ssl.LibPQFactory");
    assertRefused(Weak.TLS12, tls12, () -> veil.getConnection(tls12.user(), tls12.password()));
    PGSimpleDataSource plain = new PGSimpleDataSource();
    plain.setUrl(tls12.plainUrl());
    plain.setSslRootCert(tls12.caCertificate().toString());
    plain.setSslMode("verify-full");
    assertControlConnects(Weak.TLS12, () -> plain.getConnection(tls12.user(), tls12.password()));
  }

  // By HikariCP

  private static HikariConfig hikari(PostgresServer s) {
    HikariConfig config = new HikariConfig();
    config.setUsername(s.user());
    config.setPassword(s.password());
    config.setMaximumPoolSize(1);
    return config;
  }

  private static void assertPoolRefused(Weak weak, PostgresServer s, HikariConfig config) {
    assertThatThrownBy(() -> new HikariDataSource(config).close())
        .isInstanceOf(HikariPool.PoolInitializationException.class)
        .cause()
        .isInstanceOf(SQLException.class)
        .hasMessageContaining(s.host() + ":" + s.port() + ": " + weak.reason)
        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08001");
  }

  @ParameterizedTest
  @EnumSource(Weak.class)
  void hikariByDataSourceClassNameIsRefused(Weak weak) throws Exception {
    PostgresServer s = server(weak);
    HikariConfig veil = hikari(s);
    veil.setDataSourceClassName(VeilDataSource.class.getName());
    veil.addDataSourceProperty("url", s.veilUrl());
    veil.addDataSourceProperty("sslRootCert", s.caCertificate().toString());
    assertPoolRefused(weak, s, veil);

    HikariConfig plain = hikari(s);
    plain.setDataSourceClassName(PGSimpleDataSource.class.getName());
    plain.addDataSourceProperty("url", s.plainUrl());
    plain.addDataSourceProperty("sslRootCert", s.caCertificate().toString());
    try (HikariDataSource pool = new HikariDataSource(plain)) {
      assertControlConnects(weak, pool::getConnection);
    }
  }

  @ParameterizedTest
  @EnumSource(Weak.class)
  void hikariByJdbcUrlIsRefused(Weak weak) throws Exception {
    PostgresServer s = server(weak);
    String query = "?sslrootcert=" + encoded(s.caCertificate());
    HikariConfig veil = hikari(s);
    veil.setJdbcUrl(s.veilUrl() + query);
    assertPoolRefused(weak, s, veil);

    HikariConfig plain = hikari(s);
    plain.setJdbcUrl(s.plainUrl() + query);
    try (HikariDataSource pool = new HikariDataSource(plain)) {
      assertControlConnects(weak, pool::getConnection);
    }
  }

  // By a multi-host URL

  /** One file with the CAs of all three servers, so that each one's certificate verifies. */
  private static Path allCas() throws IOException {
    Path file = Files.createTempFile("veil-all-cas", ".crt");
    Files.writeString(file, Files.readString(tls12.caCertificate())
        + Files.readString(noTls.caCertificate()) + Files.readString(good.caCertificate()));
    return file;
  }

  @Test
  void multiHostUrlIsRefusedNamingEachHostAndWhy() throws Exception {
    String url = "jdbc:veil:postgresql://" + tls12.host() + ":" + tls12.port() + ","
        + noTls.host() + ":" + noTls.port() + "/" + tls12.database();
    Properties props = new Properties();
    props.setProperty("user", tls12.user());
    props.setProperty("password", tls12.password());
    props.setProperty("sslrootcert", allCas().toString());
    assertThatThrownBy(() -> DriverManager.getConnection(url, props).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining(tls12.host() + ":" + tls12.port() + ": " + Weak.TLS12.reason)
        .hasMessageContaining(noTls.host() + ":" + noTls.port() + ": " + Weak.NO_TLS.reason)
        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08001");

    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + tls12.host() + ":"
        + tls12.port() + "/" + tls12.database(), props)) {
      assertThat(sslStatus(c)).isEqualTo("TLSv1.2");
    }
  }

  @Test
  void multiHostUrlKeepsEveryHostAndConnectsToTheOneThatPassesOverTls13() throws Exception {
    String url = "jdbc:veil:postgresql://" + tls12.host() + ":" + tls12.port() + ","
        + noTls.host() + ":" + noTls.port() + "," + good.host() + ":" + good.port() + "/"
        + good.database();
    Properties props = new Properties();
    props.setProperty("user", good.user());
    props.setProperty("password", good.password());
    props.setProperty("sslrootcert", allCas().toString());
    try (Connection c = DriverManager.getConnection(url, props);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT inet_server_port()")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(good.port());
      assertThat(sslStatus(c)).isEqualTo("TLSv1.3");
    }
  }

  // By a pgjdbc service file

  private static String withServiceFile(String content, Callable<String> test) throws Exception {
    Path file = Files.createTempFile("veil-pg-service", ".conf");
    Files.writeString(file, content);
    String previous = System.setProperty("org.postgresql.pgservicefile", file.toString());
    try {
      return test.call();
    } finally {
      if (previous == null) {
        System.clearProperty("org.postgresql.pgservicefile");
      } else {
        System.setProperty("org.postgresql.pgservicefile", previous);
      }
    }
  }

  private static String service(String name, PostgresServer s, String... more) {
    StringBuilder text = new StringBuilder("[" + name + "]\n")
        .append("host=").append(s.host()).append('\n')
        .append("port=").append(s.port()).append('\n')
        .append("dbname=").append(s.database()).append('\n')
        .append("sslrootcert=").append(s.caCertificate()).append('\n');
    for (String line : more) {
      text.append(line).append('\n');
    }
    return text.toString();
  }

  private static Properties login(PostgresServer s) {
    Properties props = new Properties();
    props.setProperty("user", s.user());
    props.setProperty("password", s.password());
    return props;
  }

  @ParameterizedTest
  @EnumSource(Weak.class)
  void serviceFileIsRefused(Weak weak) throws Exception {
    PostgresServer s = server(weak);
    withServiceFile(service("weak", s), () -> {
      assertRefused(weak, s, () -> DriverManager.getConnection(
          "jdbc:veil:postgresql:///?service=weak", login(s)));
      assertControlConnects(weak, () -> DriverManager.getConnection(
          "jdbc:postgresql:///?service=weak", login(s)));
      return null;
    });
  }

  @Test
  void serviceFileConnectsOverTls13() throws Exception {
    String version = withServiceFile(service("app", good), () -> {
      try (Connection c = DriverManager.getConnection("jdbc:veil:postgresql:///?service=app",
          login(good))) {
        return sslStatus(c);
      }
    });
    assertThat(version).isEqualTo("TLSv1.3");
  }

  @Test
  void weakeningSettingInServiceFileIsRefusedEvenWhereTheUrlOverridesIt() throws Exception {
    withServiceFile(service("app", good, "sslmode=require"), () -> {
      assertThatThrownBy(() -> DriverManager.getConnection(
          "jdbc:veil:postgresql:///?service=app&sslmode=verify-full", login(good)).close())
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("Veil refuses sslmode=require (service app in the pgjdbc"
              + " service file)")
          .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08001");
      return null;
    });
  }

  @Test
  void weakeningPropertyIsRefusedEvenWhereAUrlParameterOverridesIt() {
    Properties props = good.connectionProperties();
    props.setProperty("sslmode", "disable");
    assertThatThrownBy(() -> DriverManager.getConnection(good.veilUrl() + "?sslmode=verify-full",
        props).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("Veil refuses sslmode=disable (connection property)")
        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08001");
  }

  // What the refused server saw

  private static long authorizations(PostgresServer s) throws IOException {
    Path log = s.serverLog().orElseThrow();
    return Files.readAllLines(log).stream()
        .filter(line -> line.contains("connection authorized: user=" + s.user())).count();
  }

  @ParameterizedTest
  @EnumSource(Weak.class)
  void startupMessageNeverReachesTheRefusedServer(Weak weak) throws Exception {
    PostgresServer s = server(weak);
    assumeTrue(s.serverLog().isPresent(), "needs the server's log");
    long before = authorizations(s);
    assertRefused(weak, s, () -> DriverManager.getConnection(s.veilUrl(),
        s.connectionProperties()));
    assertThat(authorizations(s)).isEqualTo(before);

    // The log does record a login when one happens: the same settings through plain pgjdbc.
    assertControlConnects(weak, () -> DriverManager.getConnection(s.plainUrl(),
        s.connectionProperties()));
    assertThat(authorizations(s)).isEqualTo(before + 1);
  }
}
