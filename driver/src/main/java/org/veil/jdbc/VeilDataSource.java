package org.veil.jdbc;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Enumeration;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import javax.naming.NamingException;
import javax.naming.RefAddr;
import javax.naming.Reference;
import javax.naming.StringRefAddr;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.ds.common.BaseDataSource;
import org.veil.config.VeilProperty;
import org.veil.error.VeilError;
import org.veil.metrics.VeilDiagnostics;

/**
 * A {@link javax.sql.DataSource} for Veil, for pools configured by class name (HikariCP's
 * {@code dataSourceClassName=org.veil.jdbc.VeilDataSource}).
 *
 * <p>It takes every setting pgjdbc's {@link PGSimpleDataSource} takes (server names, database,
 * {@code sslRootCert}, {@code url} …) and one setter per Veil setting, named after it without the
 * {@code veil.} prefix: {@code veil.kms.keyId} is {@link #setKmsKeyId}. {@link #setUrl} accepts
 * {@code jdbc:veil:postgresql:} URLs (and, for convenience, {@code jdbc:postgresql:} ones).
 * Connections are opened by Veil, never by pgjdbc directly, with the same settings rule and TLS
 * checks as {@link VeilDriver}: the data source's pgjdbc settings are handed over as connection
 * properties, never as URL parameters (which pgjdbc would let override Veil's own).
 *
 * <p>Copies keep the Veil settings: {@link #getReference()} (JNDI, read back by
 * {@link VeilDataSourceFactory}), Java serialisation and {@link #initializeFrom}. A copy that
 * would lose them cannot be made: pgjdbc's {@code PGObjectFactory} does not build this class.
 *
 * <p>Each data source owns its runtime: key cache and statement analysis are not shared with
 * other data sources. Thread-safe once configured.
 */
public class VeilDataSource extends PGSimpleDataSource {

  private static final long serialVersionUID = 1L;

  /** Reference entries that are the URL's parts or the login, not connection properties. */
  private static final Set<String> NOT_PROPERTIES =
      Set.of("serverName", "portNumber", "databaseName", "user", "password");

  private final Properties veilProperties = new Properties();
  private transient volatile Connector connector;
  /** The application's Micrometer MeterRegistry, or null for Micrometer's global registry. */
  private transient volatile Object meterRegistry;

  @Override
  public Connection getConnection() throws SQLException {
    return getConnection(getUser(), getPassword());
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    Properties info = pgjdbcProperties();
    synchronized (veilProperties) {
      info.putAll(veilProperties);
    }
    if (user != null) {
      info.setProperty("user", user);
    }
    if (password != null) {
      info.setProperty("password", password);
    }
    return connector().connect(hostsAndDatabase(), info);
  }

  /** The Veil URL for this data source's pgjdbc settings ({@code veil.*} settings excluded). */
  @Override
  public String getUrl() {
    return "jdbc:veil:" + super.getUrl().substring("jdbc:".length());
  }

  @Override
  public String getURL() {
    return getUrl();
  }

