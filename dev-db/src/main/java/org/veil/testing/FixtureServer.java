package org.veil.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.regex.Pattern;

/** What the servers this run starts have in common: their files, roles and database. */
abstract class FixtureServer implements PostgresServer {

  private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]*");

  final ServerFiles files;
  /** The superuser's URL and properties, as {@link #bootstrap} used them. */
  private volatile String adminUrl;
  private volatile Properties admin;

  FixtureServer(ServerFiles files) {
    this.files = files;
  }

  /** Creates the application and certificate roles and the application database. */
  final void bootstrap(String adminUrl, Properties admin) {
    admin.setProperty("sslmode", files.tls ? "verify-full" : "disable");
    admin.setProperty("sslrootcert", files.caCertificate.toString());
    useAdmin(adminUrl, admin);
    try (Connection c = DriverManager.getConnection(adminUrl, admin);
        Statement s = c.createStatement()) {
      for (String sql : files.bootstrapSql()) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the test roles and database", e);
    }
  }

  /** How {@link #createDatabase} connects as the superuser (a server that was not bootstrapped). */
  final void useAdmin(String adminUrl, Properties admin) {
    Properties copy = new Properties();
    copy.putAll(admin);
    this.admin = copy;
    this.adminUrl = adminUrl;
  }

  @Override
  public void createDatabase(String name) {
    if (!DATABASE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(name + " is not a plain lower-case database name");
    }
    try (Connection c = DriverManager.getConnection(adminUrl, admin);
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      s.execute("CREATE DATABASE " + name + " OWNER " + ServerFiles.APP_USER);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name, e);
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
