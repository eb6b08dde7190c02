package org.veil.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.veil.error.VeilError;
import org.veil.error.VeilException;
import org.veil.jdbc.VeilDataSource;
import org.veil.jdbc.VeilDriver;

class VeilPropertyTest {

  @Test
  void constantsAreSortedByName() {
    List<String> names = Arrays.stream(VeilProperty.values()).map(VeilProperty::getName)
        .collect(Collectors.toList());
    List<String> sorted = names.stream().sorted(String.CASE_INSENSITIVE_ORDER)
        .collect(Collectors.toList());
    assertThat(names).containsExactlyElementsOf(sorted);
  }

  @Test
  void namesAreUniqueAndInVeilsNamespace() {
    List<String> names = Arrays.stream(VeilProperty.values()).map(VeilProperty::getName)
        .collect(Collectors.toList());
    assertThat(names).doesNotHaveDuplicates().allMatch(VeilProperty::isVeilName);
  }

  @Test
  void everySettingHasADescriptionAndItsDefaultIsOneOfItsChoices() {
    for (VeilProperty p : VeilProperty.values()) {
      assertThat(p.getDescription()).as(p.getName()).isNotBlank();
      if (p.getChoices().length > 0) {
        assertThat(p.getChoices()).as(p.getName()).contains(p.getDefaultValue());
      }
    }
  }

  @Test
  void dataSourceHasASetterForEverySetting() throws NoSuchMethodException {
    for (VeilProperty p : VeilProperty.values()) {
      String setter = "set" + Arrays.stream(p.getName().substring(VeilProperty.PREFIX.length())
          .split("\\."))
          .map(part -> Character.toUpperCase(part.charAt(0)) + part.substring(1))
          .collect(Collectors.joining());
      Method method = VeilDataSource.class.getMethod(setter, String.class);
      assertThat(method).as(p.getName()).isNotNull();
    }
  }

  @Test
  void dataSourceSetterStoresTheSettingUnderItsFullName() {
    VeilDataSource ds = new VeilDataSource();
    ds.setKmsKeyId("alias/payments");
    assertThat(ds.getVeilProperty("veil.kms.keyId")).isEqualTo("alias/payments");
  }

  @Test
  void driverPropertyInfoListsEverySettingWithItsDefault() throws SQLException {
    DriverPropertyInfo[] infos = new VeilDriver()
        .getPropertyInfo("jdbc:veil:postgresql://localhost/db", new Properties());
    for (VeilProperty p : VeilProperty.values()) {
      DriverPropertyInfo info = Arrays.stream(infos).filter(i -> i.name.equals(p.getName()))
          .findFirst().orElseThrow();
      assertThat(info.value).as(p.getName()).isEqualTo(p.getDefaultValue());
      assertThat(info.description).isEqualTo(p.getDescription());
    }
  }

  @Test
  void driverPropertyInfoNeverEchoesTheKeystorePassword() throws SQLException {
    Properties info = new Properties();
    info.setProperty("veil.kms.keystorePassword", "hunter2-secret");
    DriverPropertyInfo[] infos = new VeilDriver()
        .getPropertyInfo("jdbc:veil:postgresql://localhost/db", info);
    assertThat(Arrays.stream(infos).map(i -> String.valueOf(i.value)))
        .doesNotContain("hunter2-secret");
  }

  @Test
  void choiceIsCheckedAndNamesTheSetting() {
    Properties props = new Properties();
    props.setProperty("veil.kms", "vault");
    assertThatThrownBy(() -> VeilProperty.KMS.getChoice(props))
        .isInstanceOf(VeilException.class)
        .hasMessageContaining("veil.kms=vault")
        .hasMessageContaining("local, aws")
        .extracting(e -> ((VeilException) e).error()).isEqualTo(VeilError.INVALID_CONFIGURATION);
  }

  @Test
  void durationsAcceptDaysAndMinutes() throws VeilException {
    Properties props = new Properties();
    props.setProperty("veil.keys.rotateAfter", "P90D");
    props.setProperty("veil.cache.grace", "PT90M");
    assertThat(VeilProperty.KEYS_ROTATE_AFTER.getDuration(props).toDays()).isEqualTo(90);
    assertThat(VeilProperty.CACHE_GRACE.getDuration(props).toMinutes()).isEqualTo(90);
  }
}