  /**
   * Takes a {@code jdbc:veil:postgresql:} URL; {@code veil.*} parameters become Veil settings.
   *
   * @throws IllegalArgumentException when a {@code veil.*} parameter is not a Veil setting: a
   *     JavaBeans setter cannot throw {@code SQLException}, and a pool that configures the data
   *     source this way then fails at once, naming the setting. Malformed values of known
   *     settings are reported by {@link #getConnection()}, as {@code SQLException}s.
   */
  @Override
  public void setUrl(String url) {
    String pgUrl = url;
    if (ConnectionSettings.accepts(url)) {
      try {
        ConnectionSettings settings = ConnectionSettings.split(url, new Properties());
        settings.veilProperties.forEach((k, v) -> setVeilProperty((String) k, (String) v));
        pgUrl = settings.delegateUrl;
      } catch (SQLException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
    super.setUrl(pgUrl);
  }

  @Override
  public void setURL(String url) {
    setUrl(url);
  }

  @Override
  public String getDescription() {
    return "Veil DataSource over pgjdbc";
  }

  /** pgjdbc's entries (servers, ports, database, login, settings) and every Veil setting. */
  @Override
  public Reference getReference() throws NamingException {
    Reference ref = super.getReference();
    Properties veil = veilSettings();
    for (String name : new TreeSet<>(veil.stringPropertyNames())) {
      ref.add(new StringRefAddr(name, veil.getProperty(name)));
    }
    return ref;
  }

  /**
   * Takes pgjdbc's settings and the Veil settings from a reference {@link #getReference()} made.
   *
   * @throws IllegalArgumentException when the reference names an unknown {@code veil.*} setting
   */
  @Override
  public void setFromReference(Reference ref) {
    super.setFromReference(ref);
    for (Enumeration<RefAddr> addrs = ref.getAll(); addrs.hasMoreElements(); ) {
      RefAddr addr = addrs.nextElement();
      if (VeilProperty.isVeilName(addr.getType())) {
        setVeilProperty(addr.getType(), (String) addr.getContent());
      }
    }
  }

  /** Read back by {@link VeilDataSourceFactory}, which restores the Veil settings too. */
  @Override
  protected Reference createReference() {
    return new Reference(getClass().getName(), VeilDataSourceFactory.class.getName(), null);
  }

  /** Copies pgjdbc's settings and, from another Veil data source, the Veil settings. */
  @Override
  public void initializeFrom(BaseDataSource source) throws IOException, ClassNotFoundException {
    super.initializeFrom(source);
    if (source instanceof VeilDataSource) {
      Properties veil = ((VeilDataSource) source).veilSettings();
      synchronized (veilProperties) {
        veilProperties.clear();
        veilProperties.putAll(veil);
      }
    }
  }

  /**
   * Sets a Veil setting by its full name ({@code veil.columns}). The value is checked by
   * {@link #getConnection()}, which reports a malformed one as an {@code SQLException}.
   *
   * @throws IllegalArgumentException when {@code name} is not a Veil setting (a JavaBeans-style
   *     setter cannot throw {@code SQLException})
   */
  public void setVeilProperty(String name, String value) {
    VeilProperty property = VeilProperty.forName(name);
    if (property == null) {
      throw new IllegalArgumentException("unknown setting " + name
          + "; Veil's settings are listed in the README and by Driver.getPropertyInfo");
    }
    setVeilProperty(property, value);
  }

  /** The value set for a Veil setting, or null. */
  public String getVeilProperty(String name) {
    synchronized (veilProperties) {
      return veilProperties.getProperty(name);
    }
  }

  private void setVeilProperty(VeilProperty property, String value) {
    synchronized (veilProperties) {
      if (value == null) {
        veilProperties.remove(property.getName());
      } else {
        veilProperties.setProperty(property.getName(), value);
      }
    }
  }

  private Properties veilSettings() {
    Properties copy = new Properties();
    synchronized (veilProperties) {
      copy.putAll(veilProperties);
    }
    return copy;
  }

  /** {@code jdbc:veil:postgresql://hosts/database}: the part of the URL that is not settings. */
  private String hostsAndDatabase() {
    String url = getUrl();
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query);
  }

  /** The pgjdbc settings this data source holds (only those set, not pgjdbc's defaults). */
  private Properties pgjdbcProperties() throws SQLException {
    Reference ref;
    try {
      ref = super.getReference();
    } catch (NamingException e) {
      throw SqlErrors.of(VeilError.INVALID_CONFIGURATION,
          "cannot read the data source's settings: " + e.getMessage(), e);
    }
    Properties properties = new Properties();
    for (Enumeration<RefAddr> addrs = ref.getAll(); addrs.hasMoreElements(); ) {
      RefAddr addr = addrs.nextElement();
      if (!NOT_PROPERTIES.contains(addr.getType()) && addr.getContent() != null) {
        properties.setProperty(addr.getType(), (String) addr.getContent());
      }
    }
    return properties;
  }

  /** Refuses a serialised form whose Veil settings are not all known names. */
  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    for (String name : veilProperties.stringPropertyNames()) {
      if (VeilProperty.forName(name) == null) {
        throw new InvalidObjectException("unknown setting " + name + " in a serialised"
            + " VeilDataSource; Veil's settings are listed in the README");
      }
    }
  }

  /**
   * The Micrometer {@code io.micrometer.core.instrument.MeterRegistry} that Veil's meters are
   * registered in (README, "Metrics"); without one, Micrometer's global registry
   * ({@code Metrics.globalRegistry}, which Spring Boot's registries join), when Micrometer is on
   * the class path. Typed {@code Object} so that the data source loads, and bean tools can list
   * its setters, without Micrometer. Takes effect for the first connection; set it before.
   *
   * @throws IllegalArgumentException when {@code registry} is not a MeterRegistry
   * @throws IllegalStateException when this data source has opened a connection already
   */
  public void setMeterRegistry(Object registry) {
    synchronized (this) {
      if (connector != null) {
        throw new IllegalStateException("set the meter registry before the data source's"
            + " first connection: its meters are registered then");
      }
      new org.veil.metrics.VeilMetrics(registry); // checks the type, registers nothing
      meterRegistry = registry;
    }
  }

