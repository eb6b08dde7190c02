package org.veil.it.annotated;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.veil.annotations.Encrypted;

/** A JPA entity whose diagnosis is bound to its row by its id, whose column is patient_id. */
@Entity
@Table(name = "rb_patients")
public class BoundPatient {
  @Id
  @Column(name = "patient_id")
  Long id;

  @Encrypted(bind = "id")
  String diagnosis;
}
