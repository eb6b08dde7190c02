package org.veil.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConnectionSettingsTest {

  @Test
  void prefixIsStrippedOnceAndOnlyAtTheStart() throws SQLException {
    ConnectionSettings s = ConnectionSettings.split(
        "jdbc:veil:postgresql://db/app?ApplicationName=jdbc:veil:postgresql:", new Properties());
    assertThat(s.delegateUrl)
        .isEqualTo("jdbc:postgresql://db/app?ApplicationName=jdbc:veil:postgresql:");
  }

  @Test
  void onlyVeilPostgresqlUrlsAreAccepted() {
    assertThat(ConnectionSettings.accepts("jdbc:veil:postgresql://db/app")).isTrue();
    assertThat(ConnectionSettings.accepts("jdbc:postgresql://db/app")).isFalse();
    assertThat(ConnectionSettings.accepts("jdbc:veil:mysql://db/app")).isFalse();
    assertThat(ConnectionSettings.accepts(null)).isFalse();
  }

  @Test
  void veilUrlParametersAreKeptFromPgjdbc() throws SQLException {
    ConnectionSettings s = ConnectionSettings.split("jdbc:veil:postgresql://db:5433/app"
        + "?veil.columns=customers.ssn%2Ccustomers.email&sslrootcert=/ca.pem&veil.kms=local",
        new Properties());
    assertThat(s.delegateUrl).isEqualTo("jdbc:postgresql://db:5433/app?sslrootcert=/ca.pem");
    assertThat(s.veilProperties).containsEntry("veil.columns", "customers.ssn,customers.email")
        .containsEntry("veil.kms", "local");
  }

  @Test
  void urlWithOnlyVeilParametersLosesItsQueryString() throws SQLException {
    ConnectionSettings s = ConnectionSettings.split(
        "jdbc:veil:postgresql://db/app?veil.kms=local", new Properties());
    assertThat(s.delegateUrl).isEqualTo("jdbc:postgresql://db/app");
  }

  @Test
  void veilPropertiesAreKeptFromPgjdbc() throws SQLException {
    Properties info = new Properties();
    info.setProperty("user", "app");
    info.setProperty("password", "pw");
    info.setProperty("veil.kms.keystorePassword", "secret");
    ConnectionSettings s = ConnectionSettings.split("jdbc:veil:postgresql://db/app", info);
    assertThat(s.delegateProperties).containsOnlyKeys("user", "password");
    assertThat(s.veilProperties).containsOnlyKeys("veil.kms.keystorePassword");
  }

  @Test
  void urlParameterOverridesPropertyAsInPgjdbc() throws SQLException {
    Properties info = new Properties();
    info.setProperty("veil.kms", "aws");
    ConnectionSettings s = ConnectionSettings.split(
        "jdbc:veil:postgresql://db/app?veil.kms=local", info);
    assertThat(s.veilProperties).containsEntry("veil.kms", "local");
  }

  @Test
  void misspelledVeilSettingIsRefused() {
    assertThatThrownBy(() -> ConnectionSettings.split(
        "jdbc:veil:postgresql://db/app?veil.colums=customers.ssn", new Properties()))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("unknown setting veil.colums")
        .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("22023");
  }
}
