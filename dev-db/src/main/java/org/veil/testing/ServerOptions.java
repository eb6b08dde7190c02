package org.veil.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a test server is configured beyond the defaults: whether it offers TLS, the TLS protocol
 * range and any further {@code postgresql.conf} settings.
 *
 * @param tls {@code ssl=on} and an {@code hba_file} that rejects connections without TLS; when
 *     false, {@code ssl=off} and password logins without TLS
 * @param sslMinProtocol {@code ssl_min_protocol_version}
 * @param sslMaxProtocol {@code ssl_max_protocol_version}, or empty for no cap
 * @param settings further server settings, applied as {@code -c name=value}
 */
public record ServerOptions(boolean tls, String sslMinProtocol, String sslMaxProtocol,
    Map<String, String> settings) {

  public ServerOptions {
    settings = Map.copyOf(settings);
  }

  /** A server with TLS, with the given protocol range and settings. */
  public ServerOptions(String sslMinProtocol, String sslMaxProtocol,
      Map<String, String> settings) {
    this(true, sslMinProtocol, sslMaxProtocol, settings);
  }

  /** TLS 1.3 only, and full statement logging so tests can read what reached the server. */
  public static ServerOptions defaults() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("log_statement", "all");
    settings.put("log_parameter_max_length", "-1");
    settings.put("log_min_error_statement", "error");
    settings.put("max_connections", "200");
    settings.put("fsync", "off");
    settings.put("synchronous_commit", "off");
    settings.put("full_page_writes", "off");
    return new ServerOptions("TLSv1.3", "", settings);
  }

  /** A server that speaks at most TLS 1.2, as an older or misconfigured server would. */
  public static ServerOptions cappedAtTls12() {
    ServerOptions d = defaults();
    return new ServerOptions("TLSv1.2", "TLSv1.2", d.settings());
  }

  /**
   * A server with {@code ssl=off} that accepts password logins without TLS, as a misconfigured
   * server would: it answers a client's TLS request with "N".
   */
  public static ServerOptions withoutTls() {
    ServerOptions d = defaults();
    return new ServerOptions(false, d.sslMinProtocol(), "", d.settings());
  }

  /** These options with one more server setting (or another value for one). */
  public ServerOptions withSetting(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(settings);
    more.put(name, value);
    return new ServerOptions(tls, sslMinProtocol, sslMaxProtocol, more);
  }
}
