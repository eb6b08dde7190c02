package org.veil.config.sample;

import org.veil.annotations.Encrypted;

/** A record with no table annotation: the table is the snake_case class name. */
public record MedicalRecord(long id, @Encrypted String bloodType, String ward) {}
