package org.veil.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

class PgjdbcSettingsTest {

  private static Properties props(String... nameValues) {
    Properties p = new Properties();
    for (int i = 0; i < nameValues.length; i += 2) {
      p.setProperty(nameValues[i], nameValues[i + 1]);
    }
    return p;
  }

  /** What pgjdbc itself computes from what Veil hands it: the settings it will connect with. */
  private static Properties asPgjdbcMergesIt(PgjdbcSettings settings) {
    return Driver.parseURL(settings.url(), settings.properties());
  }

  @Test
  void urlHandedToPgjdbcHasNoParametersAndThePropertiesHoldThem() throws VeilException {
    PgjdbcSettings s = PgjdbcSettings.resolve(
        "jdbc:postgresql://db:5433/app?sslrootcert=/ca.pem&ApplicationName=billing",
        props("user", "app"));
    assertThat(s.url()).isEqualTo("jdbc:postgresql://db:5433/app");
    assertThat(s.properties()).containsEntry("sslrootcert", "/ca.pem")
        .containsEntry("ApplicationName", "billing").containsEntry("user", "app");
  }

  /** Found: a URL parameter naming pgjdbc's default factory won over Veil's factory. */
  @Test
  void urlParameterNamingPgjdbcDefaultFactoryCannotOverrideVeilsFactory() throws VeilException {
    PgjdbcSettings s = PgjdbcSettings.resolve("jdbc:postgresql://db/app"
        + "?sslfactory=org.postgresql.ssl.LibPQFactory&gssEncMode=allow", new Properties());
    assertThat(asPgjdbcMergesIt(s))
        .containsEntry("sslfactory", "org.veil.tls.Tls13SocketFactory")
        .containsEntry("socketFactory", "org.veil.tls.GuardedTcpSocketFactory")
        .containsEntry("sslmode", "verify-full")
        .containsEntry("gssEncMode", "disable");
  }

  @Test
  void urlParameterWinsOverPropertyAsInPgjdbc() throws VeilException {
    PgjdbcSettings s = PgjdbcSettings.resolve("jdbc:postgresql://db/app?ApplicationName=url",
        props("ApplicationName", "property"));
    assertThat(asPgjdbcMergesIt(s)).containsEntry("ApplicationName", "url");
  }

  @Test
  void multiHostUrlKeepsEveryHostWithItsPort() throws VeilException {
    PgjdbcSettings s = PgjdbcSettings.resolve(
        "jdbc:postgresql://h1:5433,h2,[::1]:5434/app?targetServerType=primary",
        new Properties());
    assertThat(s.url()).isEqualTo("jdbc:postgresql://h1:5433,h2:5432,[::1]:5434/app");
    assertThat(asPgjdbcMergesIt(s)).containsEntry("PGHOST", "h1,h2,[::1]")
        .containsEntry("PGPORT", "5433,5432,5434")
        .containsEntry("targetServerType", "primary");
  }

  @Test
  void databaseNameThatNeedsEncodingReachesPgjdbcUnchanged() throws VeilException {
    PgjdbcSettings odd = PgjdbcSettings.resolve("jdbc:postgresql://db/my%20db%2Fa%C3%A9",
        new Properties());
    assertThat(asPgjdbcMergesIt(odd)).containsEntry("PGDBNAME", "my db/aé");
  }

  @Test
  void weakeningPropertyIsRefusedThoughAUrlParameterWouldOverrideIt() {
    assertThatThrownBy(() -> PgjdbcSettings.resolve("jdbc:postgresql://db/app?sslmode=verify-full",
        props("sslmode", "require")))
        .isInstanceOf(VeilException.class)
        .hasMessageContaining("Veil refuses sslmode=require (connection property)")
        .extracting(e -> ((VeilException) e).error()).isEqualTo(VeilError.CONNECTION_REFUSED);
  }

