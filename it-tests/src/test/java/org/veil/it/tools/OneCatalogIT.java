package org.veil.it.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.veil.tools.Veil;

/**
 * The driver and the tools read the catalog and store cells through the same code: a column's
 * storage form, a domain's base type and the refusal of a type that cannot hold a cell come out
 * the same on both sides, and the tool takes the application's own Veil URL, settings included.
 */
class OneCatalogIT {

  private final ToolFixture fx = new ToolFixture(
      "catalog_domains.secret, catalog_url.secret", "tools-catalog");
  /** Settings of their own: a column that cannot hold a cell fails every connection. */
  private final ToolFixture unfit = new ToolFixture("catalog_unfit.amount", "tools-unfit");

  @Test
  void aDomainOverByteaHoldsRawCellsWrittenByTheToolAndOpenedByTheDriver() throws Exception {
    fx.exec("DROP TABLE IF EXISTS catalog_domains", "DROP DOMAIN IF EXISTS catalog_secret",
        "CREATE DOMAIN catalog_secret AS bytea",
        "CREATE TABLE catalog_domains (id int PRIMARY KEY, secret catalog_secret)",
        "INSERT INTO catalog_domains SELECT g, convert_to('secret ' || g, 'UTF8')"
            + " FROM generate_series(1, 50) g");

    assertThat(fx.run("encrypt-existing", "--table", "catalog_domains", "--no-guard"))
        .isEqualTo(0);

    try (Connection plain = fx.plain(); PreparedStatement ps = plain.prepareStatement(
        "SELECT count(*) FROM catalog_domains WHERE substr(secret::bytea, 1, 2) = '\\x564c'")) {
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getInt(1)).as("every value a raw cell, not its text form").isEqualTo(50);
      }
    }
    try (Connection veil = fx.veil(); PreparedStatement ps = veil.prepareStatement(
        "SELECT secret FROM catalog_domains WHERE id = ?")) {
      ps.setInt(1, 7);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getBytes(1)).isEqualTo("secret 7".getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void driverAndToolRefuseAColumnThatCannotHoldACellWithOneMessage() throws Exception {
    unfit.exec("DROP TABLE IF EXISTS catalog_unfit",
        "CREATE TABLE catalog_unfit (id int PRIMARY KEY, amount integer)");

    String driverMessage;
    try {
      unfit.veil().close();
      throw new AssertionError("the driver accepted an encrypted integer column");
    } catch (SQLException e) {
      assertThat(e.getSQLState()).isEqualTo("42804");
      driverMessage = e.getMessage();
    }
    assertThat(driverMessage).contains("public.catalog_unfit.amount is of type int4")
        .contains("ALTER TABLE public.catalog_unfit ALTER COLUMN amount TYPE");

    ToolFixture.Output tool = unfit.runCapturingErr("encrypt-existing", "--table",
        "catalog_unfit", "--no-guard");
    assertThat(tool.exit()).isNotZero();
    assertThat(tool.text()).contains(driverMessage).contains("[SQLSTATE 42804]");
  }

  @Test
  void theToolReadsTheVeilSettingsOfTheApplicationsUrl() throws Exception {
    fx.exec("DROP TABLE IF EXISTS catalog_url",
        "CREATE TABLE catalog_url (id int PRIMARY KEY, secret text)",
        "INSERT INTO catalog_url SELECT g, 'value ' || g FROM generate_series(1, 20) g");
    String url = fx.server.veilUrl() + "?veil.columns=" + encode(fx.columns)
        + "&veil.kms=local&veil.kms.keystore=" + encode(fx.keyFile.toString())
        + "&veil.keys.keyring=" + encode(fx.keyring);
    List<String> args = new ArrayList<>(List.of("encrypt-existing", "--table", "catalog_url",
        "--no-guard", "--progress=none", "--url", url, "--user", fx.server.user(),
        "--password=" + fx.server.password(),
        "--sslrootcert", fx.server.caCertificate().toString()));

    assertThat(Veil.run(args.toArray(String[]::new))).isEqualTo(0);

    try (Connection plain = fx.plain(); PreparedStatement ps = plain.prepareStatement(
        "SELECT count(*) FROM catalog_url WHERE secret LIKE 'veil:%'")) {
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(20);
      }
    }
    try (Connection veil = fx.veil(); PreparedStatement ps = veil.prepareStatement(
        "SELECT secret FROM catalog_url WHERE id = 3")) {
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("value 3");
      }
    }
  }

  @Test
  void anUnknownVeilSettingInTheUrlIsRefusedByTheToolAsByTheDriver() {
    String url = fx.server.veilUrl() + "?veil.colums=" + encode(fx.columns);
    assertThatThrownBy(() -> java.sql.DriverManager.getConnection(url,
        fx.server.connectionProperties()))
        .isInstanceOf(SQLException.class).hasMessageContaining("unknown setting veil.colums");
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream was = System.err;
    int exit;
    try {
      System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
      exit = Veil.run("status", "--url", url, "--user", fx.server.user(),
          "--password=" + fx.server.password(),
          "--sslrootcert", fx.server.caCertificate().toString(), "--table", "catalog_url");
    } finally {
      System.setErr(was);
    }
    assertThat(exit).isNotZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown setting veil.colums");
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
