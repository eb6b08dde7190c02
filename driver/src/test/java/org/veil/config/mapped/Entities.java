package org.veil.config.mapped;

import org.veil.annotations.Encrypted;

/** Entity classes of the mapping libraries whose annotations name tables and columns. */
public final class Entities {

  private Entities() {}

  /** Spring Data JDBC: the table is {@code @Table}'s value, not the class name. */
  @org.springframework.data.relational.core.mapping.Table("sd_contacts")
  public static class SdContact {
    long id;

    @Encrypted
    String email;

    @Encrypted
    @org.springframework.data.relational.core.mapping.Column("home_phone")
    String phone;
  }

  /** Spring Data JDBC with {@code name} and {@code schema}. */
  @org.springframework.data.relational.core.mapping.Table(name = "contacts", schema = "crm")
  public static class CrmContact {
    @Encrypted
    String email;
  }

  /** Spring Data JDBC's {@code @Table} without a name: the snake_case class name. */
  @org.springframework.data.relational.core.mapping.Table
  public static class DeliveryAddress {
    @Encrypted
    String streetLine;
  }

  /** Micronaut Data. */
  @io.micronaut.data.annotation.MappedEntity(value = "leads", schema = "sales")
  public static class MicronautLead {
    @Encrypted
    @io.micronaut.data.annotation.MappedProperty("tax_id")
    String taxId;
  }

  /** Micronaut Data's {@code @MappedEntity} without a name. */
  @io.micronaut.data.annotation.MappedEntity
  public static class PaymentMethod {
    @Encrypted
    String cardNumber;
  }

  /** MyBatis-Plus. */
  @com.baomidou.mybatisplus.annotation.TableName(value = "invoices", schema = "billing")
  public static class MybatisInvoice {
    @Encrypted
    @com.baomidou.mybatisplus.annotation.TableField("iban_no")
    String iban;
  }

  /** Jakarta Persistence, with a column in a secondary table. */
  @jakarta.persistence.Entity
  @jakarta.persistence.Table(name = "people", schema = "hr")
  @jakarta.persistence.SecondaryTable(name = "people_private", schema = "hr_private")
  public static class JakartaPerson {
    @Encrypted
    @jakarta.persistence.Column(name = "ssn_no")
    String ssn;

    @Encrypted
    @jakarta.persistence.Column(table = "people_private")
    String salaryBand;
  }

  /** javax Persistence. */
  @javax.persistence.Entity
  @javax.persistence.Table(name = "legacy_people")
  public static class JavaxPerson {
    @Encrypted
    @javax.persistence.Column(name = "tax")
    String taxNumber;
  }

  /** A JPA entity without {@code @Table}: the snake_case class name, as Spring Boot names it. */
  @jakarta.persistence.Entity
  public static class CustomerOrder {
    @Encrypted
    String cardNumber;
  }

  /** Nothing names the table: Veil would have to guess. */
  public static class LooseNote {
    @Encrypted
    String text;
  }

  /** Two mapping annotations that name different tables. */
  @jakarta.persistence.Entity
  @jakarta.persistence.Table(name = "accounts")
  @org.springframework.data.relational.core.mapping.Table("bank_accounts")
  public static class TwoTableNames {
    @Encrypted
    String iban;
  }

  /** Two mapping annotations on one property that name different columns. */
  @jakarta.persistence.Entity
  public static class TwoColumnNames {
    @Encrypted
    @jakarta.persistence.Column(name = "iban")
    @org.springframework.data.relational.core.mapping.Column("iban_number")
    String iban;
  }

  /**
   * A record: Java copies {@code @Column} (a field and method annotation) to the field and the
   * accessor, {@code @Encrypted} also to the component; they are one property.
   */
  @org.springframework.data.relational.core.mapping.Table("badges")
  public record Badge(long id,
      @Encrypted @org.springframework.data.relational.core.mapping.Column("badge_code")
      String code) {}

  /** {@code @Encrypted} on a setter. */
  @org.springframework.data.relational.core.mapping.Table("cards")
  public static class SetterAnnotated {
    private String number;

    @Encrypted
    public void setNumber(String number) {
      this.number = number;
    }
  }
}
