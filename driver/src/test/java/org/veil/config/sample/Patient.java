package org.veil.config.sample;

import org.veil.annotations.Encrypted;
import org.veil.annotations.EncryptedTable;

/** A class of the kind applications annotate: fields and a getter. */
@EncryptedTable(name = "patients", schema = "clinic")
public class Patient {
  long id;

  @Encrypted
  String diagnosis;

  @Encrypted(mode = Encrypted.Mode.DETERMINISTIC, column = "national_id")
  String nationalId;

  private String insurerNote;

  @Encrypted(context = "clinic.patients.insurer_note")
  public String getInsurerNote() {
    return insurerNote;
  }
}
