package org.veil.jdbc;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Properties;
import java.util.StringJoiner;
import org.veil.config.VeilProperty;
import org.veil.error.VeilError;

/**
 * One connection request split in two: pgjdbc's share (its URL and properties, with every
 * {@code veil.*} setting removed, which {@link org.veil.tls.PgjdbcSettings} then resolves into
 * what pgjdbc is handed) and what Veil keeps (the {@code veil.*} settings).
 *
 * <p>As in pgjdbc, a URL parameter overrides a property of the same name. Public for Veil's
 * command-line tools, which split the application's URL as the driver does; not an API for
 * applications. Immutable once made.
 */
public final class ConnectionSettings {

  /** Every URL Veil accepts starts with this. */
  static final String URL_PREFIX = "jdbc:veil:postgresql:";

  private static final String VEIL_SCHEME = "jdbc:veil:";

  final String delegateUrl;
  final Properties delegateProperties;
  final Properties veilProperties;

  private ConnectionSettings(String delegateUrl, Properties delegateProperties,
      Properties veilProperties) {
    this.delegateUrl = delegateUrl;
    this.delegateProperties = delegateProperties;
    this.veilProperties = veilProperties;
  }

  /** Whether {@code url} is a Veil URL ({@code jdbc:veil:postgresql:…}). */
  public static boolean accepts(String url) {
    return url != null && url.startsWith(URL_PREFIX);
  }

  /** The pgjdbc URL for a Veil URL: {@code jdbc:veil:postgresql:…} → {@code jdbc:postgresql:…}. */
  static String delegateUrl(String veilUrl) {
    return "jdbc:" + veilUrl.substring(VEIL_SCHEME.length());
  }

  /**
   * Splits {@code url} (which {@link #accepts} accepts) and {@code info}.
   *
   * @throws SQLException when a {@code veil.*} name is not a Veil setting
   */
  public static ConnectionSettings split(String url, Properties info) throws SQLException {
    Properties delegate = new Properties();
    Properties veil = new Properties();
    if (info != null) {
      for (String name : info.stringPropertyNames()) {
        String value = info.getProperty(name);
        (VeilProperty.isVeilName(name) ? veil : delegate).setProperty(name, value);
      }
    }
    String pgUrl = delegateUrl(url);
    int query = pgUrl.indexOf('?');
    if (query >= 0) {
      StringJoiner kept = new StringJoiner("&");
      for (String pair : pgUrl.substring(query + 1).split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        if (VeilProperty.isVeilName(name)) {
          veil.setProperty(name, eq < 0 ? "" : decode(pair.substring(eq + 1)));
        } else {
          kept.add(pair);
        }
      }
      pgUrl = pgUrl.substring(0, query) + (kept.length() == 0 ? "" : "?" + kept);
    }
    for (String name : veil.stringPropertyNames()) {
      if (VeilProperty.forName(name) == null) {
        throw SqlErrors.of(VeilError.INVALID_CONFIGURATION,
            "unknown setting " + name + "; Veil's settings are listed by"
            + " Driver.getPropertyInfo and in the README");
      }
    }
    return new ConnectionSettings(pgUrl, delegate, veil);
  }

  /** pgjdbc's URL: the Veil URL without its {@code veil:} and without {@code veil.*} parameters. */
  public String pgjdbcUrl() {
    return delegateUrl;
  }

  /** pgjdbc's properties: those given, without {@code veil.*} settings; a copy. */
  public Properties pgjdbcProperties() {
    Properties copy = new Properties();
    copy.putAll(delegateProperties);
    return copy;
  }

  /** The {@code veil.*} settings of the URL and the properties; a copy. */
  public Properties veilProperties() {
    Properties copy = new Properties();
    copy.putAll(veilProperties);
    return copy;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
