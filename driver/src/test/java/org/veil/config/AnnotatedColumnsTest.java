package org.veil.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.veil.error.VeilError;
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
  void recordThatAnUnnamedTableAnnotationMarksUsesSnakeCaseNames() throws VeilException {
    VeilConfig config = config("veil.annotatedClasses", "org.veil.config.sample.MedicalRecord");
    assertThat(config.columns().all()).containsExactly(
        ColumnPolicy.of("public", "medical_record", "blood_type", EncryptionMode.RANDOMIZED));
  }

  private static final String MAPPED = "org.veil.config.mapped.Entities$";

  private static ColumnPolicy randomized(String schema, String table, String column) {
    return ColumnPolicy.of(schema, table, column, EncryptionMode.RANDOMIZED);
  }

  @Test
  void springDataTableNameIsUsedNotTheClassName() throws VeilException {
    VeilConfig config = config("veil.annotatedClasses", MAPPED + "SdContact");
    assertThat(config.columns().all()).containsExactlyInAnyOrder(
        randomized("public", "sd_contacts", "email"),
        randomized("public", "sd_contacts", "home_phone"));
  }

  @Test
  void springDataTableNameAttributeAndSchemaAreRead() throws VeilException {
    VeilConfig config = config("veil.annotatedClasses", MAPPED + "CrmContact");
    assertThat(config.columns().all()).containsExactly(randomized("crm", "contacts", "email"));
  }

  @Test
  void micronautMappedEntityAndMappedPropertyNameTableAndColumn() throws VeilException {
    VeilConfig config = config("veil.annotatedClasses", MAPPED + "MicronautLead");
    assertThat(config.columns().all()).containsExactly(randomized("sales", "leads", "tax_id"));
  }

  @Test
  void mybatisPlusTableNameAndTableFieldNameTableAndColumn() throws VeilException {
    VeilConfig config = config("veil.annotatedClasses", MAPPED + "MybatisInvoice");
    assertThat(config.columns().all())
        .containsExactly(randomized("billing", "invoices", "iban_no"));
  }

  @Test
  void jakartaTableSchemaColumnAndSecondaryTableAreRead() throws VeilException {
    VeilConfig config = config("veil.annotatedClasses", MAPPED + "JakartaPerson");
    assertThat(config.columns().all()).containsExactlyInAnyOrder(
        randomized("hr", "people", "ssn_no"),
        randomized("hr_private", "people_private", "salary_band"));
  }

  @Test
  void javaxTableAndColumnAreRead() throws VeilException {
    VeilConfig config = config("veil.annotatedClasses", MAPPED + "JavaxPerson");
    assertThat(config.columns().all()).containsExactly(randomized("public", "legacy_people", "tax"));
  }

  @Test
  void entityMarkedWithoutATableNameMapsToTheSnakeCaseClassName() throws VeilException {
    VeilConfig config = config("veil.annotatedClasses", MAPPED + "CustomerOrder, " + MAPPED
        + "DeliveryAddress, " + MAPPED + "PaymentMethod");
    assertThat(config.columns().all()).containsExactlyInAnyOrder(
        randomized("public", "customer_order", "card_number"),
        randomized("public", "delivery_address", "street_line"),
        randomized("public", "payment_method", "card_number"));
  }

  @Test
  void classThatNothingNamesATableForIsRefusedAtConnect() {
    assertThatThrownBy(() -> config("veil.annotatedClasses", MAPPED + "LooseNote"))
        .isInstanceOf(VeilException.class)
        .hasMessageContaining("org.veil.config.mapped.Entities$LooseNote")
        .hasMessageContaining("nothing names the table")
        .hasMessageContaining("@EncryptedTable")
        .hasMessageContaining("@Table")
        .extracting(e -> ((VeilException) e).error()).isEqualTo(VeilError.INVALID_CONFIGURATION);
  }

  @Test
  void mappingAnnotationsThatNameDifferentTablesAreRefused() {
    assertThatThrownBy(() -> config("veil.annotatedClasses", MAPPED + "TwoTableNames"))
        .isInstanceOf(VeilException.class)
        .hasMessageContaining("accounts").hasMessageContaining("bank_accounts")
        .hasMessageContaining("@EncryptedTable")
        .extracting(e -> ((VeilException) e).error()).isEqualTo(VeilError.INVALID_CONFIGURATION);
  }

  @Test
  void mappingAnnotationsThatNameDifferentColumnsAreRefused() {
    assertThatThrownBy(() -> config("veil.annotatedClasses", MAPPED + "TwoColumnNames"))
        .isInstanceOf(VeilException.class)
        .hasMessageContaining("TwoColumnNames.iban")
        .hasMessageContaining("iban_number")
        .extracting(e -> ((VeilException) e).error()).isEqualTo(VeilError.INVALID_CONFIGURATION);
  }

  @Test
  void recordComponentTakesTheColumnNameCopiedToItsFieldAndAccessor() throws VeilException {
    VeilConfig config = config("veil.annotatedClasses", MAPPED + "Badge");
    assertThat(config.columns().all()).containsExactly(randomized("public", "badges", "badge_code"));
  }

  @Test
  void encryptedOnAMethodWithParametersIsRefusedNotIgnored() {
    assertThatThrownBy(() -> config("veil.annotatedClasses", MAPPED + "SetterAnnotated"))
        .isInstanceOf(VeilException.class)
        .hasMessageContaining("SetterAnnotated.setNumber")
        .extracting(e -> ((VeilException) e).error()).isEqualTo(VeilError.INVALID_CONFIGURATION);
  }

  @Test
  void annotatedEntityKnowsTheOtherNamesOfItsTable() throws VeilException {
    VeilConfig config = config("veil.annotatedClasses", MAPPED + "SdContact");
    EntityNames names = config.entityNames();
    java.util.Set<String> tables = java.util.Set.of("public.sd_contacts");
    assertThat(names.tablesNamedBy("sdcontact", tables)).as("the class name, folded")
        .containsExactly("public.sd_contacts");
    assertThat(names.tablesNamedBy("sd_contact", tables)).containsExactly("public.sd_contacts");
    assertThat(names.tablesNamedBy("contacts", tables)).isEmpty();
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
