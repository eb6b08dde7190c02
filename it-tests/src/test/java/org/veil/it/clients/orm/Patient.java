package org.veil.it.clients.orm;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.time.LocalDate;
import org.veil.annotations.Encrypted;

/**
 * A JPA entity as an application has it, plus {@code @Encrypted} on the fields to protect. Veil
 * reads the table and column names from {@code @Table} and {@code @Column}.
 *
 * <p>String fields in {@code text} columns need nothing more (text cells). A field in a
 * {@code bytea} column says {@code columnDefinition = "bytea"}, so that Hibernate's schema
 * validation accepts the physical type the database reports.
 */
@Entity
@Table(name = "orm_patients")
public class Patient {

  @Id
  @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "orm_patients_seq")
  @SequenceGenerator(name = "orm_patients_seq", sequenceName = "orm_patients_seq",
      allocationSize = 50)
  private Long id;

  @Encrypted(mode = Encrypted.Mode.DETERMINISTIC)
  @Column(name = "national_id", nullable = false)
  private String nationalId;

  @Encrypted
  @Column(name = "full_name", nullable = false, columnDefinition = "bytea")
  private String fullName;

  @Encrypted
  @Column(name = "birth_date", columnDefinition = "bytea")
  private LocalDate birthDate;

  @Encrypted
  @Column(name = "diagnosis")
  private String diagnosis;

  @Column(name = "ward")
  private String ward;

  protected Patient() {}

  public Patient(String nationalId, String fullName, LocalDate birthDate, String diagnosis,
      String ward) {
    this.nationalId = nationalId;
    this.fullName = fullName;
    this.birthDate = birthDate;
    this.diagnosis = diagnosis;
    this.ward = ward;
  }

  public Long getId() {
    return id;
  }

  public String getNationalId() {
    return nationalId;
  }

  public String getFullName() {
    return fullName;
  }

  public LocalDate getBirthDate() {
    return birthDate;
  }

  public String getDiagnosis() {
    return diagnosis;
  }

  public void setDiagnosis(String diagnosis) {
    this.diagnosis = diagnosis;
  }

  public String getWard() {
    return ward;
  }

  public void setWard(String ward) {
    this.ward = ward;
  }
}
