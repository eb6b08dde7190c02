package org.veil.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class VeilDriverTest {

  @Test
  void connectReturnsNullForAnotherDriversUrl() throws SQLException {
    assertThat(new VeilDriver().connect("jdbc:postgresql://localhost/db", new Properties()))
        .isNull();
  }

  @Test
  void driverManagerFindsVeilForVeilUrls() throws SQLException {
    new VeilDriver(); // loads the class, whose static block registers an instance
    Driver driver = DriverManager.getDriver("jdbc:veil:postgresql://localhost/db");
    assertThat(driver).isInstanceOf(VeilDriver.class);
    assertThat(VeilDriver.isRegistered()).isTrue();
  }

  @Test
  void deregisterRemovesItFromDriverManagerAndRegisterRestoresIt() throws SQLException {
    new VeilDriver();
    VeilDriver.deregister();
    assertThat(Collections.list(DriverManager.getDrivers()))
        .noneMatch(d -> d instanceof VeilDriver);
    VeilDriver.register();
    assertThat(Collections.list(DriverManager.getDrivers()))
        .filteredOn(d -> d instanceof VeilDriver).hasSize(1);
  }

  @Test
  void serviceFileNamesTheDriver() throws IOException {
    try (InputStream in = VeilDriver.class.getResourceAsStream(
        "/META-INF/services/java.sql.Driver")) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim())
          .isEqualTo(VeilDriver.class.getName());
    }
  }
}
