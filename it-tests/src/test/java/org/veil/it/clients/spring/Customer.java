package org.veil.it.clients.spring;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.veil.annotations.Encrypted;

/** The application's entity; the switch to Veil added only the {@code @Encrypted} lines. */
@Entity
@Table(name = "boot_customers")
public class Customer {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Encrypted(mode = Encrypted.Mode.DETERMINISTIC)
  @Column(nullable = false)
  private String email;

  @Encrypted
  @Column(name = "full_name", nullable = false)
  private String fullName;

  @Encrypted
  @Column(columnDefinition = "bytea")
  private String phone;

  private String tier;

  protected Customer() {}

  public Customer(String email, String fullName, String phone, String tier) {
    this.email = email;
    this.fullName = fullName;
    this.phone = phone;
    this.tier = tier;
  }

  public Long getId() {
    return id;
  }

  public String getEmail() {
    return email;
  }

  public String getFullName() {
    return fullName;
  }

  public String getPhone() {
    return phone;
  }

  public void setPhone(String phone) {
    this.phone = phone;
  }

  public String getTier() {
    return tier;
  }
}
