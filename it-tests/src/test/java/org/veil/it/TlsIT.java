package org.veil.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.veil.testing.PostgresServer;
import org.veil.tls.PgjdbcSettings;
import org.veil.tls.TlsReceipt;
import org.veil.tls.TlsRefusedException;
import org.veil.testing.ServerOptions;
import org.veil.testing.TestCertificates;
import org.veil.testing.TestPostgres;

/** The transport: verify-full over TLS 1.3, against a real server, and every way to weaken it. */
class TlsIT {

  private static PostgresServer server;

  @BeforeAll
  static void startServer() {
    server = TestPostgres.shared();
  }

  private static String[] sslStatus(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT ssl, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
      assertThat(rs.next()).isTrue();
      return new String[] {rs.getString(1), rs.getString(2), rs.getString(3)};
    }
  }

  @Test
  void veilConnectionIsTls13() throws SQLException {
    try (Connection c = server.veilConnection(new Properties())) {
      String[] status = sslStatus(c);
      assertThat(status[0]).isEqualTo("t");
      assertThat(status[1]).isEqualTo("TLSv1.3");
      assertThat(status[2]).startsWith("TLS_");
    }
  }

  @Test
  void veilConnectionIsTls13ThroughUrlParametersToo() throws SQLException {
    String url = server.veilUrl() + "?sslmode=verify-full&sslrootcert=" + server.caCertificate()
        + "&ApplicationName=veil-it";
    try (Connection c = DriverManager.getConnection(url, server.user(), server.password())) {
      assertThat(sslStatus(c)[1]).isEqualTo("TLSv1.3");
    }
  }

  @Test
  void serverRejectsConnectionsWithoutTls() {
    Properties props = server.connectionProperties();
    props.setProperty("sslmode", "disable");
    assertThatThrownBy(() -> DriverManager.getConnection(server.plainUrl(), props).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("no encryption");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
      "sslmode, require",
      "sslmode, verify-ca",
      "sslmode, disable",
      "ssl, false",
      "sslfactory, org.postgresql.ssl.NonValidatingFactory",
      "sslhostnameverifier, org.postgresql.ssl.PGjdbcHostnameVerifier",
      "socketFactory, javax.net.DefaultSocketFactory",
      "gssEncMode, prefer",
  })
  void weakerSettingIsRefusedAsPropertyAndAsUrlParameter(String name, String value) {
    Properties props = server.connectionProperties();
    props.setProperty(name, value);
    assertThatThrownBy(() -> DriverManager.getConnection(server.veilUrl(), props).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("Veil refuses " + name)
        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08001");

    String url = server.veilUrl() + "?" + name + "=" + value;
    assertThatThrownBy(() -> DriverManager.getConnection(url, server.connectionProperties())
        .close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("Veil refuses " + name);
  }

  @Test
  void serverCertificateForAnotherHostIsRefused() throws SQLException {
    // 127.0.0.2 reaches the same server, but its certificate names localhost and 127.0.0.1.
    String otherHost = "jdbc:veil:postgresql://127.0.0.2:" + server.port() + "/"
        + server.database();
    assertThatThrownBy(() -> DriverManager.getConnection(otherHost,
        server.connectionProperties()).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("127.0.0.2:" + server.port() + ": the server's certificate does"
            + " not name 127.0.0.2")
        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08001");

    // The same address is reachable and its chain valid: only the host name check refused it.
    Properties verifyCa = server.connectionProperties();
    verifyCa.setProperty("sslmode", "verify-ca");
    String plain = "jdbc:postgresql://127.0.0.2:" + server.port() + "/" + server.database();
    try (Connection c = DriverManager.getConnection(plain, verifyCa)) {
      assertThat(c.isValid(5)).isTrue();
    }
  }

  @Test
  void caThatDidNotSignTheServerIsRefused() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("veil-other-ca");
    java.nio.file.Path otherCa = TestCertificates.newAuthority("Some other CA")
        .writeCertificate(dir.resolve("other-ca.crt"));
    Properties props = server.connectionProperties();
    props.setProperty("sslrootcert", otherCa.toString());
    assertThatThrownBy(() -> DriverManager.getConnection(server.veilUrl(), props).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("the server's certificate failed verification against"
            + " sslrootcert=" + otherCa)
        .hasMessageContaining("PKIX path building failed")
        .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class)
        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08001");
  }

  @Test
  void missingCaFileIsRefusedNamingTheFileAndTheSetting() {
    java.nio.file.Path missing = server.caCertificate().resolveSibling("no-such-ca.crt");
    Properties props = server.connectionProperties();
    props.setProperty("sslrootcert", missing.toString());
    assertThatThrownBy(() -> DriverManager.getConnection(server.veilUrl(), props).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("Veil refused the connection: sslrootcert=" + missing
            + " names no readable file")
        .hasMessageContaining("Fix: set sslrootcert to the file holding the CA certificate")
        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08001");
  }

  @Test
  void absentSslrootcertIsRefusedNamingPgjdbcsDefaultFile() throws Exception {
    java.nio.file.Path home = java.nio.file.Files.createTempDirectory("veil-empty-home");
    String previousHome = System.getProperty("user.home");
    System.setProperty("user.home", home.toString());
    try {
      Properties props = server.connectionProperties();
      props.remove("sslrootcert");
      assertThatThrownBy(() -> DriverManager.getConnection(server.veilUrl(), props).close())
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("sslrootcert is not set, and pgjdbc's default CA file "
              + home.resolve(".postgresql").resolve("root.crt") + " does not exist")
          .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08001");
    } finally {
      System.setProperty("user.home", previousHome);
    }
  }

  @Test
  void connectionOverASocketVeilDidNotVerifyIsNotProven() throws SQLException {
    try (TlsReceipt receipt = TlsReceipt.open(); Connection plain = server.plainConnection()) {
      assertThat(receipt.provesVerifiedTls(plain)).isFalse();
    }
  }

  @Test
  void connectionVerifiedForAnotherConnectIsNotProvenByThisOne() throws Exception {
    PgjdbcSettings pg = PgjdbcSettings.resolve(server.plainUrl(), server.connectionProperties());
    try (TlsReceipt mine = TlsReceipt.open(); TlsReceipt other = TlsReceipt.open()) {
      Properties props = pg.properties();
      other.stamp(props);
      try (Connection c = new org.postgresql.Driver().connect(pg.url(), props)) {
        assertThat(other.provesVerifiedTls(c)).isTrue();
        assertThat(mine.provesVerifiedTls(c)).isFalse();
      }
    }
  }

  /** pgjdbc cancels on a socket of its own, in clear: Veil's TCP guard lets that request pass. */
  @Test
  void queryCancelReachesTheServer() throws SQLException {
    try (Connection c = server.veilConnection(new Properties());
        Statement s = c.createStatement()) {
      s.setQueryTimeout(1);
      assertThatThrownBy(() -> s.execute("SELECT pg_sleep(60)"))
          .isInstanceOf(SQLException.class)
          .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("57014");
      assertThat(c.isValid(5)).isTrue();
    }
  }

  @Test
  void directTlsNegotiationGoesThroughTheSameChecks() throws SQLException {
    Properties props = new Properties();
    props.setProperty("sslNegotiation", "direct");
    try (Connection c = server.veilConnection(props)) {
      assertThat(sslStatus(c)[1]).isEqualTo("TLSv1.3");
    }
  }

  @Test
  void connectionWithLoginTimeoutIsProvenThoughPgjdbcConnectsOnAnotherThread()
      throws SQLException {
    Properties props = new Properties();
    props.setProperty("loginTimeout", "30");
    try (Connection c = server.veilConnection(props)) {
      assertThat(sslStatus(c)[1]).isEqualTo("TLSv1.3");
    }
  }

  @Test
  void clientCertificateAuthenticationWorksThroughVeil() throws SQLException {
    assumeTrue(TestPostgres.canStartServers(), "needs the run's own server and client certs");
    Properties props = new Properties();
    props.setProperty("user", server.certificateUser());
    props.setProperty("sslrootcert", server.caCertificate().toString());
    props.setProperty("sslcert", server.clientCertificate().certificate().toString());
    props.setProperty("sslkey", server.clientCertificate().pkcs8DerKey().toString());
    try (Connection c = DriverManager.getConnection(server.veilUrl(), props);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT current_user, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(server.certificateUser());
      assertThat(rs.getString(2)).isEqualTo("/CN=" + server.certificateUser());
    }
  }

  @Test
  void certificateRoleWithoutAClientCertificateIsRejectedByTheServer() {
    assumeTrue(TestPostgres.canStartServers(), "needs the run's own server");
    Properties props = new Properties();
    props.setProperty("user", server.certificateUser());
    props.setProperty("sslrootcert", server.caCertificate().toString());
    // No ~/.postgresql/postgresql.crt is used: point sslcert at a file that does not exist.
    props.setProperty("sslcert", server.clientCertificate().certificate() + ".missing");
    assertThatThrownBy(() -> DriverManager.getConnection(server.veilUrl(), props).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("certificate");
  }

  @Test
  void serverCappedAtTls12IsRefusedWhilePlainPgjdbcWouldConnect() throws SQLException {
    assumeTrue(TestPostgres.canStartServers(), "needs a second server of the run's own");
    try (PostgresServer tls12 = TestPostgres.start(ServerOptions.cappedAtTls12())) {
      try (Connection plain = tls12.plainConnection()) {
        assertThat(sslStatus(plain)[1]).isEqualTo("TLSv1.2");
      }
      assertThatThrownBy(() -> tls12.veilConnection(new Properties()).close())
          .isInstanceOf(SQLException.class)
          .hasMessageContaining(tls12.host() + ":" + tls12.port()
              + ": the server offered TLSv1.2; Veil requires TLS 1.3")
          .hasCauseInstanceOf(org.postgresql.util.PSQLException.class)
          .satisfies(e -> assertThat(TlsRefusedException.findIn(e)).isNotNull())
          .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08001");
    }
  }
}
