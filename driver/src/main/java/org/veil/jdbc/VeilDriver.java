package org.veil.jdbc;

import org.veil.metrics.VeilDiagnostics;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;
import org.veil.config.VeilProperty;

/**
 * The {@code jdbc:veil:postgresql:} driver: pgjdbc underneath, with the configured columns
 * encrypted on the client and the connection always {@code sslmode=verify-full} over TLS 1.3.
 *
 * <p>Everything after {@code jdbc:veil:} is pgjdbc's URL, so {@code jdbc:veil:postgresql://host/db}
 * connects where {@code jdbc:postgresql://host/db} would. {@code veil.*} settings, given as
 * properties or URL parameters, are Veil's and never reach pgjdbc.
 *
 * <p>Registered with {@link DriverManager} when the class loads (and through
 * {@code META-INF/services/java.sql.Driver}). Thread-safe.
 */
public final class VeilDriver implements Driver {

  private static VeilDriver registered;

  static {
    try {
      register();
    } catch (SQLException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Connector connector = new Connector(null);

  /** Registers a driver instance with {@link DriverManager}, unless one already is. */
  public static synchronized void register() throws SQLException {
    if (registered == null) {
      VeilDriver driver = new VeilDriver();
      DriverManager.registerDriver(driver);
      registered = driver;
    }
  }

  /** Removes the registered instance from {@link DriverManager}, e.g. when a web app stops. */
  public static synchronized void deregister() throws SQLException {
    if (registered != null) {
      DriverManager.deregisterDriver(registered);
      registered.connector.metrics().unpublish();
      registered = null;
    }
  }

  /**
   * What the connections of this driver did, counted (README, "Metrics"): the same numbers
   * this driver publishes to Micrometer's global registry when Micrometer is on the class path.
   */
  public VeilDiagnostics diagnostics() {
    return connector.metrics().diagnostics();
  }

  public static synchronized boolean isRegistered() {
    return registered != null;
  }

  /** Returns null for a URL that is not Veil's, as {@link Driver#connect} requires. */
  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return null;
    }
    return connector.connect(url, info);
  }

  @Override
  public boolean acceptsURL(String url) {
    return ConnectionSettings.accepts(url);
  }

  /** Veil's settings, then pgjdbc's for the same URL. */
  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return new DriverPropertyInfo[0];
    }
    ConnectionSettings settings = ConnectionSettings.split(url, info);
    List<DriverPropertyInfo> infos = new ArrayList<>();
    for (VeilProperty p : VeilProperty.values()) {
      infos.add(p.toDriverPropertyInfo(settings.veilProperties));
    }
    infos.addAll(List.of(new org.postgresql.Driver()
        .getPropertyInfo(settings.delegateUrl, settings.delegateProperties)));
    return infos.toArray(new DriverPropertyInfo[0]);
  }

  @Override
  public int getMajorVersion() {
    return VeilVersion.MAJOR;
  }

  @Override
  public int getMinorVersion() {
    return VeilVersion.MINOR;
  }

  /** False: pgjdbc itself does not claim JDBC compliance. */
  @Override
  public boolean jdbcCompliant() {
    return false;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return Logger.getLogger("org.veil");
  }
}
