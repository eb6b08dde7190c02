package org.veil.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.veil.error.VeilException;

class VeilConfigTest {

  private static Properties props(String... pairs) {
    Properties p = new Properties();
    for (int i = 0; i < pairs.length; i += 2) {
      p.setProperty(pairs[i], pairs[i + 1]);
    }
    return p;
  }

  private static VeilConfig config(Properties props) throws VeilException {
    return VeilConfig.from(props, name -> null);
  }

  @Test
  void columnsDefaultToPublicSchemaAndRandomizedMode() throws VeilException {
    VeilConfig config = config(props("veil.columns", "customers.ssn"));
    ColumnPolicy ssn = config.columns().find(null, "customers", "ssn");
    assertThat(ssn).isEqualTo(new ColumnPolicy("public", "customers", "ssn",
        EncryptionMode.RANDOMIZED, "public.customers.ssn"));
  }

  @Test
  void columnsTakeSchemaModeAndContext() throws VeilException {
    VeilConfig config = config(props("veil.columns",
        " Billing.Cards.Number:deterministic , archive.ssn:context=public.customers.ssn"));
    assertThat(config.columns().find("billing", "cards", "number"))
        .isEqualTo(new ColumnPolicy("billing", "cards", "number", EncryptionMode.DETERMINISTIC,
            "billing.cards.number"));
    assertThat(config.columns().find("public", "archive", "ssn").context())
        .isEqualTo("public.customers.ssn");
  }

  @Test
  void malformedColumnEntryIsRefusedNamingIt() {
    assertThatThrownBy(() -> config(props("veil.columns", "ssn")))
        .isInstanceOf(VeilException.class).hasMessageContaining("'ssn'");
    assertThatThrownBy(() -> config(props("veil.columns", "customers.ssn:secret")))
        .isInstanceOf(VeilException.class)
        .hasMessageContaining("'secret' is not randomized, deterministic, context=<name>, bind=<column> or type=<type>");
  }

  @Test
  void sameColumnWithTwoModesIsRefused() {
    assertThatThrownBy(() -> config(props("veil.columns",
        "customers.ssn, customers.ssn:deterministic")))
        .isInstanceOf(VeilException.class).hasMessageContaining("public.customers.ssn");
  }

  @Test
  void unknownSettingIsRefused() {
    assertThatThrownBy(() -> config(props("veil.colums", "customers.ssn")))
        .isInstanceOf(VeilException.class).hasMessageContaining("unknown setting veil.colums");
  }

  @Test
  void explicitBeatsEnvironmentBeatsFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("veil.properties");
    Files.writeString(file, "veil.kms.region=eu-west-1\nveil.kms.keyId=from-file\n"
        + "veil.keys.keyring=from-file\n");
    Map<String, String> env = Map.of("VEIL_KMS_KEYID", "from-env", "VEIL_KEYS_KEYRING", "env");
    VeilConfig config = VeilConfig.from(
        props("veil.config", file.toString(), "veil.keys.keyring", "explicit"), env::get);
    assertThat(config.get(VeilProperty.KMS_REGION)).isEqualTo("eu-west-1");
    assertThat(config.get(VeilProperty.KMS_KEY_ID)).isEqualTo("from-env");
    assertThat(config.get(VeilProperty.KEYS_KEYRING)).isEqualTo("explicit");
  }

  @Test
  void unknownSettingInTheFileIsRefusedNamingTheFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("veil.properties");
    Files.writeString(file, "veil.kms.regoin=eu-west-1\n");
    assertThatThrownBy(() -> config(props("veil.config", file.toString())))
        .isInstanceOf(VeilException.class)
        .hasMessageContaining("veil.kms.regoin").hasMessageContaining(file.toString());
  }

  @Test
  void configFileIsReadFromTheClassPath() throws VeilException {
    VeilConfig config = config(props("veil.config", "classpath:veil-test.properties"));
    assertThat(config.columns().find("public", "patients", "diagnosis")).isNotNull();
  }

  @Test
  void missingConfigFileIsAClearError() {
    assertThatThrownBy(() -> config(props("veil.config", "classpath:nope.properties")))
        .isInstanceOf(VeilException.class)
        .hasMessageContaining("cannot read veil.config=classpath:nope.properties");
  }

  @Test
  void toStringHidesTheKeystorePassword() throws VeilException {
    VeilConfig config = config(props("veil.kms.keystorePassword", "hunter2-secret",
        "veil.kms.keystore", "/keys/master.p12"));
    assertThat(config.toString()).doesNotContain("hunter2-secret")
        .contains("veil.kms.keystorePassword=***").contains("/keys/master.p12");
  }

  @Test
  void configsWithTheSameSettingsAreEqual() throws VeilException {
    assertThat(config(props("veil.columns", "a.b"))).isEqualTo(config(props("veil.columns", "a.b")))
        .isNotEqualTo(config(props("veil.columns", "a.c")));
  }
}
