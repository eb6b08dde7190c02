package org.veil.it.annotated;

import org.springframework.data.relational.core.mapping.Column;
import org.springframework.data.relational.core.mapping.Table;
import org.veil.annotations.Encrypted;

/** A Spring Data JDBC entity: its table is {@code sd_contacts}, not the class name. */
@Table("sd_contacts")
public class SdContact {
  Long id;

  @Encrypted
  String email;

  @Encrypted
  @Column("home_phone")
  String phone;
}
