package org.veil.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.veil.error.VeilException;

class AnnotatedColumnsTest {

  private static VeilConfig config(String... pairs) throws VeilException {
    Properties p = new Properties();
    for (int i = 0; i < pairs.length; i += 2) {
      p.setProperty(pairs[i], pairs[i + 1]);
    }
    return VeilConfig.from(p, name -> null);
  }

  @Test
  void annotatedClassesNameTableColumnsModesAndContexts() throws VeilException {
    VeilConfig config = config("veil.annotatedClasses", "org.veil.config.sample.Patient");
    assertThat(config.columns().all()).containsExactlyInAnyOrder(
        ColumnPolicy.of("clinic", "patients", "diagnosis", EncryptionMode.RANDOMIZED),
        ColumnPolicy.of("clinic", "patients", "national_id", EncryptionMode.DETERMINISTIC),
        new ColumnPolicy("clinic", "patients", "insurer_note", EncryptionMode.RANDOMIZED,
            "clinic.patients.insurer_note"));
  }

  @Test
  void recordWithoutTableAnnotationUsesSnakeCaseNames() throws VeilException {
    VeilConfig config = config("veil.annotatedClasses", "org.veil.config.sample.MedicalRecord");
    assertThat(config.columns().all()).containsExactly(
        ColumnPolicy.of("public", "medical_record", "blood_type", EncryptionMode.RANDOMIZED));
  }

  @Test
  void scannedPackagesFindTheSameClasses() throws VeilException {
    VeilConfig config = config("veil.scanPackages", "org.veil.config.sample");
    assertThat(config.columns().find("clinic", "patients", "national_id")).isNotNull();
    assertThat(config.columns().find("public", "medical_record", "blood_type")).isNotNull();
  }

  @Test
  void propertyAndAnnotationThatAgreeAreOneColumn() throws VeilException {
    VeilConfig config = config("veil.columns", "clinic.patients.diagnosis",
        "veil.annotatedClasses", "org.veil.config.sample.Patient");
    assertThat(config.columns().forTable("clinic", "patients")).hasSize(3);
  }

  @Test
  void conflictBetweenPropertyAndAnnotationNamesBothSources() {
    assertThatThrownBy(() -> config("veil.columns", "clinic.patients.diagnosis:deterministic",
        "veil.annotatedClasses", "org.veil.config.sample.Patient"))
        .isInstanceOf(VeilException.class)
        .hasMessageContaining("clinic.patients.diagnosis")
        .hasMessageContaining("veil.columns")
        .hasMessageContaining("@Encrypted on org.veil.config.sample.Patient.diagnosis");
  }

  @Test
  void unknownAnnotatedClassIsAClearError() {
    assertThatThrownBy(() -> config("veil.annotatedClasses", "com.acme.Missing"))
        .isInstanceOf(VeilException.class).hasMessageContaining("com.acme.Missing");
  }

  @Test
  void annotatedMembersDeclareTheirJavaTypeAndPropertiesTheirTypeOption() throws VeilException {
    VeilConfig config = config("veil.annotatedClasses", "org.veil.config.sample.Patient",
        "veil.columns", "clinic.visits.paid_at:type=timestamptz, clinic.visits.note");
    assertThat(config.typeOf(config.columns().find("clinic", "patients", "diagnosis")))
        .isEqualTo(ColumnType.TEXT);
    assertThat(config.typeOf(config.columns().find("clinic", "visits", "paid_at")))
        .isEqualTo(ColumnType.TIMESTAMPTZ);
    assertThat(config.typeOf(config.columns().find("clinic", "visits", "note")))
        .as("undeclared").isEqualTo(ColumnType.TEXT);
  }

  @Test
  void conflictingTypesNameBothSources() {
    assertThatThrownBy(() -> config("veil.columns", "clinic.patients.diagnosis:type=int8",
        "veil.annotatedClasses", "org.veil.config.sample.Patient"))
        .isInstanceOf(VeilException.class)
        .hasMessageContaining("has type int8 by veil.columns but text by @Encrypted on");
  }

  @Test
  void snakeCaseFollowsJavaNames() {
    assertThat(AnnotatedColumns.snakeCase("CustomerAccount")).isEqualTo("customer_account");
    assertThat(AnnotatedColumns.snakeCase("ssnNumber")).isEqualTo("ssn_number");
    assertThat(AnnotatedColumns.snakeCase("HTTPRequest")).isEqualTo("http_request");
    assertThat(AnnotatedColumns.snakeCase("id")).isEqualTo("id");
  }
}
