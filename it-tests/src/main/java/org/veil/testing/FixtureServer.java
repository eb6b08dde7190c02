package org.veil.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** What the servers this run starts have in common: their files, roles and database. */
abstract class FixtureServer implements PostgresServer {

  final ServerFiles files;

  FixtureServer(ServerFiles files) {
    this.files = files;
  }

  /** Creates the application and certificate roles and the application database. */
  final void bootstrap(String adminUrl, Properties admin) {
    admin.setProperty("sslmode", files.tls ? "verify-full" : "disable");
    admin.setProperty("sslrootcert", files.caCertificate.toString());
    try (Connection c = DriverManager.getConnection(adminUrl, admin);
        Statement s = c.createStatement()) {
      for (String sql : files.bootstrapSql()) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the test roles and database", e);
    }
  }

  @Override
  public String database() {
    return ServerFiles.DATABASE;
  }

  @Override
  public String user() {
    return ServerFiles.APP_USER;
  }

  @Override
  public String password() {
    return files.appPassword;
  }

  @Override
  public Path caCertificate() {
    return files.caCertificate;
  }

  @Override
  public String certificateUser() {
    return ServerFiles.CERT_USER;
  }

  @Override
  public TestCertificates.IssuedCertificate clientCertificate() {
    return files.clientCertificate;
  }
}
