package org.veil.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.veil.error.VeilError;
import org.veil.error.VeilException;

/** {@code :bind=<column>} and {@code @Encrypted(bind)}: which column binds a cell to its row. */
class RowBindingConfigTest {

  private static final String BOUND = "org.veil.config.bound.BoundEntities$";

  private static VeilConfig config(String... pairs) throws VeilException {
    Properties p = new Properties();
    for (int i = 0; i < pairs.length; i += 2) {
      p.setProperty(pairs[i], pairs[i + 1]);
    }
    return VeilConfig.from(p, name -> null);
  }

  private static VeilException refusal(String... pairs) {
    VeilException e = catchThrowableOfType(VeilException.class, () -> config(pairs));
    assertThat((Throwable) e).isNotNull();
    assertThat(e.error()).isEqualTo(VeilError.INVALID_CONFIGURATION);
    return e;
  }

  @Test
  void bindNamesTheBindingColumnFolded() throws VeilException {
    ColumnPolicy ssn = config("veil.columns", "customers.ssn:bind=ID").columns()
        .find("public", "customers", "ssn");
    assertThat(ssn.bindingColumn()).isEqualTo("id");
    assertThat(ssn.isRowBound()).isTrue();
    assertThat(ssn.qualifiedBindingColumn()).isEqualTo("public.customers.id");
  }

  @Test
  void columnsWithoutBindAreUnbound() throws VeilException {
    ColumnPolicy ssn = config("veil.columns", "customers.ssn").columns()
        .find("public", "customers", "ssn");
    assertThat(ssn.bindingColumn()).isNull();
    assertThat(ssn.isRowBound()).isFalse();
  }

  @Test
  void bindCombinesWithContextAndType() throws VeilException {
    VeilConfig config = config("veil.columns",
        "archive.ssn:context=public.customers.ssn:bind=customer_id:type=int8");
    ColumnPolicy ssn = config.columns().find("public", "archive", "ssn");
    assertThat(ssn).isEqualTo(new ColumnPolicy("public", "archive", "ssn",
        EncryptionMode.RANDOMIZED, "public.customers.ssn", "customer_id"));
    assertThat(config.typeOf(ssn)).isEqualTo(ColumnType.INT8);
  }

  @Test
  void bindOnADeterministicColumnIsRefusedSayingWhy() {
    VeilException e = refusal("veil.columns", "customers.email:deterministic:bind=id");
    assertThat(e.getMessage()).contains("public.customers.email")
        .contains("equality token cannot depend on the row");
  }

  @Test
  void bindingAColumnToItselfIsRefused() {
    VeilException e = refusal("veil.columns", "customers.ssn:bind=ssn");
    assertThat(e.getMessage()).contains("public.customers.ssn").contains("cannot bind itself");
  }

  @Test
  void bindingToAnEncryptedColumnIsRefused() {
    VeilException e = refusal("veil.columns", "customers.ssn:bind=email, customers.email");
    assertThat(e.getMessage()).contains("public.customers.ssn")
        .contains("public.customers.email is encrypted itself");
  }

  @Test
  void bindWithoutAColumnNameIsRefused() {
    VeilException e = refusal("veil.columns", "customers.ssn:bind=");
    assertThat(e.getMessage()).contains("customers.ssn:bind=").contains("bind=<column>");
    refusal("veil.columns", "customers.ssn:bind=other.id");
  }

  @Test
  void sameColumnBoundAndUnboundIsRefusedNamingBothSources() {
    VeilException e = refusal("veil.columns", "customers.ssn:bind=id, customers.ssn");
    assertThat(e.getMessage()).contains("public.customers.ssn");
  }

  @Test
  void annotationBindNamingAJpaPropertyTakesItsColumn() throws VeilException {
    assertThat(config("veil.annotatedClasses", BOUND + "JpaCustomer").columns().all())
        .containsExactly(ColumnPolicy.of("crm", "customers", "ssn", EncryptionMode.RANDOMIZED)
            .boundBy("customer_id"));
  }

  @Test
  void annotationBindNamingNoPropertyIsAColumnName() throws VeilException {
    assertThat(config("veil.annotatedClasses", BOUND + "SpringAccount").columns().all())
        .containsExactly(ColumnPolicy.of("public", "accounts", "iban_number",
            EncryptionMode.RANDOMIZED).boundBy("account_no"));
  }

  @Test
  void annotationBindFollowsMicronautAndMybatisColumnNames() throws VeilException {
    assertThat(config("veil.annotatedClasses", BOUND + "MicronautLead").columns().all())
        .containsExactly(ColumnPolicy.of("public", "leads", "tax_id", EncryptionMode.RANDOMIZED)
            .boundBy("lead_uuid"));
    assertThat(config("veil.annotatedClasses", BOUND + "MybatisInvoice").columns().all())
        .containsExactly(ColumnPolicy.of("public", "invoices", "iban",
            EncryptionMode.RANDOMIZED).boundBy("invoice_no"));
  }

  @Test
  void annotationBindOnARecordComponentTakesTheComponentsColumn() throws VeilException {
    assertThat(config("veil.annotatedClasses", BOUND + "Badge").columns().all())
        .containsExactly(ColumnPolicy.of("public", "badges", "code", EncryptionMode.RANDOMIZED)
            .boundBy("badge_id"));
  }

  @Test
  void annotationAndColumnListAgreeingOnTheBindingAreOneColumn() throws VeilException {
    VeilConfig config = config("veil.annotatedClasses", BOUND + "SpringAccount",
        "veil.columns", "accounts.iban_number:bind=account_no");
    assertThat(config.columns().all()).hasSize(1);
  }

  @Test
  void annotationAndColumnListDisagreeingOnTheBindingAreRefused() {
    VeilException e = refusal("veil.annotatedClasses", BOUND + "SpringAccount",
        "veil.columns", "accounts.iban_number");
    assertThat(e.getMessage()).contains("public.accounts.iban_number")
        .contains("bound to its row by account_no").contains("make them agree");
  }

  @Test
  void annotationRefusalsNameTheMember() {
    assertThat(refusal("veil.annotatedClasses", BOUND + "DeterministicBound").getMessage())
        .contains("public.tokens.token").contains("DeterministicBound.token")
        .contains("equality token cannot depend on the row");
    assertThat(refusal("veil.annotatedClasses", BOUND + "BoundToEncrypted").getMessage())
        .contains("public.pairs.first is encrypted itself");
    assertThat(refusal("veil.annotatedClasses", BOUND + "BoundToItself").getMessage())
        .contains("cannot bind itself");
  }
}
