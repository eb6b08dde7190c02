package org.veil.sample;

import java.time.LocalDate;
import org.veil.annotations.Encrypted;
import org.veil.annotations.EncryptedTable;

/**
 * A patient as the registry stores it, one row of {@code patients}.
 *
 * <p>The switch to Veil added only the annotations: {@code national_id} is deterministic so the
 * registry can still look patients up by it ({@code WHERE national_id = ?}); the other
 * encrypted columns are randomized, so equal names or diagnoses do not show as equal.
 *
 * @param id the row id, or null before the patient is registered
 */
@EncryptedTable(name = "patients")
public record Patient(
    Long id,
    @Encrypted(mode = Encrypted.Mode.DETERMINISTIC) String nationalId,
    @Encrypted String fullName,
    @Encrypted LocalDate birthDate,
    @Encrypted String diagnosis,
    String ward) {

  /** A patient not yet registered. */
  public static Patient unregistered(String nationalId, String fullName, LocalDate birthDate,
      String diagnosis, String ward) {
    return new Patient(null, nationalId, fullName, birthDate, diagnosis, ward);
  }
}
