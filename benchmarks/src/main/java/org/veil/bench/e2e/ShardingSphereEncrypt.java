package org.veil.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Apache ShardingSphere-JDBC with its encrypt rule and its built-in {@code AES} encryptor on both
 * protected columns, over a HikariCP pool of pgjdbc connections (verify-full, TLS 1.3).
 * ShardingSphere parses and rewrites every statement, encrypts bound values and decrypts result
 * columns. Its {@code AES} encryptor is AES-128-ECB with PKCS#5 padding under a key taken from
 * the SHA-1 of a passphrase, Base64 in a text column: deterministic, so it can serve
 * {@code WHERE email = ?}, and weaker than what Veil does; it is here as the cost of the
 * established client-side alternative, not as an equal.
 *
 * <p>Found at run time by its driver class, so the module compiles without it; run.sh puts it on
 * the class path (Maven profile {@code contenders}).
 */
public final class ShardingSphereEncrypt implements Contender {

  private static final String DRIVER_CLASS = "org.apache.shardingsphere.driver.ShardingSphereDriver";

  private Path config;
  private String unavailable;

  @Override
  public String id() {
    return "sharding";
  }

  @Override
  public String description() {
    return "Apache ShardingSphere-JDBC " + version() + ", encrypt rule with its AES encryptor "
        + "(AES-128-ECB, Base64 in text) on both columns, HikariCP pool of pgjdbc connections";
  }

  @Override
  public void prepare(Target target) throws IOException {
    try {
      Class.forName(DRIVER_CLASS);
    } catch (ClassNotFoundException e) {
      unavailable = "ShardingSphere-JDBC is not on the class path (build with -Pcontenders)";
      return;
    }
    config = Files.createTempFile("veil-bench-shardingsphere-", ".yaml");
    config.toFile().deleteOnExit();
    Files.writeString(config, yaml(target), StandardCharsets.UTF_8);
  }

  @Override
  public Optional<String> unavailableReason() {
    return Optional.ofNullable(unavailable);
  }

  @Override
  public Connection connect(Target target) throws SQLException {
    if (config == null) {
      throw new IllegalStateException("prepare was not called, or ShardingSphere is unavailable");
    }
    return DriverManager.getConnection("jdbc:shardingsphere:absolutepath:" + config);
  }

  @Override
  public String protectedColumnType(ProtectedColumn column) {
    return "text";
  }

  @Override
  public boolean canLookUpByEquality() {
    return true;
  }

  @Override
  public boolean storesCiphertext() {
    return true;
  }

  private static String yaml(Target target) {
    var server = target.server();
    String url = server.plainUrl() + "?sslmode=verify-full&sslrootcert=" + server.caCertificate();
    StringBuilder y = new StringBuilder();
    y.append("databaseName: veil_bench\n");
    y.append("dataSources:\n");
    y.append("  ds:\n");
    y.append("    dataSourceClassName: com.zaxxer.hikari.HikariDataSource\n");
    y.append("    driverClassName: org.postgresql.Driver\n");
    y.append("    jdbcUrl: ").append(quoted(url)).append('\n');
    y.append("    username: ").append(quoted(server.user())).append('\n');
    y.append("    password: ").append(quoted(server.password())).append('\n');
    y.append("    maximumPoolSize: 2\n");
    y.append("rules:\n");
    y.append("- !ENCRYPT\n");
    y.append("  tables:\n");
    y.append("    ").append(target.table()).append(":\n");
    y.append("      columns:\n");
    for (ProtectedColumn column : ProtectedColumn.values()) {
      y.append("        ").append(column.sqlName()).append(":\n");
      y.append("          cipher:\n");
      y.append("            name: ").append(column.sqlName()).append('\n');
      y.append("            encryptorName: aes\n");
    }
    y.append("  encryptors:\n");
    y.append("    aes:\n");
    y.append("      type: AES\n");
    y.append("      props:\n");
    y.append("        aes-key-value: veil-benchmark-key\n");
    y.append("        digest-algorithm-name: SHA-1\n");
    y.append("props:\n");
    y.append("  sql-show: false\n");
    return y.toString();
  }

  private static String quoted(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  private static String version() {
    try {
      Package p = Class.forName(DRIVER_CLASS).getPackage();
      String v = p == null ? null : p.getImplementationVersion();
      return v == null ? "" : v;
    } catch (ClassNotFoundException e) {
      return "(absent)";
    }
  }
}
