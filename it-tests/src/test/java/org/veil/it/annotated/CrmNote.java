package org.veil.it.annotated;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.veil.annotations.Encrypted;

/**
 * A JPA entity without {@code @Table}: Veil takes Spring Boot's name for it, {@code crm_note};
 * Hibernate on its own would name it {@code CrmNote} (folded: {@code crmnote}).
 */
@Entity
public class CrmNote {
  @Id
  Long id;

  @Encrypted
  String body;
}
