package org.veil.tls;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.postgresql.Driver;
import org.postgresql.PGProperty;
import org.postgresql.jdbcurlresolver.PgServiceConfParser;
import org.postgresql.util.PGPropertyUtil;
import org.postgresql.util.URLCoder;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/**
 * What Veil hands pgjdbc for one connection request: a URL that names hosts, ports and database
 * only, and properties that hold every other setting, merged once and with Veil's TLS settings
 * forced, so that nothing the user gave can override them.
 *
 * <p>The settings come from the URL's parameters, the connection properties (including a data
 * source's setters) and the pgjdbc service file a {@code service=} parameter names, merged by
 * pgjdbc's own rule ({@link Driver#parseURL}: URL over properties over service file). Each
 * source is checked by {@link TlsPolicy} on its own, so a weakening value is refused even where
 * another source would have overridden it. The service file is read here, once; pgjdbc is not
 * told about it.
 *
 * <p>Immutable; {@link #properties()} returns a copy. {@link #toString()} holds no password.
 */
public final class PgjdbcSettings {

  private static final String PG_SCHEME = "jdbc:postgresql:";
  private static final String SERVICE = "service";

  private final String url;
  private final Properties properties;

  private PgjdbcSettings(String url, Properties properties) {
    this.url = url;
    this.properties = properties;
  }

  /**
   * Resolves a pgjdbc URL ({@code jdbc:postgresql:…}, without {@code veil.*} parameters) and
   * properties (without {@code veil.*} settings).
   *
   * @throws VeilException 08001 when pgjdbc cannot parse the URL, its service is not found, or a
   *     setting from any source would weaken TLS
   */
  public static PgjdbcSettings resolve(String pgUrl, Properties pgProperties)
      throws VeilException {
    Properties given = new Properties();
    for (String name : pgProperties.stringPropertyNames()) {
      given.setProperty(name, pgProperties.getProperty(name));
    }
    Properties merged = pgUrl.startsWith(PG_SCHEME) ? Driver.parseURL(pgUrl, given) : null;
    if (merged == null) {
      throw new VeilException(VeilError.CONNECTION_REFUSED, "pgjdbc cannot parse "
          + withoutParameters(pgUrl) + " with its parameters: it must read"
          + " jdbc:veil:postgresql://host[:port][,host2[:port2]…]/database[?parameters], each"
          + " port a number, and a service= parameter must name a service in the pgjdbc service"
          + " file");
    }
    Properties parameters = urlParameters(pgUrl);
    TlsPolicy.check(parameters, "URL parameter");
    TlsPolicy.check(given, "connection property");
    String service = parameters.getProperty(SERVICE);
    if (service != null) {
      Properties serviceSettings = PgServiceConfParser.getServiceProperties(service);
      if (serviceSettings != null) {
        TlsPolicy.check(serviceSettings, "service " + service + " in the pgjdbc service file");
      }
    }
    TlsPolicy.check(merged, "merged settings");

    Properties handed = new Properties();
    handed.putAll(merged);
    TlsPolicy.apply(handed);
    return new PgjdbcSettings(urlOf(merged), handed);
  }

  /** {@code jdbc:postgresql://host:port[,host:port…]/database}, with no parameters. */
  public String url() {
    return url;
  }

  /** Every setting pgjdbc needs, Veil's TLS settings forced; a fresh copy. */
  public Properties properties() {
    Properties copy = new Properties();
    copy.putAll(properties);
    return copy;
  }

  @Override
  public String toString() {
    return url;
  }

  /** The URL's parameters as pgjdbc reads them: names as it translates them, values decoded. */
  private static Properties urlParameters(String pgUrl) {
    Properties parameters = new Properties();
    int query = pgUrl.indexOf('?');
    if (query < 0) {
      return parameters;
    }
    for (String pair : pgUrl.substring(query + 1).split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq < 0) {
        parameters.setProperty(pair, "");
      } else {
        parameters.setProperty(PGPropertyUtil.translatePGServiceToPGProperty(
            pair.substring(0, eq)),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return parameters;
  }

  private static String urlOf(Properties merged) {
    String[] hosts = PGProperty.PG_HOST.getOrDefault(merged).split(",");
    String[] ports = PGProperty.PG_PORT.getOrDefault(merged).split(",");
    StringBuilder url = new StringBuilder("jdbc:postgresql://");
    for (int i = 0; i < hosts.length; i++) {
      if (i > 0) {
        url.append(',');
      }
      String host = hosts[i];
      boolean ipv6 = host.indexOf(':') >= 0 && !host.startsWith("[");
      url.append(ipv6 ? "[" + host + "]" : host).append(':').append(ports[i]);
    }
    url.append('/');
    String database = PGProperty.PG_DBNAME.getOrDefault(merged);
    if (database != null) {
      url.append(URLCoder.encode(database));
    }
    return url.toString();
  }

  private static String withoutParameters(String url) {
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query);
  }
}
