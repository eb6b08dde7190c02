package org.veil.config.sample;

import org.springframework.data.relational.core.mapping.Table;
import org.veil.annotations.Encrypted;

/**
 * A record that Spring Data's {@code @Table} marks as an entity without naming its table: the
 * table is the snake_case class name, as Spring's default naming strategy has it.
 */
@Table
public record MedicalRecord(long id, @Encrypted String bloodType, String ward) {}