  @Test
  void weakeningUrlParameterIsRefusedNamingTheUrl() {
    assertThatThrownBy(() -> PgjdbcSettings.resolve(
        "jdbc:postgresql://db/app?sslfactory=org.postgresql.ssl.NonValidatingFactory",
        props("sslfactory", "org.veil.tls.Tls13SocketFactory")))
        .isInstanceOf(VeilException.class)
        .hasMessageContaining("Veil refuses sslfactory=org.postgresql.ssl.NonValidatingFactory"
            + " (URL parameter)");
  }

  @Test
  void urlPgjdbcCannotParseIsRefusedWith08001() {
    assertThatThrownBy(() -> PgjdbcSettings.resolve("jdbc:postgresql://db:port/app",
        new Properties()))
        .isInstanceOf(VeilException.class)
        .hasMessageContaining("pgjdbc cannot parse jdbc:postgresql://db:port/app")
        .extracting(e -> ((VeilException) e).error()).isEqualTo(VeilError.CONNECTION_REFUSED);
  }

  @Test
  void serviceFileIsReadOnceHereAndItsSettingsAreHandedOverAsProperties() throws Exception {
    Path file = Files.createTempFile("pg-service", ".conf");
    Files.writeString(file, "[billing]\nhost=db.example.com\nport=6432\ndbname=billing\n"
        + "sslrootcert=/etc/billing-ca.pem\n");
    String previous = System.setProperty("org.postgresql.pgservicefile", file.toString());
    try {
      PgjdbcSettings s = PgjdbcSettings.resolve("jdbc:postgresql:///?service=billing",
          props("user", "app"));
      assertThat(s.url()).isEqualTo("jdbc:postgresql://db.example.com:6432/billing");
      assertThat(s.properties()).containsEntry("sslrootcert", "/etc/billing-ca.pem")
          .doesNotContainKey("service");
    } finally {
      restore(previous);
    }
  }

  @Test
  void weakeningSettingInTheServiceFileIsRefusedNamingTheService() throws Exception {
    Path file = Files.createTempFile("pg-service", ".conf");
    Files.writeString(file, "[billing]\nhost=db\nsslfactory=org.postgresql.ssl"
        + ".NonValidatingFactory\n");
    String previous = System.setProperty("org.postgresql.pgservicefile", file.toString());
    try {
      assertThatThrownBy(() -> PgjdbcSettings.resolve("jdbc:postgresql:///?service=billing"
          + "&sslfactory=org.veil.tls.Tls13SocketFactory", new Properties()))
          .isInstanceOf(VeilException.class)
          .hasMessageContaining("Veil refuses sslfactory=org.postgresql.ssl.NonValidatingFactory"
              + " (service billing in the pgjdbc service file)");
    } finally {
      restore(previous);
    }
  }

  @Test
  void missingServiceIsRefusedWith08001() throws Exception {
    Path file = Files.createTempFile("pg-service", ".conf");
    Files.writeString(file, "[other]\nhost=db\n");
    String previous = System.setProperty("org.postgresql.pgservicefile", file.toString());
    try {
      assertThatThrownBy(() -> PgjdbcSettings.resolve("jdbc:postgresql:///?service=billing",
          new Properties()))
          .isInstanceOf(VeilException.class)
          .hasMessageContaining("a service= parameter must name a service")
          .extracting(e -> ((VeilException) e).error()).isEqualTo(VeilError.CONNECTION_REFUSED);
    } finally {
      restore(previous);
    }
  }

  @Test
  void toStringHoldsNoPassword() throws VeilException {
    PgjdbcSettings s = PgjdbcSettings.resolve("jdbc:postgresql://db/app?password=hunter2",
        props("user", "app"));
    assertThat(s.toString()).doesNotContain("hunter2");
    assertThat(s.properties()).containsEntry("password", "hunter2");
  }

  private static void restore(String previous) {
    if (previous == null) {
      System.clearProperty("org.postgresql.pgservicefile");
    } else {
      System.setProperty("org.postgresql.pgservicefile", previous);
    }
  }
}
