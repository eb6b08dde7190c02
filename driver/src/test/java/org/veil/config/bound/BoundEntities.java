package org.veil.config.bound;

import org.veil.annotations.Encrypted;

/** Entity classes whose encrypted columns are bound to their rows with {@code @Encrypted(bind)}. */
public final class BoundEntities {

  private BoundEntities() {}

  /** JPA: {@code bind} names the Java property {@code id}, whose column is customer_id. */
  @jakarta.persistence.Entity
  @jakarta.persistence.Table(name = "customers", schema = "crm")
  public static class JpaCustomer {
    @jakarta.persistence.Column(name = "customer_id")
    Long id;

    @Encrypted(bind = "id")
    String ssn;
  }

  /** Spring Data JDBC: {@code bind} names a column that no property maps. */
  @org.springframework.data.relational.core.mapping.Table("accounts")
  public static class SpringAccount {
    @Encrypted(bind = "account_no")
    @org.springframework.data.relational.core.mapping.Column("iban_number")
    String iban;
  }

  /** Micronaut Data: the property's {@code @MappedProperty} names the binding column. */
  @io.micronaut.data.annotation.MappedEntity("leads")
  public static class MicronautLead {
    @io.micronaut.data.annotation.MappedProperty("lead_uuid")
    java.util.UUID leadId;

    @Encrypted(bind = "leadId")
    String taxId;
  }

  /** MyBatis-Plus: the property's {@code @TableField} names the binding column. */
  @com.baomidou.mybatisplus.annotation.TableName("invoices")
  public static class MybatisInvoice {
    @com.baomidou.mybatisplus.annotation.TableField("invoice_no")
    long number;

    @Encrypted(bind = "number")
    String iban;
  }

  /** A record whose component names the binding column by its snake_case name. */
  @org.springframework.data.relational.core.mapping.Table("badges")
  public record Badge(long badgeId, @Encrypted(bind = "badgeId") String code) {}

  /** Refused: a deterministic column cannot be bound to its row. */
  @org.springframework.data.relational.core.mapping.Table("tokens")
  public static class DeterministicBound {
    long id;

    @Encrypted(mode = Encrypted.Mode.DETERMINISTIC, bind = "id")
    String token;
  }

  /** Refused: the binding column is encrypted itself. */
  @org.springframework.data.relational.core.mapping.Table("pairs")
  public static class BoundToEncrypted {
    @Encrypted
    String first;

    @Encrypted(bind = "first")
    String second;
  }

  /** Refused: a column cannot bind itself. */
  @org.springframework.data.relational.core.mapping.Table("selves")
  public static class BoundToItself {
    @Encrypted(bind = "note")
    String note;
  }
}
