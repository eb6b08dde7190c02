package org.veil.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.veil.keys.KeyStoreConnections;

/** Where the key store's own connections go, given the application's URL and server. */
class KeyStoreServersTest {

  private static final String URL =
      "jdbc:postgresql://standby1:5433,primary.example:5432/app%20db?targetServerType=secondary";
  private static final DatabaseIdentity ON_STANDBY = new DatabaseIdentity("standby1", 5433,
      "app db", 16384, OptionalLong.of(7L));

  private record Opened(String url, Properties properties) {}

  private final List<Opened> opened = new ArrayList<>();

  private KeyStoreConnections servers(SQLException failure) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", "app");
    props.setProperty("sslmode", "verify-full");
    return KeyStoreServers.of((url, properties) -> {
      opened.add(new Opened(url, properties));
      if (failure != null) {
        throw failure;
      }
      return (Connection) null;
    }, URL, props, ON_STANDBY);
  }

  @Test
  void readsGoToExactlyTheServerTheApplicationIsOn() throws Exception {
    servers(null).reads().open();
    Opened read = opened.get(0);
    assertThat(read.url()).isEqualTo("jdbc:postgresql://standby1:5433/app+db");
    assertThat(org.postgresql.Driver.parseURL(read.url(), read.properties()))
        .containsEntry("PGDBNAME", "app db")
        .containsEntry("targetServerType", "any")
        .containsEntry("user", "app")
        .containsEntry("sslmode", "verify-full");
  }

  @Test
  void writesGoToAPrimaryAmongAllTheUrlsHosts() throws Exception {
    servers(null).writes().open();
    Opened write = opened.get(0);
    assertThat(write.url()).isEqualTo("jdbc:postgresql://standby1:5433,primary.example:5432/app+db");
    assertThat(org.postgresql.Driver.parseURL(write.url(), write.properties()))
        .containsEntry("targetServerType", "primary");
  }

  @Test
  void noPrimaryAnsweringIsReportedWith25006NamingTheHostsTried() throws Exception {
    KeyStoreConnections servers = servers(new SQLException(
        "Could not find a server with specified targetServerType: primary", "08001"));
    assertThatThrownBy(() -> servers.writes().open())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("standby1:5433, primary.example:5432")
        .hasMessageContaining("a primary is needed to create keyring and branch keys")
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"));
  }

  @Test
  void otherFailuresOfTheWriteConnectionKeepTheirSqlState() throws Exception {
    KeyStoreConnections servers = servers(new SQLException("password authentication failed",
        "28P01"));
    assertThatThrownBy(() -> servers.writes().open())
        .isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
  }

  @Test
  void aBareIpv6HostIsBracketedInTheReadUrl() throws Exception {
    KeyStoreServers.of((url, properties) -> {
      opened.add(new Opened(url, properties));
      return null;
    }, "jdbc:postgresql://[::1]:5432/app", new Properties(),
        new DatabaseIdentity("::1", 5432, "app", 1, OptionalLong.empty())).reads().open();
    assertThat(opened.get(0).url()).isEqualTo("jdbc:postgresql://[::1]:5432/app");
  }
}
