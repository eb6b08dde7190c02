package org.veil.it.clients.orm.unmapped;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.LocalDate;

/**
 * {@code orm_patients} mapped as if its encrypted {@code birth_date} were still a {@code date}:
 * Hibernate's schema validation rejects it, which is why the mapping declares
 * {@code columnDefinition = "bytea"}.
 */
@Entity
@Table(name = "orm_patients")
public class PatientWithoutColumnDefinition {

  @Id
  private Long id;

  @Column(name = "birth_date")
  private LocalDate birthDate;
}
