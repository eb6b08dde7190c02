package org.veil.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import javax.naming.Reference;
import javax.naming.StringRefAddr;
import org.junit.jupiter.api.Test;

class VeilDataSourceTest {

  private static VeilDataSource configured() {
    VeilDataSource ds = new VeilDataSource();
    ds.setUrl("jdbc:veil:postgresql://db1:5433,db2:5434/app?veil.kms=local&ApplicationName=x");
    ds.setSslRootCert("/etc/ca.pem");
    ds.setColumns("customers.ssn, customers.email:deterministic");
    ds.setKmsKeystore("/etc/veil/master.key");
    return ds;
  }

  private static void assertSameSettings(VeilDataSource copy) {
    assertThat(copy.getVeilProperty("veil.columns"))
        .isEqualTo("customers.ssn, customers.email:deterministic");
    assertThat(copy.getVeilProperty("veil.kms")).isEqualTo("local");
    assertThat(copy.getVeilProperty("veil.kms.keystore")).isEqualTo("/etc/veil/master.key");
    assertThat(copy.getServerNames()).containsExactly("db1", "db2");
    assertThat(copy.getPortNumbers()).containsExactly(5433, 5434);
    assertThat(copy.getSslRootCert()).isEqualTo("/etc/ca.pem");
    assertThat(copy.getApplicationName()).isEqualTo("x");
  }

  /** Found: getReference() carried no veil.* settings. */
  @Test
  void referenceCarriesEveryVeilSettingAndItsFactoryRestoresThem() throws Exception {
    Reference ref = configured().getReference();
    assertThat(ref.getFactoryClassName()).isEqualTo(VeilDataSourceFactory.class.getName());
    assertThat(ref.get("veil.columns").getContent())
        .isEqualTo("customers.ssn, customers.email:deterministic");
    Object copy = new VeilDataSourceFactory().getObjectInstance(ref, null, null, null);
    assertThat(copy).isInstanceOf(VeilDataSource.class);
    assertSameSettings((VeilDataSource) copy);
  }

  @Test
  void referenceWithAnUnknownVeilSettingIsRefused() throws Exception {
    Reference ref = configured().getReference();
    ref.add(new StringRefAddr("veil.colums", "customers.ssn"));
    assertThatThrownBy(() -> new VeilDataSourceFactory().getObjectInstance(ref, null, null,
        null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown setting veil.colums");
  }

  @Test
  void factoryGivesNullForReferencesToOtherClasses() {
    Reference other = new Reference("org.postgresql.ds.PGSimpleDataSource");
    assertThat(new VeilDataSourceFactory().getObjectInstance(other, null, null, null)).isNull();
    assertThat(new VeilDataSourceFactory().getObjectInstance("not a reference", null, null,
        null)).isNull();
  }

  @Test
  void serialisedFormKeepsVeilSettings() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(configured());
    }
    try (ObjectInputStream in = new ObjectInputStream(
        new ByteArrayInputStream(bytes.toByteArray()))) {
      assertSameSettings((VeilDataSource) in.readObject());
    }
  }

  @Test
  void initializeFromAnotherVeilDataSourceCopiesVeilSettings() throws Exception {
    VeilDataSource copy = new VeilDataSource();
    copy.initializeFrom(configured());
    assertSameSettings(copy);
  }
}
