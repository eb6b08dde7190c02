package org.veil.sample;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The registry's data access, plain JDBC as it was written before Veil: nothing here knows that
 * some columns are encrypted. Thread-safe.
 */
public final class PatientRegistry {

  private static final String COLUMNS =
      "id, national_id, full_name, birth_date, diagnosis, ward";

  private final DataSource dataSource;

  public PatientRegistry(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Registers a patient; returns it with its id. */
  public Patient register(Patient patient) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO patients"
            + " (national_id, full_name, birth_date, diagnosis, ward) VALUES (?, ?, ?, ?, ?)",
            Statement.RETURN_GENERATED_KEYS)) {
      ps.setString(1, patient.nationalId());
      ps.setString(2, patient.fullName());
      ps.setObject(3, patient.birthDate());
      ps.setString(4, patient.diagnosis());
      ps.setString(5, patient.ward());
      ps.executeUpdate();
      try (ResultSet keys = ps.getGeneratedKeys()) {
        keys.next();
        return new Patient(keys.getLong("id"), patient.nationalId(), patient.fullName(),
            patient.birthDate(), patient.diagnosis(), patient.ward());
      }
    }
  }

  /** The patient with this national id: a lookup by equality on an encrypted column. */
  public Optional<Patient> findByNationalId(String nationalId) throws SQLException {
    List<Patient> found = query("SELECT " + COLUMNS + " FROM patients WHERE national_id = ?",
        nationalId);
    return found.stream().findFirst();
  }

  /** The patients on a ward, in the order they were registered. */
  public List<Patient> onWard(String ward) throws SQLException {
    return query("SELECT " + COLUMNS + " FROM patients WHERE ward = ? ORDER BY id", ward);
  }

  public List<Patient> all() throws SQLException {
    return query("SELECT " + COLUMNS + " FROM patients ORDER BY id");
  }

  /** Records a new diagnosis for the patient with this national id; returns whether one was. */
  public boolean updateDiagnosis(String nationalId, String diagnosis) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "UPDATE patients SET diagnosis = ? WHERE national_id = ?")) {
      ps.setString(1, diagnosis);
      ps.setString(2, nationalId);
      return ps.executeUpdate() == 1;
    }
  }

  private List<Patient> query(String sql, String... params) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setString(i + 1, params[i]);
      }
      List<Patient> patients = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          patients.add(new Patient(rs.getLong("id"), rs.getString("national_id"),
              rs.getString("full_name"), rs.getObject("birth_date", LocalDate.class),
              rs.getString("diagnosis"), rs.getString("ward")));
        }
      }
      return patients;
    }
  }
}