  /**
   * {@link VeilDiagnostics}: what this data source's connections did, counted; otherwise as
   * pgjdbc's data source does.
   */
  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface == VeilDiagnostics.class) {
      return iface.cast(connector().metrics().diagnostics());
    }
    return super.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface == VeilDiagnostics.class || super.isWrapperFor(iface);
  }

  private Connector connector() {
    Connector c = connector;
    if (c == null) {
      synchronized (this) {
        c = connector;
        if (c == null) {
          c = new Connector(meterRegistry);
          connector = c;
        }
      }
    }
    return c;
  }

  // One setter per VeilProperty, for pools that configure data sources through bean setters.

  public void setAnnotatedClasses(String value) {
    setVeilProperty(VeilProperty.ANNOTATED_CLASSES, value);
  }

  public void setCacheDekMax(String value) {
    setVeilProperty(VeilProperty.CACHE_DEK_MAX, value);
  }

  public void setCacheExpireAfter(String value) {
    setVeilProperty(VeilProperty.CACHE_EXPIRE_AFTER, value);
  }

  public void setCacheFailureExpireAfter(String value) {
    setVeilProperty(VeilProperty.CACHE_FAILURE_EXPIRE_AFTER, value);
  }

  public void setCacheGrace(String value) {
    setVeilProperty(VeilProperty.CACHE_GRACE, value);
  }

  public void setCacheKeyMax(String value) {
    setVeilProperty(VeilProperty.CACHE_KEY_MAX, value);
  }

  public void setCacheRefreshAfter(String value) {
    setVeilProperty(VeilProperty.CACHE_REFRESH_AFTER, value);
  }

  public void setColumns(String value) {
    setVeilProperty(VeilProperty.COLUMNS, value);
  }

  public void setConfig(String value) {
    setVeilProperty(VeilProperty.CONFIG, value);
  }

  public void setGuard(String value) {
    setVeilProperty(VeilProperty.GUARD, value);
  }

  public void setKeysKeyring(String value) {
    setVeilProperty(VeilProperty.KEYS_KEYRING, value);
  }

  public void setKeysRotateAfter(String value) {
    setVeilProperty(VeilProperty.KEYS_ROTATE_AFTER, value);
  }

  public void setKeysRotateAfterRows(String value) {
    setVeilProperty(VeilProperty.KEYS_ROTATE_AFTER_ROWS, value);
  }

  public void setKeysTable(String value) {
    setVeilProperty(VeilProperty.KEYS_TABLE, value);
  }

  public void setCellsVersion(String value) {
    setVeilProperty(VeilProperty.CELLS_VERSION, value);
  }

  public void setKeysWrapping(String value) {
    setVeilProperty(VeilProperty.KEYS_WRAPPING, value);
  }

  public void setKms(String value) {
    setVeilProperty(VeilProperty.KMS, value);
  }

  public void setKmsEndpoint(String value) {
    setVeilProperty(VeilProperty.KMS_ENDPOINT, value);
  }

  public void setKmsKeyId(String value) {
    setVeilProperty(VeilProperty.KMS_KEY_ID, value);
  }

  public void setKmsKeystore(String value) {
    setVeilProperty(VeilProperty.KMS_KEYSTORE, value);
  }

  public void setKmsKeystorePassword(String value) {
    setVeilProperty(VeilProperty.KMS_KEYSTORE_PASSWORD, value);
  }

  public void setKmsPreviousKeys(String value) {
    setVeilProperty(VeilProperty.KMS_PREVIOUS_KEYS, value);
  }

  public void setKmsRegion(String value) {
    setVeilProperty(VeilProperty.KMS_REGION, value);
  }

  public void setKmsTimeout(String value) {
    setVeilProperty(VeilProperty.KMS_TIMEOUT, value);
  }

  public void setMetricsJmx(String value) {
    setVeilProperty(VeilProperty.METRICS_JMX, value);
  }

  public void setMetricsName(String value) {
    setVeilProperty(VeilProperty.METRICS_NAME, value);
  }

  public void setPlaintextReads(String value) {
    setVeilProperty(VeilProperty.PLAINTEXT_READS, value);
  }

  public void setScanPackages(String value) {
    setVeilProperty(VeilProperty.SCAN_PACKAGES, value);
  }

  public void setSqlCacheSize(String value) {
    setVeilProperty(VeilProperty.SQL_CACHE_SIZE, value);
  }
}
