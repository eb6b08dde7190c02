package org.veil.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files one test server needs, made fresh for it: a CA, the server certificate for
 * {@code localhost} and {@code 127.0.0.1}, a client certificate, and a {@code pg_hba.conf} that
 * rejects every connection without TLS (or, for a server without TLS, accepts password logins
 * without it).
 */
final class ServerFiles {

  static final String APP_USER = "veil_app";
  static final String CERT_USER = "veil_cert";
  static final String DATABASE = "veil_it";

  final Path dir;
  /** Whether the server offers TLS (and requires it), or runs with {@code ssl=off}. */
  final boolean tls;
  final Path caCertificate;
  final TestCertificates.IssuedCertificate serverCertificate;
  final TestCertificates.IssuedCertificate clientCertificate;
  final Path hbaFile;
  final String appPassword;

  private ServerFiles(Path dir, boolean tls) throws IOException {
    this.dir = dir;
    this.tls = tls;
    TestCertificates ca = TestCertificates.newAuthority("Veil test CA " + dir.getFileName());
    this.caCertificate = ca.writeCertificate(dir.resolve("ca.crt"));
    this.serverCertificate =
        ca.issueServer(dir, "server", List.of("localhost"), List.of("127.0.0.1"));
    this.clientCertificate = ca.issueClient(dir, "client", CERT_USER);
    this.hbaFile = dir.resolve("pg_hba.conf");
    Files.writeString(hbaFile, tls
        ? String.join("\n",
            "# Written by the Veil test fixture: TLS or nothing.",
            "hostnossl all all all reject",
            "hostssl all postgres 0.0.0.0/0 trust",
            "hostssl all " + CERT_USER + " 0.0.0.0/0 cert",
            "hostssl all all 0.0.0.0/0 scram-sha-256",
            "hostssl all all ::0/0 scram-sha-256",
            "")
        : String.join("\n",
            "# Written by the Veil test fixture: a server without TLS (ssl=off).",
            "host all postgres 0.0.0.0/0 trust",
            "host all all 0.0.0.0/0 scram-sha-256",
            "host all all ::0/0 scram-sha-256",
            ""));
    byte[] secret = new byte[18];
    new SecureRandom().nextBytes(secret);
    this.appPassword = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  static ServerFiles create(boolean tls) {
    try {
      return new ServerFiles(Files.createTempDirectory("veil-pg-"), tls);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare test server files", e);
    }
  }

  /** SQL that creates the application and certificate roles and the application database. */
  List<String> bootstrapSql() {
    return List.of(
        "CREATE ROLE " + APP_USER + " LOGIN PASSWORD '" + appPassword + "'",
        "CREATE ROLE " + CERT_USER + " LOGIN",
        "CREATE DATABASE " + DATABASE + " OWNER " + APP_USER,
        "GRANT CONNECT ON DATABASE " + DATABASE + " TO " + CERT_USER);
  }

  void delete() {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Left in the temp directory; nothing depends on its removal.
    }
  }
}
